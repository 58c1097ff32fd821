"""The study's coding as a REFI-QDA project from the web app: what was coded comes back on import."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from afstand.coding.refi_import import read_qdpx
from afstand.web.models import Membership, Response

pytestmark = pytest.mark.django_db


def test_coded_answers_download_as_qdpx_and_read_back(client, coded_study):
    coder = User.objects.create_user("codeur", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=coder, study=coded_study, role="coder")
    client.force_login(coder)
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/").content.decode()
    public_id = re.search(r'name="response" value="([0-9a-f]+)"', page).group(1)
    client.post("/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "weerstand", "start": "0", "end": "5"})
    assert client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx").status_code == 403  # an export: owners and analysts
    owner = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=owner, study=coded_study, role="owner")
    client.force_login(owner)
    assert "project.qdpx" in client.get("/onderzoek/werken-op-afstand/coderen/").content.decode()
    download = client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.qdpx"')
    project = read_qdpx(download.content, "download.qdpx")
    [coding] = project.codings
    assert (coding.source, coding.start, coding.end, coding.code, coding.coder) == (public_id, 0, 5, "weerstand", "codeur")
    text = Response.objects.get(public_id=public_id).answers["w_open_types_good"]
    assert project.sources[public_id].text == text.strip() and project.sources[public_id].question == "W1"
    assert {c.question for c in project.codebook.codes} >= {"W1", "W2"}
