"""A wave outside its fieldwork dates: the respondent's link says the questionnaire is closed (410)
or not open yet (403, with the first day), in Dutch or English; the JSON API names why with the
same statuses; a researcher of the study still sees a preview, whose answers are never stored."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import studies, waves
from afstand.web.models import Counter, Membership, Response, Wave
from tests.helpers import MINI_FORM, review_and_send, step

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
MONTHS_NL = "januari februari maart april mei juni juli augustus september oktober november december".split()
MONTHS_EN = "January February March April May June July August September October November December".split()


@pytest.fixture
def mini(db):
    """A study whose first wave has ended and whose second wave starts in a year."""
    study, _ = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    today = dt.date.today()
    first = Wave.objects.get(study=study)
    first.starts_on, first.ends_on = today - dt.timedelta(days=60), today - dt.timedelta(days=1)
    first.label = "2021"
    first.save()
    waves.create_wave(study, "2022", starts_on=today + dt.timedelta(days=365), ends_on=today + dt.timedelta(days=400))
    return study


def dutch(day: dt.date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def english(day: dt.date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def heading(page) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page.content.decode()).group(1)


def test_a_closed_wave_says_so_in_dutch_then_english_with_410(client, mini):
    ended = Wave.objects.get(label="2021").ends_on
    page = client.get("/s/mini-studie/m/2021/mini")
    html = page.content.decode()
    assert page.status_code == 410 and '<html lang="nl">' in html
    assert heading(page) == "Deze vragenlijst is gesloten" and 'id="status-ended"' in html
    assert f"tot en met {dutch(ended)}" in html and html.count("<h1") == 1
    assert "<title>Deze vragenlijst is gesloten – Mini</title>" in html and page["Cache-Control"] == "no-store"
    assert "<form" not in html and not page.cookies  # nothing to fill in, nothing set
    switch = re.search(r'<a class="lang" href="([^"]+)"', html).group(1)
    english_page = client.get("/s/mini-studie/m/2021/mini" + switch.replace("&amp;", "&"))
    assert english_page.status_code == 410 and '<html lang="en">' in english_page.content.decode()
    assert heading(english_page) == "This questionnaire is closed" and english(ended) in english_page.content.decode()
    by_browser = client.get("/s/mini-studie/m/2021/mini", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert heading(by_browser) == "This questionnaire is closed"
    # posting the consent page of a closed wave stores nothing and counts nothing
    posted = client.post("/s/mini-studie/m/2021/mini", {"q-consent": "nee", "i": str(uuid.uuid4())})
    assert posted.status_code == 410 and not Counter.objects.exists()


def test_a_wave_not_open_yet_names_its_first_day_with_403(client, mini):
    opens = Wave.objects.get(label="2022").starts_on
    for url in ("/s/mini-studie/m/2022/mini", "/s/mini-studie/mini"):  # the plain link leads to the current (newest) wave
        page = client.get(url)
        assert page.status_code == 403 and 'id="status-not_started"' in page.content.decode()
        assert heading(page) == "Deze vragenlijst is nog niet open" and f"vanaf {dutch(opens)}" in page.content.decode()
    page = client.get("/s/mini-studie/mini?lang=en")
    assert heading(page) == "This questionnaire is not open yet" and f"from {english(opens)}" in page.content.decode()
    assert client.get("/s/mini-studie/m/2030/mini").status_code == 404  # no such wave: still "does not exist"
    assert client.get("/s/mini-studie/m/2021/andere").status_code == 404


def api(client, url: str):
    return client.post(url, {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "age": 40}}, content_type="application/json")


def test_the_json_api_names_why_with_a_4xx_and_stores_nothing(client, mini):
    closed = api(client, "/api/v1/studies/mini-studie/waves/2021/surveys/mini/responses")
    body = json.loads(closed.content)
    assert closed.status_code == 410 and body["reason"] == "wave_closed" and body["wave"] == "2021" and body["stored"] is False
    assert body["closed_after"] == Wave.objects.get(label="2021").ends_on.isoformat() and "closed after" in body["error"]
    not_open = api(client, "/api/v1/studies/mini-studie/surveys/mini/responses")
    body = json.loads(not_open.content)
    assert not_open.status_code == 403 and body["reason"] == "wave_not_open" and body["wave"] == "2022"
    assert body["opens_on"] == Wave.objects.get(label="2022").starts_on.isoformat() and "opens on" in body["error"]
    assert api(client, "/api/v1/studies/mini-studie/waves/2030/surveys/mini/responses").status_code == 404
    assert not Response.objects.exists()
    # open the wave today: the same link takes the answers
    Wave.objects.filter(label="2022").update(starts_on=dt.date.today())
    assert api(client, "/api/v1/studies/mini-studie/surveys/mini/responses").status_code == 201


def test_a_researcher_of_the_study_previews_a_closed_wave_and_nothing_is_stored(client, mini):
    stranger = User.objects.create_user("buiten", password=PASSWORD)
    client.force_login(stranger)
    assert client.get("/s/mini-studie/m/2021/mini").status_code == 410  # logged in but not of this study
    user = User.objects.create_user("onderzoeker", password=PASSWORD)
    Membership.objects.create(user=user, study=mini, role="coder")
    client.force_login(user)
    page = client.get("/s/mini-studie/m/2021/mini")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preview"' in html and "Je antwoorden worden niet opgeslagen" in html
    page = step(client, page, consent="ja")
    assert 'id="preview"' in page.content.decode()  # every page of the preview says so
    thanks, review = review_and_send(client, step(client, page, age="40"))
    assert 'id="preview"' in review.content.decode()
    assert thanks.status_code == 200 and "niet opgeslagen" in thanks.content.decode() and "withdrawal-code" not in thanks.content.decode()
    assert not Response.objects.exists()
    declined = client.post("/s/mini-studie/m/2021/mini", {"q-consent": "nee", "i": str(uuid.uuid4())})
    assert declined.status_code == 303 and not Counter.objects.exists()  # a preview's "no" is not counted
    # the same researcher on an open wave is a respondent like any other
    Wave.objects.filter(label="2021").update(ends_on=None)
    thanks, _ = review_and_send(client, step(client, step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja"), age="41"))
    assert "withdrawal-code" in thanks.content.decode() and Response.objects.count() == 1
