#!/usr/bin/env bash
# The main job: generate the demo study, analyse it and write its report, factsheet and figures.
# (Serving the web app with the demo study loaded arrives with the web issue.)
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
