#!/usr/bin/env bash
# The main job: generate the demo study, analyse it, write its report, factsheet and figures,
# then serve the web app with the demo study loaded on embedded SQLite (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/bootstrap.sh
out="${AFSTAND_DEMO_DIR:-var/demo}"
.venv/bin/afstand demo-data --out "$out/data" --seed 2021
.venv/bin/afstand analyze --instrument werkers --data "$out/data/werkers.csv"
.venv/bin/afstand analyze --instrument clienten --data "$out/data/clienten.csv"
.venv/bin/afstand pairs --data "werkers=$out/data/werkers.csv" --data "clienten=$out/data/clienten.csv"
.venv/bin/afstand report --data "werkers=$out/data/werkers.csv" --data "clienten=$out/data/clienten.csv" --out "$out/rapport"
echo "Report of the demo study: $out/rapport/rapport.html (also .pdf, .docx), factsheet: $out/rapport/factsheet.pdf"
echo "Surveys: http://127.0.0.1:${AFSTAND_PORT:-8000}/s/werkers and /s/clienten (API: POST /api/v1/surveys/<instrument>/responses)"
exec .venv/bin/afstand serve --demo --port "${AFSTAND_PORT:-8000}" --db "sqlite:///$(cd "$out" && pwd)/afstand.sqlite3"
