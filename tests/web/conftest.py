"""A real server on 127.0.0.1 for end-to-end and browser tests."""

from __future__ import annotations

import pytest

from tests.web import live


@pytest.fixture
def coded_study(db, demo_data):
    """The demo study with the first 60 workers of the seeded demo data stored: open answers to code (no ../shared needed)."""
    import csv
    import uuid

    from afstand.services import studies, submissions

    study = studies.load_demo()
    version = studies.active_version(study.slug, "werkers")
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        for row in list(csv.DictReader(handle))[:60]:
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") == "ja":
                assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    return study


@pytest.fixture
def server(tmp_path, server_db):
    process = live.start(server_db, tmp_path)
    port = process.port
    yield f"http://127.0.0.1:{port}", server_db, live.server_env(tmp_path), process
    if process.poll() is None:
        live.stop(process)


@pytest.fixture(autouse=True)
def _private_spool_and_limits(request, settings, tmp_path):
    """Every test gets its own sign-up spool and rate-limit salt (never the working directory's var/)
    and fresh rate-limit counters (a transactional test's flush does not empty the cache tables;
    other database tests roll them back)."""
    settings.AFSTAND_SIGNUP_SPOOL = str(tmp_path / "signup-spool")
    settings.AFSTAND_LIMIT_SALT_DIR = str(tmp_path / "limit-salt")
    if settings.CACHES["limits"]["BACKEND"].endswith("FileCounts"):  # the respondents' counters: files, fresh per test
        settings.CACHES = {**settings.CACHES, "limits": {**settings.CACHES["limits"], "LOCATION": str(tmp_path / "limits")}}
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        from afstand.web import ratelimit

        ratelimit.reset()
