"""Django i18n: Dutch by default, English second; the compiled catalogue matches its source."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import afstand.web

LOCALE = Path(afstand.web.__file__).parent / "locale" / "nl" / "LC_MESSAGES"


def test_every_message_has_a_dutch_translation():
    from babel.messages.pofile import read_po

    with (LOCALE / "django.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    ids = [m for m in catalogue if m.id]
    assert len(ids) > 100
    untranslated = [m.id for m in ids if not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []
    assert not [m.id for m in ids if m.fuzzy]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (scripts/system-deps.sh installs it) is missing")
def test_compiled_catalogue_is_up_to_date(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(LOCALE / "django.po")], check=True)
    assert out.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run: cd src/afstand/web && django-admin compilemessages"


@pytest.mark.django_db
def test_researcher_pages_follow_the_browser_language(client):
    from django.contrib.auth.models import User

    User.objects.create_user("r", password="Een-lang-wachtwoord-42")
    client.login(username="r", password="Een-lang-wachtwoord-42")
    assert "Jouw onderzoeken" in client.get("/onderzoek/").content.decode()
    english = client.get("/onderzoek/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your studies" in english and '<html lang="en">' in english


@pytest.mark.django_db
def test_respondent_texts_and_form_messages_in_both_languages(client):
    from afstand.services import studies

    studies.load_demo()
    bad = client.post("/aanmelden/werken-op-afstand?lang=en", {"purpose": "loterij", "name": "X", "email": "nope", "lang": "en"})
    assert "Enter a valid email address." in bad.content.decode()
    bad_nl = client.post("/aanmelden/werken-op-afstand", {"purpose": "loterij", "name": "X", "email": "nope"})
    assert "Voer een geldig e-mailadres in." in bad_nl.content.decode()
