"""A researcher uploads a LimeSurvey survey structure (.lss) on the research pages: it becomes a study's
questionnaire like an XLSForm (the same version id, the web survey in its languages), the warnings
about what was not converted are shown, and a .lss afstand cannot take is refused with a 400 naming
the question and its type."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.instrument.loader import load_instrument
from afstand.services import studies
from afstand.web.models import InstrumentVersion, Study

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "instrument" / "data"
LSS6, LSS3 = DATA / "limesurvey6_survey.lss", DATA / "limesurvey3_survey.lss"


@pytest.fixture
def researcher(client):
    client.force_login(User.objects.create_user("onderzoeker", password="Een-lang-wachtwoord-42", is_staff=True))
    return client


def upload(client, path: Path, content: bytes | None = None, slug: str = "lime-2024"):
    return client.post(
        "/onderzoek/nieuw/",
        {
            "title": "Uit LimeSurvey",
            "slug": slug,
            "instrument": "werk",
            "xlsform": SimpleUploadedFile(path.name, path.read_bytes() if content is None else content),
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )


def test_a_lss_upload_makes_a_study_whose_survey_is_the_limesurvey_survey(researcher):
    created = upload(researcher, LSS6)
    assert created.status_code == 302 and created["Location"] == "/onderzoek/lime-2024/"
    version = studies.active_version("lime-2024", "werk")
    assert version.version_id == load_instrument(LSS6).version_id
    stored = InstrumentVersion.objects.get(version_id=version.version_id)
    assert stored.filename == LSS6.name and bytes(stored.xlsform) == LSS6.read_bytes()  # the .lss itself is kept
    page = html.unescape(researcher.get(created["Location"], HTTP_ACCEPT_LANGUAGE="nl").content.decode())
    assert "Waarschuwingen bij het geüploade formulier" in page
    assert "question NOTES: relevance equation 'count(ST_SQ001.NAOK) > 0' was not converted" in page
    again = html.unescape(researcher.get(created["Location"], HTTP_ACCEPT_LANGUAGE="nl").content.decode())
    assert "Waarschuwingen bij het geüploade formulier" not in again  # shown once, after the upload
    survey = html.unescape(researcher.get("/s/lime-2024/werk").content.decode())
    assert "Over jou" in survey and "Wat is je leeftijd?" in survey and "Reclassering Nederland" in survey
    english = html.unescape(researcher.get("/s/lime-2024/werk?lang=en").content.decode())
    assert "What is your age?" in english and "Probation Netherlands" in english


def test_a_lss_is_a_new_version_of_a_questionnaire(researcher):
    assert upload(researcher, LSS6).status_code == 302
    added = researcher.post(
        "/onderzoek/lime-2024/versie/", {"instrument": "werk", "xlsform": SimpleUploadedFile(LSS3.name, LSS3.read_bytes())}
    )
    assert added.status_code == 302
    assert studies.active_version("lime-2024", "werk").version_id == load_instrument(LSS3).version_id
    assert InstrumentVersion.objects.filter(study__slug="lime-2024").count() == 2


@pytest.mark.parametrize(
    "content,message",
    [
        (
            LSS6.read_text(encoding="utf-8").replace("<type>D</type>", "<type>|</type>").encode(),
            "question START has type '|' (File upload)",
        ),
        (b"<document><LimeSurveyDocType>Group</LimeSurveyDocType></document>", "a LimeSurvey export of type 'Group', not a survey"),
        (b"no xml at all", "not a LimeSurvey survey structure file (.lss): the XML cannot be read"),
    ],
    ids=["file-upload", "group-export", "not-xml"],
)
def test_a_lss_afstand_cannot_take_is_refused_with_why_and_makes_nothing(researcher, content, message):
    refused = upload(researcher, LSS6, content)
    assert refused.status_code == 400
    assert message in html.unescape(refused.content.decode())
    assert not Study.objects.filter(slug="lime-2024").exists()
