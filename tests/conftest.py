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


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory):
    """Compiled instruments and columnar copies go to a cache of this test session, not the user's."""
    import os

    previous = os.environ.get("AFSTAND_CACHE_DIR")
    os.environ["AFSTAND_CACHE_DIR"] = str(tmp_path_factory.mktemp("afstand-cache"))
    yield
    if previous is None:
        os.environ.pop("AFSTAND_CACHE_DIR", None)
    else:
        os.environ["AFSTAND_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def reference() -> Path:
    if not (REFERENCE / "items.csv").is_file():
        pytest.skip("../shared/reference-study is not present")
    return REFERENCE


@pytest.fixture(scope="session")
def study():
    from afstand.study import find_study

    return find_study()


DEMO_SEED = 2021


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory, study) -> dict[str, Path]:
    """The seeded demo study as canonical CSV files (``afstand demo-data`` with the study's sizes and seed
    2021): what the tests that must run anywhere (without ../shared) read."""
    from afstand.demo import write_study

    sizes = {name: int(n) for name, n in study.config["demo"]["sizes"].items()}
    return write_study(study, tmp_path_factory.mktemp("demo"), sizes, seed=DEMO_SEED)


@pytest.fixture(scope="session")
def demo_results(demo_data, study):
    """analyze() of the demo study's files, computed once."""
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses

    return {name: analyze(load_responses(path, study.instrument(name)), name=name, study=study) for name, path in demo_data.items()}


@pytest.fixture(scope="session")
def study_files(request) -> dict[str, Path]:
    """The study's response files for data-independent tests: the reference study when ../shared is
    there, else the seeded demo study, so the same assertions run anywhere (issue 12, item 8)."""
    if (REFERENCE / "items.csv").is_file():
        return {name: REFERENCE / f"{name}.csv" for name in ("werkers", "clienten")}
    return request.getfixturevalue("demo_data")


@pytest.fixture(scope="session")
def study_results(request):
    """analyze() of :func:`study_files`: the reference study's results, else the demo study's."""
    if (REFERENCE / "items.csv").is_file():
        return request.getfixturevalue("reference_results")
    return request.getfixturevalue("demo_results")


@pytest.fixture(scope="session")
def demo_codings(tmp_path_factory) -> Path:
    """Coded open answers to W1 and W2 as a coded-answers JSONL file: the labelled sample of
    tests/helpers.py (:func:`tests.helpers.demo_open_answers`), made without ../shared."""
    from tests.helpers import demo_open_answers

    path = tmp_path_factory.mktemp("open-answers") / "open-answers.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in demo_open_answers()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def open_answers(request) -> Path:
    """Hand-coded open answers to W1 and W2: the reference study's open-answers.jsonl when
    ../shared is there, else :func:`demo_codings`, so the coding tests run anywhere."""
    if (REFERENCE / "open-answers.jsonl").is_file():
        return REFERENCE / "open-answers.jsonl"
    return request.getfixturevalue("demo_codings")


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


@pytest.fixture
def server_db(tmp_path):
    """A fresh database for a live server or a command: SQLite, or a new PostgreSQL database when the suite runs on PostgreSQL."""
    url = os.environ.get("AFSTAND_DB_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
        return
    import uuid

    import psycopg

    name = f"afstand_live_{uuid.uuid4().hex[:10]}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script the way a user does."""
    exe = Path(sys.executable).with_name("afstand")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "afstand.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, cwd=cwd, timeout=300)


def cli_json(*args: str) -> dict:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
