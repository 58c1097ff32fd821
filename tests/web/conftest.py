"""A real server on 127.0.0.1 for end-to-end and browser tests."""

from __future__ import annotations

import pytest

from tests.web import live


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
def server(tmp_path, server_db):
    process = live.start(server_db, tmp_path)
    port = process.port
    yield f"http://127.0.0.1:{port}", server_db, live.server_env(tmp_path), process
    if process.poll() is None:
        live.stop(process)
