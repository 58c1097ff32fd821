"""``jr:choice-name()`` on the respondent's pages of a form in two languages: the label in the
language the respondent chose (the page, its server-side check and its script), stored in the
form's default language (Django's test client; the language is chosen with ``?lang=``)."""

from __future__ import annotations

import html
import re

import pytest

from afstand.services import studies
from afstand.web.models import Response, Study
from tests.helpers import h1, step

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | calculation | constraint |
| | begin_group | keuze | Keuze | Choice | | |
| | select_one kleur | colour | Lievelingskleur | Favourite colour | | |
| | end_group | | | | | |
| | calculate | colour_label | | | jr:choice-name(${colour}, '${colour}') | |
| | begin_group | verder | Verder | Further | | |
| | note | shown | Je koos ${colour_label} | You chose ${colour_label} | | |
| | text | other | Een andere kleur dan je koos | A colour other than yours | | . != jr:choice-name(${colour}, '${colour}') |
| | end_group | | | | | |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) |
| | kleur | groen | Groen | Green |
| | kleur | blauw | Blauw | Blue |
| settings |
| | form_title | form_id | default_language |
| | Kleuren | kleuren | Nederlands (nl) |
"""


def _text(page) -> str:
    return re.sub(r"\s+", " ", html.unescape(page.content.decode()))


@pytest.mark.parametrize(
    ("lang", "note", "own", "other"), [("en", "You chose Green", "Green", "Groen"), ("nl", "Je koos Groen", "Groen", "Green")]
)
def test_choice_name_follows_the_respondents_language(client, lang, note, own, other):
    study = Study.objects.create(slug="kleuren", title="Kleuren")
    studies.add_version(study, "kleuren", "kleuren.md", FORM)
    first = client.get(f"/s/kleuren/kleuren?lang={lang}")
    assert first.status_code == 200 and f'<html lang="{lang}">' in first.content.decode()
    second = step(client, first, colour="groen")
    shown = _text(second)
    assert note in shown  # the calculation shown in a label, in the page's language
    assert f'"groen": "{own}"' in shown  # the page script's jr:choice-name() labels: the same language
    refused = step(client, second, other=own)  # the server's check of the page reads the same label
    assert 'id="errors"' in refused.content.decode() and "/verder/" in refused.request["PATH_INFO"]
    review = step(client, refused, other=other)
    assert h1(review) == {"en": "Check your answers", "nl": "Controleer je antwoorden"}[lang], _text(review)[-1500:]
    sent = client.post(re.search(r'<form method="post" action="([^"]+)"', review.content.decode()).group(1), {"action": "send"})
    assert sent.status_code == 303 and "withdrawal-code" in client.get(sent["Location"]).content.decode()
    stored = Response.objects.get().answers
    assert stored == {"colour": "groen", "colour_label": "Groen", "other": other}  # stored as the analysis reads it: Dutch
