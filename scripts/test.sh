#!/usr/bin/env bash
# The whole test suite. Extra arguments go to pytest (e.g. scripts/test.sh -k scales).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/bootstrap.sh test
exec .venv/bin/python -m pytest "$@"
