#!/usr/bin/env bash
# Lint and format check with ruff (configured in pyproject.toml). `scripts/lint.sh --fix` rewrites instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/bootstrap.sh test
paths=(src tests bench scripts)
if [[ "${1:-}" == "--fix" ]]; then
  .venv/bin/ruff format "${paths[@]}"
  .venv/bin/ruff check --fix "${paths[@]}"
else
  .venv/bin/ruff format --check "${paths[@]}"
  .venv/bin/ruff check "${paths[@]}"
fi
