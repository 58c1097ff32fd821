"""Shared fixtures. The reference study is read from ../shared (tests skip without it)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference-study"

# Subprocesses (the CLI, a live server) inherit DJANGO_SETTINGS_MODULE=tests.settings from
# pytest-django: put the repository root on their path so that module imports there too.
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


@pytest.fixture(scope="session")
def reference() -> Path:
    if not (REFERENCE / "items.csv").is_file():
        pytest.skip("../shared/reference-study is not present")
    return REFERENCE


@pytest.fixture(scope="session")
def study():
    from afstand.study import find_study

    return find_study()


@pytest.fixture(scope="session")
def contract(reference):
    items = list(csv.DictReader((reference / "items.csv").open(encoding="utf-8")))
    choices = list(csv.DictReader((reference / "choices.csv").open(encoding="utf-8")))
    return items, choices


@pytest.fixture(scope="session")
def reference_results(reference, study):
    """analyze() of both reference CSVs, computed once."""
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses

    out = {}
    for name in ("werkers", "clienten"):
        responses = load_responses(reference / f"{name}.csv", study.instrument(name))
        out[name] = analyze(responses, name=name, study=study)
    return out


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script the way a user does."""
    exe = Path(sys.executable).with_name("afstand")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "afstand.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, cwd=cwd, timeout=300)


def cli_json(*args: str) -> dict:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
