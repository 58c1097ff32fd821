"""A ``required`` column that holds a condition (``${werkt} = 'ja'``): the question is required
exactly while the condition holds, as ODK and Enketo do — on the survey pages (a condition on an
answer of the same page, and one on an earlier page) and through the JSON API."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from afstand.services import studies
from afstand.web.models import Response, Study
from tests.helpers import h1, review_and_send, step

pytestmark = pytest.mark.django_db

FORM = b"""| survey |
| | type | name | label | required | appearance |
| | begin_group | werk | Werk | | field-list |
| | select_one yn | werkt | Werk je? | yes | |
| | integer | uren | Hoeveel uur per week? | ${werkt} = 'ja' | |
| | end_group | | | | |
| | begin_group | thuis | Thuis | | field-list |
| | integer | dagen | Hoeveel dagen thuis? | ${werkt} = 'ja' and ${uren} > 8 | |
| | text | waarom | Waarom? | | |
| | end_group | | | | |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
| settings |
| | form_title | form_id | default_language |
| | Werk | werk | Nederlands (nl) |
"""


@pytest.fixture
def form(db):
    study = Study.objects.create(slug="reqif", title="Required if")
    studies.add_version(study, "werk", "werk.md", FORM)
    return "/s/reqif/werk"


def summary(page) -> list[str]:
    html = page.content.decode()
    found = re.search(r'id="errors".*?</ul>', html, re.S)
    return [re.sub(r"\s+", " ", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", found.group(0), re.S)] if found else []


def test_a_conditional_required_question_is_refused_empty_only_while_its_condition_holds(client, form):
    page = client.get(form)
    html = page.content.decode()
    # the condition reads an answer of this page: the page script gets it, the marker waits for it
    assert "data-required-if=" in html and "data-required-mark hidden" in html
    refused = step(client, page, werkt="ja")
    assert summary(refused) == ["Hoeveel uur per week?: Geef hier een antwoord."]  # as a plain required question
    second = step(client, refused, werkt="ja", uren="20")
    assert h1(second) == "Thuis" and summary(second) == []
    # the condition reads earlier pages only: the server decides it, the question shows "(verplicht)"
    assert re.search(r"Hoeveel dagen thuis\? <span class=\"meta\">\(verplicht\)</span>", second.content.decode())
    refused = step(client, second)
    assert summary(refused) == ["Hoeveel dagen thuis?: Geef hier een antwoord."]
    done, _ = review_and_send(client, step(client, refused, dagen="2"))
    assert "withdrawal-code" in done.content.decode()
    assert Response.objects.get().answers == {"werkt": "ja", "uren": "20", "dagen": "2"}


def test_the_same_questions_may_stay_empty_when_the_condition_does_not_hold(client, form):
    page = step(client, client.get(form), werkt="ja", uren="6")  # working, but 8 hours or less: dagen is optional
    assert h1(page) == "Thuis" and summary(page) == []
    assert "(verplicht)" not in page.content.decode()
    done, _ = review_and_send(client, page)
    assert "withdrawal-code" in done.content.decode()
    page = step(client, client.get(form), werkt="nee")  # not working: uren is optional too
    assert h1(page) == "Thuis" and summary(page) == []
    review_and_send(client, page)
    assert sorted(r.answers["werkt"] for r in Response.objects.all()) == ["ja", "nee"]
    assert {"werkt": "nee"} in [r.answers for r in Response.objects.all()]


def post(client, answers):
    body = {"instance_id": str(uuid.uuid4()), "answers": answers}
    return client.post("/api/v1/studies/reqif/surveys/werk/responses", data=json.dumps(body), content_type="application/json")


def test_the_json_api_applies_the_condition(client, form):
    refused = post(client, {"werkt": "ja", "uren": 20})
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert list(errors) == ["dagen"] and errors["dagen"]["code"] == "required"
    assert errors["dagen"]["question"] == "Hoeveel dagen thuis?"
    refused = post(client, {"werkt": "ja"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["uren"]
    assert Response.objects.count() == 0
    for answers in ({"werkt": "nee"}, {"werkt": "ja", "uren": 5}, {"werkt": "ja", "uren": 20, "dagen": 1}):
        assert post(client, answers).status_code == 201, answers
    assert Response.objects.count() == 3
