"""A broken XLSForm uploaded on the research pages (a new study, a new version) is refused with a
400 whose page names the sheet, row, column and value, as the loader does; nothing is made
(Django's test client; the forms are tests/instrument/broken_forms.py). An expression the web
survey cannot evaluate is refused with the message ``afstand instrument check`` gives."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.instrument.form_logic import check_instrument
from afstand.web.models import InstrumentVersion, Study
from tests.instrument.broken_forms import BROKEN, BROKEN_LOGIC, FINE, GENERIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42", is_staff=True)
    client.force_login(user)
    return user


def _page(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode("utf-8")))


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.name)
def test_a_broken_form_is_refused_with_its_place(client, owner, case):
    response = client.post(
        "/onderzoek/nieuw/",
        {"title": "Fout", "slug": "fout", "instrument": "fout", "xlsform": SimpleUploadedFile(case.filename, case.content())},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Dit ging niet goed" in page or "This did not work" in page
    summary = re.search(r'<div class="summary" role="alert">(.*?)</div>', page).group(1)
    assert re.search(case.expected, summary), summary
    assert not GENERIC.search(summary), summary
    assert Study.objects.count() == 0 and InstrumentVersion.objects.count() == 0


def test_a_broken_new_version_is_refused_and_the_old_one_stays(client, owner):
    made = client.post(
        "/onderzoek/nieuw/",
        {"title": "Goed", "slug": "goed", "instrument": "goed", "xlsform": SimpleUploadedFile("goed.xlsx", FINE["or_other.xlsx"]())},
    )
    assert made.status_code == 302
    case = next(c for c in BROKEN if c.name == "label_without_type")
    response = client.post("/onderzoek/goed/versie/", {"instrument": "goed", "xlsform": SimpleUploadedFile(case.filename, case.content())})
    assert response.status_code == 400 and re.search(case.expected, _page(response)), _page(response)[-2000:]
    assert InstrumentVersion.objects.count() == 1


@pytest.mark.parametrize("case", BROKEN_LOGIC, ids=lambda c: c.name)
def test_an_expression_mistake_is_refused_with_the_checks_message(client, owner, case):
    response = client.post(
        "/onderzoek/nieuw/",
        {"title": "Fout", "slug": "fout", "instrument": "fout", "xlsform": SimpleUploadedFile(case.filename, case.content())},
    )
    assert response.status_code == 400
    summary = re.search(r'<div class="summary" role="alert">(.*?)</div>', _page(response)).group(1)
    assert re.search(case.expected, summary) and not GENERIC.search(summary), summary
    (message,) = check_instrument(case.content(), name=case.filename).refusals()  # `afstand instrument check`
    assert " ".join(message.split()) in summary
    assert Study.objects.count() == 0 and InstrumentVersion.objects.count() == 0


def test_an_expression_mistake_in_a_new_version_is_refused(client, owner):
    made = client.post(
        "/onderzoek/nieuw/",
        {"title": "Goed", "slug": "goed", "instrument": "goed", "xlsform": SimpleUploadedFile("goed.xlsx", FINE["or_other.xlsx"]())},
    )
    assert made.status_code == 302
    case = BROKEN_LOGIC[0]
    response = client.post("/onderzoek/goed/versie/", {"instrument": "goed", "xlsform": SimpleUploadedFile(case.filename, case.content())})
    assert response.status_code == 400 and re.search(case.expected, _page(response)), _page(response)[-2000:]
    assert InstrumentVersion.objects.count() == 1
