"""``${name}`` in what a respondent reads besides labels — a ``constraint_message``, a choice's
label, a group's label (the page title), the label in the error summary, an answer on the review
page — shows the answer, as pyxform's ``<output>`` shows it in ODK, KoboToolbox and Enketo, in
Dutch and English (Django's test client; rev14 finding 7). ``required_message`` and
``guidance_hint`` are not shown by the web survey at all (docs/xlsform.md), so they never show a
``${}`` either. The page script's share (``data-message`` with the references for the script) is
checked here on the page; tests/web/test_survey_references_browser.py types on a phone."""

from __future__ import annotations

import html
import json
import re

import pytest

from afstand.services import studies
from afstand.web.models import Study
from tests.helpers import h1, step

pytestmark = pytest.mark.django_db

# rev14's kleur.md, with a ${} in every text a respondent reads, a message that reads an answer of
# its own page, a repeat and the texts the web survey does not show (required_message, guidance_hint)
FORM = """| survey |
| | type | name | label::English (en) | label::Nederlands (nl) | hint::English (en) | hint::Nederlands (nl) | calculation | constraint | constraint_message::English (en) | constraint_message::Nederlands (nl) | required_message::English (en) | required_message::Nederlands (nl) | guidance_hint | consent_choice | required | repeat_count |
| | select_one yn | consent | Do you take part? | Doe je mee? | | | | | | | | | | ja | yes | |
| | begin_group | p1 | Colour | Kleur | | | | | | | | | | | | |
| | select_one colour | colour | Which colour? | Welke kleur? | | | | | | | | | | | yes | |
| | end_group | | | | | | | | | | | | | | | |
| | calculate | colour_label | | | | | jr:choice-name(${colour}, '${colour}') | | | | | | | | | |
| | begin_group | p2 | Check ${colour_label} | Controle ${colour_label} | | | | | | | | | | | | |
| | note | said | You chose ${colour_label}. | Je koos ${colour_label}. | | | | | | | | | | | | |
| | text | retype | Type ${colour_label} again | Typ ${colour_label} nog eens | Hint ${colour_label} | Tip ${colour_label} | | . = ${colour_label} | Type ${colour_label} | Typ ${colour_label} | Needed: ${colour_label} | Nodig: ${colour_label} | Guide ${colour_label} | | yes | |
| | integer | most | How many at most? | Hoeveel hoogstens? | | | | | | | | | | | | |
| | integer | many | How many? | Hoeveel? | | | | . <= ${most} | At most ${most}, not ${many} | Hoogstens ${most}, niet ${many} | | | | | | |
| | select_one sure | sure | Sure? | Zeker? | | | | | | | | | | | | |
| | end_group | | | | | | | | | | | | | | | |
| | begin_repeat | kids | Child | Kind | | | | | | | | | | | | 1 |
| | integer | k_age | Age of the child | Leeftijd van het kind | | | | . < ${many} | Younger than ${many} (${colour_label}) | Jonger dan ${many} (${colour_label}) | | | | | | |
| | end_repeat | | | | | | | | | | | | | | | |
| choices |
| | list_name | name | label::English (en) | label::Nederlands (nl) |
| | yn | ja | Yes | Ja |
| | yn | nee | No | Nee |
| | colour | groen | Green | Groen |
| | colour | rood | Red | Rood |
| | sure | yes | Yes, ${colour_label} | Ja, ${colour_label} |
| | sure | no | Not ${colour_label} | Niet ${colour_label} |
| settings |
| | form_id | version | default_language |
| | kleur | 1 | Nederlands (nl) |
"""

WORDS = {
    "nl": {"colour": "Groen", "other": "Green", "retype": "Typ", "most": "Hoogstens 3, niet 5", "kid": "Jonger dan 5 (Groen)"},
    "en": {"colour": "Green", "other": "Groen", "retype": "Type", "most": "At most 3, not 5", "kid": "Younger than 5 (Green)"},
}


def _text(page) -> str:
    """What the respondent reads: the page without its attributes (data-message holds the script's template)."""
    body = re.sub(r"<(script|style).*?</(script|style)>", " ", page.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _summary(page) -> list[str]:
    found = re.search(r'<div class="summary"[^>]*>(.*?)</div>', page.content.decode(), re.S)
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", li))).strip() for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


@pytest.fixture
def start(client):
    study = Study.objects.create(slug="kleur", title="Kleur")
    studies.add_version(study, "kleur", "kleur.md", FORM.encode())

    def begin(lang: str):
        first = client.get(f"/s/kleur/kleur?lang={lang}")
        assert first.status_code == 200
        return step(client, step(client, first, consent="ja"), colour="groen")

    return begin


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_references_show_the_answer_on_the_page_and_in_the_errors(client, start, lang):
    words = WORDS[lang]
    page = start(lang)
    shown = _text(page)
    assert "${" not in shown, shown[-2000:]
    assert h1(page) == {"nl": "Controle Groen", "en": "Check Green"}[lang]  # a group's label, the page title
    assert {"nl": "Ja, Groen", "en": "Yes, Green"}[lang] in shown  # choice labels
    assert {"nl": "Niet Groen", "en": "Not Green"}[lang] in shown
    assert {"nl": "Tip Groen", "en": "Hint Green"}[lang] in shown
    assert "Guide" not in shown and "Nodig" not in shown and "Needed" not in shown  # not shown by the web survey

    refused = step(client, page, retype=words["other"], most="3", many="5")  # the server's check of the page
    assert refused.status_code == 200 and "/verder/" in refused.request["PATH_INFO"]
    summary = _summary(refused)
    label = {"nl": "Typ Groen nog eens", "en": "Type Green again"}[lang]
    assert f"{label}: {words['retype']} {words['colour']}" in summary, summary  # the error summary: label and message filled in
    assert any(line.endswith(words["most"]) for line in summary), summary  # an answer of the same page
    field = re.search(r'<p class="message" id="m-retype">(.*?)</p>', refused.content.decode(), re.S)
    assert field and html.unescape(field.group(1)).strip().endswith(f"{words['retype']} {words['colour']}"), refused.content.decode()[
        -3000:
    ]
    assert "${" not in _text(refused)

    # the page script gets the message as written and where each reference reads (it fills them in)
    node = re.search(r'id="q-many"[^>]*data-constraint="([^"]*)" data-message="([^"]*)"', refused.content.decode())
    constraint, message = json.loads(html.unescape(node.group(1))), html.unescape(node.group(2))
    assert message == {"nl": "Hoogstens ${most}, niet ${many}", "en": "At most ${most}, not ${many}"}[lang]
    assert constraint[1] == {"${most}": "q-most", "${many}": "q-many"}
    retype = re.search(r'id="q-retype"[^>]*data-constraint="([^"]*)"', refused.content.decode())
    assert json.loads(html.unescape(retype.group(1)))[1] == {"${colour_label}": "q-colour_label"}  # a value the server knows
    context = json.loads(
        re.search(r'<script type="application/json" id="context"[^>]*>(.*?)</script>', refused.content.decode(), re.S).group(1)
    )
    assert context["values"]["q-colour_label"] == words["colour"]

    kids = step(client, refused, retype=words["colour"], most="5", many="5", sure="yes")
    assert "${" not in _text(kids)
    too_old = step(client, kids, **{"q-kids[1]/k_age": "7"})  # a repeat's message reads outside its instance
    assert any(line.endswith(words["kid"]) for line in _summary(too_old)), _summary(too_old)
    review = step(client, too_old, **{"q-kids[1]/k_age": "3"})
    assert h1(review) == {"nl": "Controleer je antwoorden", "en": "Check your answers"}[lang]
    reviewed = _text(review)
    assert {"nl": "Ja, Groen", "en": "Yes, Green"}[lang] in reviewed and "${" not in reviewed  # the chosen choice's label
    assert {"nl": "Controle Groen", "en": "Check Green"}[lang] in reviewed


def test_a_typed_answer_is_never_filled_in(client, start):
    """Only the form's texts are filled in: an answer that holds ``${…}`` is shown as typed."""
    page = start("nl")
    refused = step(client, page, retype="${colour_label}", most="1", many="1")
    assert 'value="${colour_label}"' in refused.content.decode()  # the field keeps what was typed
    kids = step(client, refused, retype="Groen", most="1", many="1", sure="yes")
    review = step(client, kids, **{"q-kids[1]/k_age": "0"})
    assert "Groen" in _text(review) and h1(review) == "Controleer je antwoorden"


def test_an_answer_in_the_page_scripts_values_cannot_end_its_element(client):
    """A message's reference puts an earlier answer in the page's context (a <script> element):
    written with JSON escapes, so an answer holding </script> stays a value."""
    form = """| survey |
| | type | name | label | constraint | constraint_message |
| | begin_group | a | A | | |
| | text | nick | Bijnaam | | |
| | end_group | | | | |
| | begin_group | b | B | | |
| | text | again | Nog eens | . = ${nick} | Typ ${nick} |
| | end_group | | | | |
"""
    study = Study.objects.create(slug="naam", title="Naam")
    studies.add_version(study, "naam", "naam.md", form.encode())
    typed = "</script><i>x</i> & 'y'"
    page = step(client, client.get("/s/naam/naam"), nick=typed)
    body = page.content.decode()
    script = re.search(r'<script type="application/json" id="context"[^>]*>(.*?)</script>', body, re.S).group(1)
    assert "<" not in script and json.loads(script)["values"]["q-nick"] == typed
    refused = step(client, page, again="z")
    assert _summary(refused) == [f"Nog eens: Typ {typed}"]  # shown as text (escaped by the template)
    assert "<i>x</i>" not in refused.content.decode()
