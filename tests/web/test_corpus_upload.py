"""Every form of ../shared/xlsform-corpus (without it: the study folders' XLSForms) uploads without a 5xx: made (302) or refused with its list (400)."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.instrument.loader import check_instrument
from afstand.web.models import InstrumentVersion, Study
from tests.helpers import EACH_FORM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_corpus_form_upload(client, name):
    """Every form of the corpus; without ../shared, every XLSForm of the study folders."""
    path = EACH_FORM[name]
    user = User.objects.filter(username="eigenaar").first() or User.objects.create_user(
        "eigenaar", password="Een-lang-wachtwoord-42", is_staff=True
    )
    client.force_login(user)
    before = (Study.objects.count(), InstrumentVersion.objects.count())
    response = client.post(
        "/onderzoek/nieuw/",
        {"title": "Corpus", "slug": "corpus", "instrument": "corpus", "xlsform": SimpleUploadedFile(name, path.read_bytes())},
    )
    assert response.status_code in (302, 400), response.status_code
    report = check_instrument(path)
    if response.status_code == 400:  # refused by `afstand instrument check` too, with the same lines
        assert (Study.objects.count(), InstrumentVersion.objects.count()) == before
        page = " ".join(html.unescape(response.content.decode("utf-8")).split())
        assert not report.accepted
        assert any(" ".join(line.removeprefix(str(path)).split()) in page for line in report.refusals()), page[-3000:]
    else:
        assert report.accepted
        assert Study.objects.filter(slug="corpus").exists()
