"""The real server end to end (127.0.0.1 only): serve → submit → export → analyze."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli


def post(base: str, instrument: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base}/api/v1/surveys/{instrument}/responses",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_submit_export_analyze(server, study_files, study_results, tmp_path):
    """The reference study's clients when ../shared is there (checked against its expected JSON), else the demo study's."""
    base, db, env, process = server
    with study_files["clienten"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        answers = {k: v for k, v in row.items() if k != "response_id" and v}
        status, body = post(base, "clienten", {"instance_id": str(uuid.uuid4()), "answers": answers})
        assert status == 201, body
    out = tmp_path / "export.csv"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("afstand")),
            "export",
            "--instrument",
            "clienten",
            "--db",
            db,
            "--format",
            "csv",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    exported = list(csv.DictReader(out.open(encoding="utf-8")))
    consented = [r for r in rows if r["consent"] == "ja"]
    assert len(exported) == len(consented) < len(rows)  # consented rows stored; the declined ones only counted
    assert set(exported[0]) >= {"response_id", "instrument_version", "submission_date", "c_age"}
    assert "channel" not in exported[0]  # respondent metadata: only the version and the date
    assert all(len(r["submission_date"]) == 10 for r in exported)  # a date, no time
    analysis = run_cli("analyze", "--instrument", "clienten", "--data", str(out), "--json")
    assert analysis.returncode == 0, analysis.stderr
    got = json.loads(analysis.stdout)
    expected_file = study_files["clienten"].with_name("expected-clienten.json")
    expected = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.is_file() else study_results["clienten"]
    assert got["n_consented"] == expected["n_consented"] == len(consented)
    for name, entry in expected["items"].items():
        if entry["type"] in ("select_one", "select_multiple"):
            assert {k: v for k, v in got["items"][name]["counts"].items() if v} == {k: v for k, v in entry["counts"].items() if v}, name
    assert process.poll() is None
    process.terminate()
    stdout, stderr = process.communicate(timeout=20)
    assert "127.0.0.1" not in stdout + stderr.replace(base, "")  # no access log: no client address, anywhere
    assert "POST /api" not in stdout + stderr


def test_createuser(tmp_path, server_db):
    env = {**os.environ, "AFSTAND_VAR": str(tmp_path), "AFSTAND_PASSWORD": "Een-lang-wachtwoord-42"}
    env.pop("AFSTAND_TESTING", None)
    exe = str(Path(sys.executable).with_name("afstand"))
    db = server_db
    made = subprocess.run([exe, "createuser", "--username", "anna", "--role", "owner", "--db", db], env=env, capture_output=True, text=True)
    assert made.returncode == 0 and "anna: owner of werken-op-afstand" in made.stdout, made.stderr
    weak = subprocess.run(
        [exe, "createuser", "--username", "bob", "--db", db], env={**env, "AFSTAND_PASSWORD": "123"}, capture_output=True, text=True
    )
    assert weak.returncode == 2 and weak.stderr.startswith("afstand: error: password:")


@pytest.mark.django_db(transaction=True)
def test_workers_never_inherit_the_masters_database_connection(monkeypatch):
    """gunicorn forks workers after the master migrated over its own connection; an inherited
    socket is shared by two processes (on PostgreSQL: crossed results and 500s under load)."""
    from django.db import connection
    from gunicorn.app.base import BaseApplication

    from afstand.web.config import server

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django never closes an in-memory SQLite test database; this runs in the PostgreSQL pass")
    seen = {}

    def run(app):
        seen["open_at_fork"] = connection.connection is not None
        connection.ensure_connection()  # as if the master touched it again: the post_fork hook must close it
        app.cfg.post_fork(None, None)
        seen["open_in_worker"] = connection.connection is not None

    connection.ensure_connection()
    monkeypatch.setattr(BaseApplication, "run", run)
    server.serve("127.0.0.1", 0, 1)
    assert seen == {"open_at_fork": False, "open_in_worker": False}
