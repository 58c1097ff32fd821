#!/usr/bin/env bash
# Create .venv (if needed) and install afstand with the given extras into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "afstand needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.afstand-installed-${extras:-base}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  spec="."
  [ -n "$extras" ] && spec=".[${extras}]"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
  echo "$want" > "$stamp"
fi
# byte-compile afstand as installing a wheel does (pip compiles what it installs, but an editable
# install leaves afstand's own modules to be compiled on first use, and with PYTHONDONTWRITEBYTECODE
# set they are compiled again on every run: about 0.07 s of every command's start)
.venv/bin/python -m compileall -q -j 0 src/afstand >/dev/null
# axe-core (npm) for the accessibility checks of the browser tests: with the test extras only
if [[ ",$extras," == *",test,"* ]] && [ ! -f tests/web/axe/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    npm ci --prefix tests/web/axe --no-audit --no-fund --silent
  else
    echo "npm is missing: the browser tests' accessibility checks need axe-core (apt-get install npm)" >&2
  fi
fi
# GNU PSPP (Debian's pspp) runs the exported .sps syntax in tests/web/test_spss_exports.py; without it that part skips
if [[ ",$extras," == *",test,"* ]] && ! command -v pspp >/dev/null; then
  echo "pspp is missing: the .sps export test checks the syntax without running it (apt-get install pspp)" >&2
fi
