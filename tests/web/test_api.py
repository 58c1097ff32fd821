"""The JSON submission API: idempotent, validated on the server, anonymous."""

from __future__ import annotations

import csv
import json
import uuid

import pytest
from django.db import connection

from afstand.services import studies, submissions
from afstand.web.models import Counter, Response
from afstand.web.respondent import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return studies.load_demo()


def post(client, instrument, body, **extra):
    return client.post(f"/api/v1/surveys/{instrument}/responses", data=json.dumps(body), content_type="application/json", **extra)


def test_submit_then_resubmit_is_idempotent(client, demo):
    body = {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": 40, "c_gender": "man"}}
    first = post(client, "clienten", body)
    assert first.status_code == 201
    code = first.json()["withdrawal_code"]
    assert len(code.replace("-", "")) == 17  # 80 bits of Crockford base-32 and a check character
    second = post(client, "clienten", body)
    assert second.status_code == 200 and second.json() == {"withdrawal_code": code}
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.answers == {"consent": "ja", "c_age": "40", "c_gender": "man"}
    assert stored.instrument_version.version_id.startswith("clienten@")
    assert "set-cookie" not in {k.lower() for k in first.headers}


def test_every_consented_reference_row_is_accepted(client, demo, study_files):
    """The reference study's rows when ../shared is there, else the seeded demo study's."""
    with study_files["clienten"].open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["consent"] == "ja"]
    for row in rows:
        answers = {k: v for k, v in row.items() if k != "response_id" and v}
        result = post(client, "clienten", {"instance_id": str(uuid.uuid4()), "answers": answers})
        assert result.status_code == 201, (row["response_id"], result.json())
    assert Response.objects.count() == len(rows) > 0  # every consented row of the file, counted from the file


def test_invalid_answers_get_per_item_errors(client, demo):
    body = {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": "oud", "c_gender": "misschien", "zz": 1}}
    result = post(client, "clienten", body)
    assert result.status_code == 400
    errors = result.json()["errors"]
    assert {k: v["code"] for k, v in errors.items()} == {"c_age": "not_a_number", "c_gender": "not_a_choice", "zz": "unknown_item"}
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    "body,status",
    [
        (b"not json", 400),
        (json.dumps({"answers": {"consent": "ja"}}).encode(), 400),
        (json.dumps({"instance_id": "123", "answers": {"consent": "ja"}}).encode(), 400),
        (json.dumps({"instance_id": str(uuid.uuid4()), "answers": []}).encode(), 400),
        (json.dumps({"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_open_tips": "x" * 300_000}}).encode(), 413),
    ],
)
def test_bad_bodies(client, demo, body, status):
    result = client.post("/api/v1/surveys/clienten/responses", data=body, content_type="application/json")
    assert result.status_code == status
    assert Response.objects.count() == 0


def test_unknown_survey_and_method(client, demo):
    assert post(client, "onbekend", {"instance_id": str(uuid.uuid4()), "answers": {}}).status_code == 404
    assert client.get("/api/v1/surveys/clienten/responses").status_code == 405


def test_declined_consent_only_counts(client, demo):
    result = post(client, "werkers", {"instance_id": str(uuid.uuid4()), "answers": {"consent": "nee"}})
    assert result.status_code == 201 and result.json()["stored"] is False
    assert Response.objects.count() == 0
    assert Counter.objects.get(instrument="werkers", kind="declined").value == 1


def test_withdrawal_deletes_and_counts(client, demo):
    code = post(client, "clienten", {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja"}}).json()["withdrawal_code"]
    assert submissions.withdraw(code.lower()) is True
    assert Response.objects.count() == 0
    assert submissions.withdraw(code) is False
    assert Counter.objects.get(instrument="clienten", kind="withdrawn").value == 1


def test_responses_store_nothing_identifying(client, demo):
    post(
        client,
        "clienten",
        {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": 33}},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Mozilla/5.0 secret-agent",
    )
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), Response._meta.db_table)}
    assert columns == {"id", "instrument_version_id", "instance_id", "public_id", "answers", "submitted_on", "channel", "withdrawal_hash"}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            dump = repr(cursor.fetchall())
            assert "203.0.113.77" not in dump and "secret-agent" not in dump, table
    assert Response._meta.get_field("submitted_on").get_internal_type() == "DateField"


def test_rate_limit(client, demo, settings, monkeypatch):
    """Three per window per address: the clock is the limiter's own, stepped here, never the wall clock."""
    settings.AFSTAND_RATE_LIMIT, settings.AFSTAND_RATE_WINDOW = 3, 60
    now = [6000.0]  # the start of a window
    monkeypatch.setattr(api.SUBMISSIONS, "clock", lambda: now[0])

    def send(address="198.51.100.9"):
        return post(client, "clienten", {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja"}}, REMOTE_ADDR=address).status_code

    assert [send() for _ in range(5)] == [201, 201, 201, 429, 429]
    assert send("198.51.100.10") == 201  # another address has its own count
    now[0] += 59  # still the same window
    assert send() == 429
    now[0] += 1  # the next window
    assert [send() for _ in range(4)] == [201, 201, 201, 429]


def test_purge_keeps_recent_data(demo):
    import datetime as dt

    from afstand.web.models import AuditEvent, SignUp

    version = studies.active_version(demo.slug, "clienten")
    today = dt.date(2026, 6, 1)
    submissions.submit(version, uuid.uuid4(), {"consent": "ja"}, today=dt.date(2025, 1, 1))
    submissions.submit(version, uuid.uuid4(), {"consent": "ja"}, today=dt.date(2026, 5, 30))
    SignUp.objects.create(study=demo, purpose="loterij", name="A", email="a@example.org", signed_up_on=dt.date(2025, 1, 2))
    assert submissions.purge(365, today=today) == {"responses": 1, "signups": 1}
    assert Response.objects.count() == 1 and SignUp.objects.count() == 0
    assert AuditEvent.objects.filter(action="purge").count() == 1
