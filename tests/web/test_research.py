"""The researcher side: login required everywhere, object-level permissions, exports, audit."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver

from afstand.services import studies, submissions
from afstand.web.models import AuditEvent, Membership, Study

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    for channel in ("whatsapp", "whatsapp", "mail"):
        submissions.submit(version, uuid.uuid4(), {"consent": "ja", "c_age": 40}, channel=channel)
    return study


def user_with(role: str | None, study: Study | None, name: str = "onderzoeker") -> User:
    user = User.objects.create_user(name, password="Een-lang-wachtwoord-42")
    if role and study:
        Membership.objects.create(user=user, study=study, role=role)
    return user


def researcher_urls() -> list[str]:
    fill = {"study": "werken-op-afstand", "instrument": "clienten", "fmt": "csv", "document": "rapport", "question": "W1", "wave": "2021"}
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("onderzoek/") and p.name not in ("login", "logout"):
                    for key, value in fill.items():
                        route = route.replace(f"<slug:{key}>", value).replace(f"<str:{key}>", value)
                    urls.append("/" + route)

    walk(get_resolver().url_patterns)
    return urls


def test_every_researcher_url_refuses_anonymous_users(client, demo):
    urls = researcher_urls()
    assert "/onderzoek/werken-op-afstand/export/clienten.csv" in urls and len(urls) >= 3
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/onderzoek/inloggen/"), url


def test_users_of_other_studies_and_coders_are_refused(client, demo):
    other = Study.objects.create(slug="ander-onderzoek", title="Ander")
    client.force_login(user_with("owner", other))
    assert client.get("/onderzoek/werken-op-afstand/").status_code == 403
    assert client.get("/onderzoek/werken-op-afstand/export/clienten.csv").status_code == 403
    client.force_login(user_with("coder", demo, "codeur"))
    assert client.get("/onderzoek/werken-op-afstand/").status_code == 200
    assert client.get("/onderzoek/werken-op-afstand/export/clienten.csv").status_code == 403


def test_every_study_url_refuses_users_of_other_studies(client, demo):
    other = Study.objects.create(slug="ander-onderzoek", title="Ander")
    client.force_login(user_with("owner", other))
    urls = [u for u in researcher_urls() if u.startswith("/onderzoek/werken-op-afstand/")]
    assert len(urls) >= 12
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"action": "code"}).status_code == 403, url


def test_monitor_export_and_audit(client, demo):
    user_with("analyst", demo)
    assert client.post("/onderzoek/inloggen/", {"username": "onderzoeker", "password": "Een-lang-wachtwoord-42"}).status_code == 302
    page = client.get("/onderzoek/werken-op-afstand/").content.decode()
    assert 'id="total-clienten">3<' in page and "van minimaal 50" in page
    assert "whatsapp" in page and "mail" in page
    download = client.get("/onderzoek/werken-op-afstand/export/clienten.csv")
    assert download.status_code == 200 and download["Content-Disposition"] == 'attachment; filename="clienten.csv"'
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))  # the spreadsheet layout starts with a BOM
    assert len(rows) == 3 and list(rows[0])[:3] == ["response_id", "instrument_version", "submission_date"]
    assert "channel" not in rows[0]  # shown as counts in the monitor only
    xlsx = client.get("/onderzoek/werken-op-afstand/export/clienten.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    actions = list(AuditEvent.objects.values_list("user", "action"))
    assert ("onderzoeker", "login") in actions and actions.count(("onderzoeker", "export")) == 2


def test_csrf_is_enforced_on_cookie_forms(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/onderzoek/inloggen/", {"username": "x", "password": "y"}).status_code == 403
    strict.force_login(user_with("owner", demo))  # a session cookie: every researcher POST needs the token
    urls = researcher_urls() + ["/onderzoek/nieuw/", "/onderzoek/uitloggen/"]
    for url in urls:
        assert strict.post(url, {"action": "code", "code": "W1/angst"}).status_code == 403, url
    # respondent forms use no cookie at all (nothing for a forged request to ride on), so they need no token
    withdraw = strict.post("/intrekken", {"code": "X"})
    assert withdraw.status_code == 400 and not withdraw.cookies  # too short to be a code
    signup = strict.post("/aanmelden/werken-op-afstand", {"purpose": "loterij"})
    assert signup.status_code == 400 and not signup.cookies


def test_sav_export_reads_back_with_labels(client, demo, tmp_path):
    import pyreadstat

    version = studies.active_version(demo.slug, "clienten")
    submissions.submit(
        version, uuid.uuid4(), {"consent": "ja", "c_gender": "vrouw", "c_contact_type": "toezicht werkstraf", "c_contact_years": "1,5"}
    )
    client.force_login(user_with("owner", demo))
    download = client.get("/onderzoek/werken-op-afstand/export/clienten.sav")
    assert download.status_code == 200
    path = tmp_path / "clienten.sav"
    path.write_bytes(download.content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 4
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["c_gender"] == "Ben je een man of een vrouw?"  # the version answered: the B1 wording (2026)
    assert meta.variable_value_labels["c_gender"] == {1.0: "Man", 2.0: "Vrouw", 3.0: "Anders / zeg ik liever niet"}
    row = frame[frame["c_gender"] == 2.0].iloc[0]
    assert row["c_contact_type"] == "toezicht werkstraf" and row["c_contact_type_toezicht"] == 1.0 and row["c_contact_type_advies"] == 0.0
    assert row["c_contact_years"] == 1.5
    assert labels["c_contact_type_werkstraf"] == "Waarvoor heb je contact met de reclassering?: Werkstraf"
