"""A real server on 127.0.0.1 for end-to-end and browser tests."""

from __future__ import annotations

import os

import pytest

from tests.web import live
from tests.web.live import free_port


@pytest.fixture
def coded_study(db, reference):
    """The demo study with the first 60 reference workers stored: open answers to code."""
    import csv
    import uuid

    from afstand.services import studies, submissions

    study = studies.load_demo()
    version = studies.active_version(study.slug, "werkers")
    with (reference / "werkers.csv").open(encoding="utf-8") as handle:
        for row in list(csv.DictReader(handle))[:60]:
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") == "ja":
                submissions.submit(version, uuid.uuid4(), answers)
    return study


@pytest.fixture
def server_db(tmp_path):
    """A fresh database for a live server: SQLite, or a new PostgreSQL database when the suite runs on PostgreSQL."""
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


@pytest.fixture
def server(tmp_path, server_db):
    port = free_port()
    process = live.start(server_db, tmp_path, port)
    yield f"http://127.0.0.1:{port}", server_db, live.server_env(tmp_path), process
    if process.poll() is None:
        live.stop(process)
