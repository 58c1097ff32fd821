"""The core never imports Django: neither in its source nor at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = ["instrument", "responses", "analysis"]
SRC = Path(__file__).resolve().parents[1] / "src" / "afstand"


def test_core_source_has_no_django_import():
    offenders = []
    for package in CORE:
        for path in (SRC / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_core_runs_without_loading_django():
    code = (
        "import sys, afstand.instrument.loader, afstand.responses, afstand.analysis.summary, afstand.study, afstand.demo;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_modules_stay_small():
    too_long = {p.name: n for p in SRC.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert too_long == {}
