#!/usr/bin/env bash
# Render the pages a layout review looks at to PNG under var/review/ (git-ignored):
# the cover, the first figure page, the comparison appendix and the factsheet.
#
#   scripts/review-pages.sh [REPORT_DIR]
#
# REPORT_DIR holds rapport.pdf and factsheet.pdf; without it the reference study's report is built
# into var/review/report first (needs ../shared/reference-study). Needs poppler-utils (pdftoppm, pdftotext).
set -euo pipefail
cd "$(dirname "$0")/.."
out=var/review
mkdir -p "$out"
afstand=".venv/bin/afstand"
[ -x "$afstand" ] || afstand="afstand"
report="${1:-}"
if [ -z "$report" ]; then
  ref=../shared/reference-study
  report="$out/report"
  "$afstand" report --data "werkers=$ref/werkers.csv" --data "clienten=$ref/clienten.csv" \
    --codings "$ref/open-answers.jsonl" --format pdf --out "$report"
fi
pdf="$report/rapport.pdf"
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
first_page_with() {  # the first page whose text contains $1
  for ((p = 1; p <= pages; p++)); do
    if pdftotext -f "$p" -l "$p" "$pdf" - | grep -q -- "$1"; then echo "$p"; return; fi
  done
  echo 1
}
render() {  # render(page, name)
  pdftoppm -r 110 -png -singlefile -f "$1" -l "$1" "$pdf" "$out/$2"
  echo "$out/$2.png (page $1)"
}
render 1 cover
render "$(first_page_with 'Figuur 1\.')" figure
render "$(first_page_with 'Alle groepsvergelijkingen')" comparisons
pdftoppm -r 110 -png -singlefile "$report/factsheet.pdf" "$out/factsheet"
echo "$out/factsheet.png"
