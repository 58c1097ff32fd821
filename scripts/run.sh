#!/usr/bin/env bash
# The main job: generate the demo study and analyse it (both instruments, worker↔client pairs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
out="${AFSTAND_DEMO_DIR:-var/demo}"
.venv/bin/afstand demo-data --out "$out" --seed 2021
.venv/bin/afstand analyze --instrument werkers --data "$out/werkers.csv"
.venv/bin/afstand analyze --instrument clienten --data "$out/clienten.csv"
.venv/bin/afstand pairs --data "werkers=$out/werkers.csv" --data "clienten=$out/clienten.csv"
