"""Browsing responses: read-only, paged, filtered by version, date, channel and a search; small channel groups hidden."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import studies, submissions
from afstand.web.models import AuditEvent, Membership, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    day = dt.date(2024, 3, 1)
    for i in range(12):
        submissions.submit(
            version,
            uuid.uuid4(),
            {"consent": "ja", "c_age": 30 + i, "c_gender": "vrouw" if i % 2 else "man"},
            channel="whatsapp",
            today=day,
        )
    for i in range(3):
        submissions.submit(
            version,
            uuid.uuid4(),
            {"consent": "ja", "c_age": 60, "c_open_tips": f"Meer bellen {i}"},
            channel="mail",
            today=day + dt.timedelta(days=5),
        )
    return study


def login(client, study, role):
    user = User.objects.create_user(f"u-{role}", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)


def test_table_filters_and_pages(client, demo):
    login(client, demo, "analyst")
    url = "/onderzoek/werken-op-afstand/antwoorden/clienten/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="response"') == 15 and "Vrouw" in text  # choice labels, not names
    assert client.get(url, {"zoek": "meer bellen"}).content.decode().count('class="response"') == 3
    assert client.get(url, {"van": "2024-03-03"}).content.decode().count('class="response"') == 3
    assert client.get(url, {"tot": "2024-03-01"}).content.decode().count('class="response"') == 12
    version = studies.active_version(demo.slug, "clienten").version_id
    assert client.get(url, {"versie": version}).content.decode().count('class="response"') == 15
    assert client.get(url, {"versie": "other@1"}).content.decode().count('class="response"') == 0
    # a channel with at least the minimum group size is shown, a smaller one is not
    assert client.get(url, {"kanaal": "whatsapp"}).content.decode().count('class="response"') == 12
    small = client.get(url, {"kanaal": "mail"}).content.decode()
    assert 'id="suppressed"' in small and 'class="response"' not in small and "Meer bellen" not in small
    assert AuditEvent.objects.filter(action="browse").exists()


def test_paging(client, demo, monkeypatch):
    from afstand.services import browse

    monkeypatch.setattr(browse, "PAGE_SIZE", 4)
    login(client, demo, "owner")
    url = "/onderzoek/werken-op-afstand/antwoorden/clienten/"
    seen = []
    for number in (1, 2, 3, 4):
        text = client.get(url, {"pagina": number}).content.decode()
        seen += [line for line in text.split('<tr class="response">')[1:]]
    assert len(seen) == 15 and len(set(seen)) == 15
    assert 'rel="next"' not in client.get(url, {"pagina": 4}).content.decode()
    assert client.get(url, {"pagina": "x"}).status_code == 200


def test_read_only_and_roles(client, demo):
    url = "/onderzoek/werken-op-afstand/antwoorden/clienten/"
    assert client.get(url).status_code == 302  # login first
    login(client, demo, "coder")
    assert client.get(url).status_code == 403
    before = Response.objects.count()
    assert client.post(url, {"zoek": "x"}).status_code in (403, 405)
    assert Response.objects.count() == before
    assert client.get("/onderzoek/werken-op-afstand/antwoorden/onbekend/").status_code in (403, 404)
