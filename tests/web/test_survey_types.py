"""The survey pages with the form engine's types: native date/time inputs, acknowledge, decimal
comma, calculations kept off the page and stored, choice_filter and ${} in labels."""

from __future__ import annotations

import re

import pytest

from afstand.services import studies
from afstand.web.models import Response, Study
from tests.helpers import REPEAT_FORM, review_and_send, step

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label | choice_filter | calculation |
| | text | name | Your name? | | |
| | select_one states | state_of | State | | |
| | select_one counties | county | County of ${name} | ${state_of}=cf | |
| | date | day | Day | | |
| | time | at | Time | | |
| | datetime | moment | Moment | | |
| | decimal | share | Share | | |
| | acknowledge | ok | I have read this, ${name} | | |
| | calculate | greeting | | | concat('Hi ', ${name}) |
| choices |
| | list_name | name | label | cf |
| | states | texas | Texas | |
| | states | washington | Washington | |
| | counties | king | King | washington |
| | counties | cameron | Cameron | texas |
| settings |
| | form_title | form_id |
| | Types | types |
"""


def test_new_types_on_the_survey_page(client):
    study = Study.objects.create(slug="types", title="Types")
    studies.add_version(study, "types", "types.md", FORM)
    url = "/s/types/types"
    page = client.get(url)
    html = page.content.decode()
    assert 'type="date"' in html and 'type="time"' in html and 'type="datetime-local"' in html
    assert 'name="greeting"' not in html  # a calculation is the server's
    assert 'value="OK"' in html
    again = step(client, page, name="Ann", state_of="texas", county="king", day="2024-02-30", share="0,5", ok="OK")
    text = again.content.decode()
    assert 'id="errors"' in text and "/verder/" in again.request["PATH_INFO"]  # post/redirect/get: the page again, with its errors
    shown = re.sub(r"\s+", " ", text)
    assert "County of Ann" in shown and "I have read this, Ann" in shown  # ${} interpolated
    # the filter reads an answer on the same page: every county is offered, the server refuses one of another state
    assert 'value="king"' in text and "Kies een van de getoonde antwoorden." in text
    page = step(
        client,
        again,
        name="Ann",
        state_of="texas",
        county="cameron",
        day="2024-02-29",
        at="09:30",
        moment="2024-02-29T09:30",
        share="0,5",
        ok="OK",
    )
    done, _ = review_and_send(client, page)
    assert done.status_code == 200 and "withdrawal-code" in done.content.decode(), done.content.decode()[:800]
    assert Response.objects.get().answers == {
        "name": "Ann",
        "state_of": "texas",
        "county": "cameron",
        "day": "2024-02-29",
        "at": "09:30",
        "moment": "2024-02-29T09:30",
        "share": "0.5",
        "ok": "OK",
        "greeting": "Hi Ann",
    }


def test_repeat_page_adds_and_removes_instances(client):
    study = Study.objects.create(slug="hh", title="Household")
    studies.add_version(study, "household", "household.md", REPEAT_FORM)
    url = "/s/hh/household"
    page = client.get(url)
    html = page.content.decode()
    assert 'name="q-member[1]/name"' in html and 'name="instances" value="1"' in html and 'value="remove-0"' not in html
    page = step(client, page, action="add", instances="1", **{"q-member[1]/name": "Ann", "q-member[1]/age": "40"})
    html = page.content.decode()
    assert 'name="q-member[2]/name"' in html and 'value="Ann"' in html and "Does Ann work?" in html
    page = step(
        client,
        page,
        action="add",
        instances="2",
        **{"q-member[1]/name": "Ann", "q-member[1]/age": "40", "q-member[1]/works": "yes", "q-member[2]/name": "Bo"},
    )
    page = step(
        client,
        page,
        action="remove-1",
        instances="3",
        **{"q-member[1]/name": "Ann", "q-member[1]/age": "40", "q-member[1]/works": "yes", "q-member[2]/name": "Bo"},
    )
    html = page.content.decode()
    assert 'name="q-member[2]/name"' in html and 'name="q-member[3]/name"' not in html and 'value="Bo"' not in html  # Bo removed
    bad = step(client, page, instances="2", **{"q-member[1]/name": "Ann", "q-member[1]/age": "40", "q-member[1]/works": "yes"})
    assert 'id="errors"' in bad.content.decode() and "Name (2)" in bad.content.decode()  # the empty second member's name is required
    page = step(
        client, bad, action="remove-1", instances="2", **{"q-member[1]/name": "Ann", "q-member[1]/age": "40", "q-member[1]/works": "yes"}
    )
    page = step(client, page, instances="1", **{"q-member[1]/name": "Ann", "q-member[1]/age": "40", "q-member[1]/works": "yes"})
    assert page.status_code == 200 and "Any remark?" in page.content.decode()
    done, review = review_and_send(client, page)
    assert "withdrawal-code" in done.content.decode()
    listed = re.sub(r"\s+", " ", review.content.decode())
    assert (
        "<dt>Name (1)</dt><dd>Ann " in listed and "<dt>Age of Ann (1)</dt><dd>40 " in listed
    )  # each instance's answers on the review page
    assert Response.objects.get().answers == {"member": [{"name": "Ann", "age": "40", "works": "yes"}], "members": "1"}


def test_questions_named_like_page_fields_do_not_collide(client):
    study = Study.objects.create(slug="names", title="Names")
    form = b"""| survey |
| | type | name | label |
| | text | state | Which state? |
| | text | action | Which action? |
| | begin_group | g2 | Second page |
| | text | lang | Which language? |
| | end_group | | |
"""
    studies.add_version(study, "names", "names.md", form)
    url = "/s/names/names"
    page = client.get(url)
    assert 'name="q-state"' in page.content.decode() and 'name="q-action"' in page.content.decode()
    page = step(client, page, **{"q-state": "Utrecht", "q-action": "vote"})
    assert page.status_code == 200 and "Which language?" in page.content.decode()
    page = step(client, page, **{"q-lang": "Fries"})
    done, _ = review_and_send(client, page)
    assert "withdrawal-code" in done.content.decode()
    assert Response.objects.get().answers == {"state": "Utrecht", "action": "vote", "lang": "Fries"}


REPEAT_CONSTRAINT_FORM = b"""| survey |
| | type | name | label::Nederlands (nl) | constraint | constraint_message::Nederlands (nl) |
| | select_multiple kleur | kleuren | Welke kleuren? | | |
| | begin_repeat | kind | Kind | | |
| | integer | k_age | Leeftijd | . < 18 | Een kind is jonger dan 18. |
| | decimal | k_share | Deel van de week | . <= 1 | |
| | end_repeat | | | | |
| choices |
| | list_name | name | label::Nederlands (nl) | | |
| | kleur | rood | Rood | | |
| | kleur | groen | Groen | | |
| settings |
| | form_title | form_id | default_language | | |
| | Kinderen | kinderen | Nederlands (nl) | | |
"""


def test_a_repeat_page_shows_the_forms_constraint_message_and_a_decimal_keyboard(client):
    """Found on a phone: in a repeat instance the server showed the plain "Dit antwoord kan niet
    kloppen" instead of the form's constraint_message, a decimal question got a keyboard without a
    decimal separator (inputmode=numeric), and "Kies alles wat past" was not linked to its choices."""
    study = Study.objects.create(slug="kids", title="Kids")
    studies.add_version(study, "kinderen", "kinderen.md", REPEAT_CONSTRAINT_FORM)
    page = client.get("/s/kids/kinderen")
    html = page.content.decode()
    assert re.search(r'<fieldset[^>]*id="q-kleuren"[^>]*aria-describedby="h-kleuren"', html)  # the "choose all" hint is read out
    page = step(client, page, kleuren=["rood"])
    html = page.content.decode()
    assert re.search(r'inputmode="decimal"[^>]*name="q-kind\[1\]/k_share"', html), html[-3000:]
    assert re.search(r'inputmode="numeric"[^>]*name="q-kind\[1\]/k_age"', html)
    bad = step(client, page, instances="1", **{"q-kind[1]/k_age": "40", "q-kind[1]/k_share": "2"})
    text = re.sub(r"\s+", " ", bad.content.decode())
    assert "Leeftijd (1): Een kind is jonger dan 18." in text  # the form's own message
    assert "Deel van de week (1): Dit antwoord kan niet kloppen. Kijk het nog eens na." in text  # no message: the plain default
    # the page script gets the same: the constraint, its message and the summary's label
    assert 'data-message="Een kind is jonger dan 18."' in text and 'data-label="Leeftijd (1)"' in text


RANGE_FORM = b"""| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | parameters |
| | range | mark | Welk cijfer geef je? | What mark do you give? | start=1 end=10 step=0.5 |
| settings |
| | form_title | form_id | default_language | | |
| | Cijfer | cijfer | Nederlands (nl) | | |
"""


@pytest.mark.parametrize(("lang", "message"), [("nl", "Kies een getal van 1 tot en met 10."), ("en", "Choose a number from 1 to 10.")])
def test_a_number_outside_a_range_says_the_range_in_plain_words(client, lang, message):
    """Found on a phone: "Kies een waarde binnen het bereik." (not B1, and which range?)."""
    study = Study.objects.create(slug=f"range-{lang}", title="Range")
    studies.add_version(study, "cijfer", "cijfer.md", RANGE_FORM)
    page = step(client, client.get(f"/s/range-{lang}/cijfer?lang={lang}"), mark="11")
    assert f"{'Welk cijfer geef je?' if lang == 'nl' else 'What mark do you give?'}: {message}" in page.content.decode()
