"""A study made in the web app gets a codebook by upload (CSV or .qdc) and can then be coded."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.coding.codebook import Code, Codebook
from afstand.coding.refi import write_qdc
from afstand.services import studies, submissions
from afstand.web.models import Coding, Membership, UploadedCodebook

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label |
| | select_one yn | consent | Doe je mee? |
| | text | waarom | Waarom doe je mee? |
| | text | tips | Heb je tips? |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
| settings |
| | form_id | consent_choice |
| | peiling | |
"""


@pytest.fixture
def web_study(client):
    owner = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42", is_staff=True)
    client.force_login(owner)
    made = client.post(
        "/onderzoek/nieuw/",
        {"title": "Peiling", "slug": "peiling", "instrument": "peiling", "xlsform": SimpleUploadedFile("peiling.md", FORM)},
    )
    assert made.status_code == 302
    version = studies.active_version("peiling", "peiling")
    for text in ("Omdat het belangrijk is", "Voor de bon"):
        submissions.submit(version, uuid.uuid4(), {"consent": "ja", "waarom": text})
    return owner


CSV = "question,code,label_nl,description_nl\nwaarom,belang,Belangrijk gevonden,\nwaarom,beloning,Voor de beloning,\n"


def test_csv_codebook_makes_the_study_codable(client, web_study):
    monitor = client.get("/onderzoek/peiling/").content.decode()
    assert "/onderzoek/peiling/codeboek/" in monitor and "/coderen/" not in monitor.split("codeboek")[0][-200:]
    page = client.post("/onderzoek/peiling/codeboek/", {"codebook": SimpleUploadedFile("codes.csv", CSV.encode())})
    assert page.status_code == 302 and page["Location"] == "/onderzoek/peiling/coderen/"
    overview = client.get("/onderzoek/peiling/coderen/").content.decode()
    assert 'href="/onderzoek/peiling/coderen/waarom/"' in overview
    queue = client.get("/onderzoek/peiling/coderen/waarom/").content.decode()
    public_id = re.search(r'name="response" value="([0-9a-f]+)"', queue).group(1)
    client.post("/onderzoek/peiling/coderen/waarom/", {"response": public_id, "action": "code", "code": "belang"})
    assert Coding.objects.filter(study__slug="peiling", code="belang").count() == 1


def test_qdc_from_another_tool_goes_to_the_chosen_question(client, web_study):
    buffer = io.BytesIO()
    write_qdc(Codebook("x", [Code("qda", "tip", "Een tip"), Code("qda", "klacht", "Een klacht", parent="tip")]), buffer)
    missing = client.post("/onderzoek/peiling/codeboek/", {"codebook": SimpleUploadedFile("codes.qdc", buffer.getvalue())})
    assert missing.status_code == 400 and "choose the open question" in missing.content.decode()
    done = client.post("/onderzoek/peiling/codeboek/", {"codebook": SimpleUploadedFile("codes.qdc", buffer.getvalue()), "item": "tips"})
    assert done.status_code == 302
    stored = UploadedCodebook.objects.get(study__slug="peiling").content
    # ids from the names (a .qdc of another tool has none of afstand's), hierarchy kept
    assert "tips,een_tip,Een tip,,,,," in stored and "tips,een_klacht,Een klacht,,,een_tip,," in stored


def test_bad_codebooks_are_refused_and_nothing_is_stored(client, web_study):
    for name, content, message in [
        ("codes.csv", b"question,code,label_nl\nonbekend,x,X\n", "not open questions of this study"),
        ("codes.csv", b"\xff\xfe", "not UTF-8"),
        ("codes.json", b"{}", "expected a codebook .csv"),
        ("codes.qdc", b"<nope", "not well-formed XML"),
    ]:
        response = client.post("/onderzoek/peiling/codeboek/", {"codebook": SimpleUploadedFile(name, content)})
        assert response.status_code == 400 and message in response.content.decode(), name
    assert not UploadedCodebook.objects.exists()


def test_only_owners_and_not_for_study_folders(client, web_study):
    studies.load_demo()
    Membership.objects.create(user=web_study, study=studies.study_by_slug("werken-op-afstand"), role="owner")
    assert client.get("/onderzoek/werken-op-afstand/codeboek/").status_code == 400
    analyst = User.objects.create_user("analist", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=analyst, study=studies.study_by_slug("peiling"), role="analyst")
    client.force_login(analyst)
    assert client.get("/onderzoek/peiling/codeboek/").status_code == 403
