"""Start-up costs only what is used: heavy libraries are imported by the code paths that need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import run_cli

HEAVY = ("scipy", "statsmodels", "matplotlib", "django", "pyxform", "pandas", "weasyprint")

PROBE = """
import contextlib, io, json, sys
from afstand.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:  # --help
        code = stop.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules)}))
"""


def loaded(*args: str, env: dict | None = None) -> tuple[int, set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, timeout=300, env={**os.environ, **(env or {})}
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_importing_the_cli_loads_no_heavy_library():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, afstand.cli; print(' '.join(sys.modules))"], capture_output=True, text=True, check=True
    )
    assert tops(set(out.stdout.split())) & set(HEAVY) == set()
    assert "numpy" not in tops(set(out.stdout.split()))


def test_analyze_help_loads_no_heavy_library():
    code, modules = loaded("analyze", "--help")
    assert code == 0 and tops(modules) & {*HEAVY, "numpy", "pyarrow"} == set()


def test_analyze_loads_only_what_it_uses(tmp_path):
    assert run_cli("demo-data", "--n-workers", "60", "--n-clients", "12", "--seed", "3", "--out", str(tmp_path)).returncode == 0
    args = ("analyze", "--instrument", "werkers", "--data", str(tmp_path / "werkers.csv"), "--json")
    cache = {"AFSTAND_CACHE_DIR": str(tmp_path / "empty-cache")}
    first_code, first = loaded(*args, env=cache)
    code, modules = loaded(*args, env=cache)
    assert first_code == code == 0
    assert "pyxform" in tops(first)  # the first run compiles the form ...
    assert "pyxform" not in tops(modules)  # ... later runs read the compiled form from the cache
    assert tops(modules) & {"statsmodels", "matplotlib", "django", "pandas", "weasyprint"} == set()
    assert {m for m in modules if m.split(".")[:2] in (["scipy", "stats"], ["scipy", "optimize"])} == set()
