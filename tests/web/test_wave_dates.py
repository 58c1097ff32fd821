"""The owner moves a wave's fieldwork dates after starting it: close it now, set or move its dates,
reopen it (``/onderzoek/<study>/meting/<wave>/``). Owners only, CSRF-protected, every refusal a 4xx
in Dutch (English with the browser's language), every change in the audit log, no stored response
touched. Once closed, the wave's links, its sign-up form and its unsent drafts say that it is closed
(410) at once, while a respondent can still withdraw."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from afstand.services import fieldwork, signup_spool, studies, submissions, waves
from afstand.web.models import AuditEvent, Membership, Response, Wave
from tests.helpers import MINI_FORM, review_and_send, shown_code, step

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
MONTHS_NL = "januari februari maart april mei juni juli augustus september oktober november december".split()
PAGE = "/onderzoek/mini-studie/meting/2021/"


@pytest.fixture
def mini(db):
    """A study whose wave 2021 started 20 days ago and ends in 10 days."""
    study, _ = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    Wave.objects.filter(study=study).update(label="2021", starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=10))
    return study


def dutch(day: dt.date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def member(study, role: str, name: str = "eigenaar") -> Client:
    """A researcher's browser: a client that checks CSRF tokens as the real site does."""
    user = User.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, study=study, role=role)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def post(browser: Client, path: str, data: dict, **headers):
    """Post a form of the page as the browser does: with the page's CSRF token."""
    page = browser.get(path, **headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return browser.post(path, {**data, "csrfmiddlewaretoken": token}, **headers)


def h1(page) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page.content.decode()).group(1)


def dates(label: str = "2021") -> tuple:
    wave = Wave.objects.get(label=label)
    return wave.starts_on, wave.ends_on


def stored_responses() -> list[dict]:
    return list(Response.objects.order_by("id").values())


def wave_audit() -> list[tuple[str, str, str]]:
    return sorted((e.user, e.action, e.detail) for e in AuditEvent.objects.filter(action__startswith="wave-"))


def test_closing_now_shuts_links_signups_and_drafts_at_once_but_not_withdrawal(client, mini, settings):
    settings.AFSTAND_SIGNUP_LIMIT = 1000
    # one respondent sent (the thank-you page links to the sign-up form), another is halfway
    thanks, _ = review_and_send(client, step(client, step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja"), age="40"))
    code = shown_code(thanks.content.decode())
    assert 'id="signup-link"' in thanks.content.decode()
    halfway = step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja")
    draft = re.search(r"/verder/([\w-]+)", halfway.request["PATH_INFO"]).group(1)
    assert client.get("/aanmelden/mini-studie/m/2021").status_code == 200  # open: the form
    before = stored_responses()
    owner = member(mini, "owner")
    page = owner.get(PAGE).content.decode()
    assert f"Open: de links nemen antwoorden aan tot en met {dutch(TODAY + dt.timedelta(days=10))}." in page
    assert owner.post(PAGE, {"action": "close"}).status_code == 403  # no CSRF token: refused, nothing changes
    assert dates()[1] == TODAY + dt.timedelta(days=10) and wave_audit() == []
    closed = post(owner, PAGE, {"action": "close"})
    assert closed.status_code == 302 and closed["Location"] == PAGE
    assert dates() == (TODAY - dt.timedelta(days=20), YESTERDAY)  # "now": the last day becomes yesterday
    assert wave_audit() == [
        ("eigenaar", "wave-close", f"mini-studie/2021: {TODAY - dt.timedelta(days=20)} – {TODAY + dt.timedelta(days=10)} → "
         f"{TODAY - dt.timedelta(days=20)} – {YESTERDAY}")
    ]  # fmt: skip
    assert stored_responses() == before  # nothing about a stored response changed
    page = owner.get(PAGE).content.decode()
    assert f"Gesloten: de links namen antwoorden aan tot en met {dutch(YESTERDAY)}." in page and "Meting nu sluiten" not in page
    # the respondents, at once: the link, the API, the sign-up form (nothing spooled), the unsent draft
    assert client.get("/s/mini-studie/m/2021/mini").status_code == 410
    api = client.post(
        "/api/v1/studies/mini-studie/waves/2021/surveys/mini/responses",
        {"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja"}},
        content_type="application/json",
    )
    assert api.status_code == 410 and api.json()["reason"] == "wave_closed"
    form = client.get("/aanmelden/mini-studie/m/2021")
    assert form.status_code == 410 and h1(form) == "Aanmelden is gesloten" and f"tot en met {dutch(YESTERDAY)}" in form.content.decode()
    assert '<form method="post"' not in form.content.decode()
    late = client.post("/aanmelden/mini-studie/m/2021", {"purpose": "focusgroep", "name": "Laat", "email": "laat@example.org"})
    assert late.status_code == 410 and signup_spool.pending() == []
    assert client.post("/aanmelden/mini-studie", {"purpose": "loterij", "name": "Laat", "email": "laat@example.org"}).status_code == 410
    assert signup_spool.pending() == []  # the plain link is the current wave's: closed too
    resumed = client.get(f"/s/mini-studie/mini/verder/{draft}")
    text = resumed.content.decode()
    assert resumed.status_code == 410 and h1(resumed) == "Deze vragenlijst is gesloten"
    assert "Je antwoorden zijn niet verstuurd. We hebben ze verwijderd." in text and 'value="40"' not in text
    sent = client.post(f"/s/mini-studie/mini/verder/{draft}?stap=controle", {"action": "send"})
    assert sent.status_code == 410 and stored_responses() == before  # nothing can be sent from it
    english = client.get(f"/s/mini-studie/mini/verder/{draft}?lang=en")
    assert english.status_code == 410 and "Your answers were not sent, and we have deleted them." in english.content.decode()
    again = client.get(thanks.request["PATH_INFO"]).content.decode()
    assert 'id="withdrawal-code"' in again and 'id="signup-link"' not in again  # the code stays; no link to a closed form
    # withdrawing still works after the end
    assert client.post("/intrekken", {"code": code}).status_code == 303 and Response.objects.count() == len(before) - 1
    # reopened for a week: the links take answers again; the draft's answers stay gone
    reopened = post(owner, PAGE, {"action": "reopen", "ends_on": (TODAY + dt.timedelta(days=7)).isoformat()})
    assert reopened.status_code == 302 and dates()[1] == TODAY + dt.timedelta(days=7)
    assert [a for _, a, _ in wave_audit()] == ["wave-close", "wave-reopen"]
    assert client.get("/s/mini-studie/m/2021/mini").status_code == 200
    assert client.get("/aanmelden/mini-studie/m/2021").status_code == 200
    gone = client.get(f"/s/mini-studie/mini/verder/{draft}")
    assert gone.status_code == 404 and h1(gone) == "Deze link werkt niet meer"


def test_only_owners_may_change_dates(client, mini):
    analyst = member(mini, "analyst", "analist")
    assert analyst.get(PAGE).status_code == 403
    assert analyst.post(PAGE, {"action": "close"}).status_code == 403
    assert client.get(PAGE).status_code == 302  # not logged in: to the login page
    assert dates()[1] == TODAY + dt.timedelta(days=10) and wave_audit() == []
    owner = member(mini, "owner")
    assert owner.get("/onderzoek/mini-studie/meting/1999/").status_code == 404
    monitor = owner.get("/onderzoek/mini-studie/").content.decode()
    assert f'href="{PAGE}"' in monitor  # the owner's way there
    assert f'href="{PAGE}"' not in analyst.get("/onderzoek/mini-studie/").content.decode()


def test_bad_dates_are_refused_in_dutch_then_english_and_nothing_changes(client, mini):
    owner = member(mini, "owner")
    later = waves.create_wave(mini, "2022", starts_on=TODAY + dt.timedelta(days=30), ends_on=TODAY + dt.timedelta(days=60))
    later_page = "/onderzoek/mini-studie/meting/2022/"
    page = owner.get(later_page).content.decode()
    assert 'name="starts_on"' in page and "Nog niet begonnen" in page  # the first day can still move
    wrong = post(owner, later_page, {"action": "dates", "starts_on": (TODAY + dt.timedelta(days=40)).isoformat(), "ends_on": (TODAY + dt.timedelta(days=35)).isoformat()})  # fmt: skip
    text = wrong.content.decode()
    assert wrong.status_code == 400 and 'role="alert"' in text
    assert (
        f"Meting 2022: het veldwerk kan niet eindigen op {dutch(TODAY + dt.timedelta(days=35))}, vóór het begint op "
        f"{dutch(TODAY + dt.timedelta(days=40))}." in text
    )
    english = post(
        owner,
        later_page,
        {
            "action": "dates",
            "starts_on": (TODAY + dt.timedelta(days=40)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=35)).isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 400 and "Wave 2022: the fieldwork cannot end on" in english.content.decode()
    past = post(owner, later_page, {"action": "dates", "starts_on": YESTERDAY.isoformat(), "ends_on": ""})
    assert past.status_code == 400 and "de eerste dag kan niet in het verleden liggen" in past.content.decode()
    typo = post(owner, PAGE, {"action": "dates", "ends_on": "31-02-2030"})
    assert typo.status_code == 400 and "Voer een geldige datum in." in typo.content.decode()
    back = post(owner, PAGE, {"action": "dates", "ends_on": (TODAY - dt.timedelta(days=3)).isoformat()})
    assert back.status_code == 400 and "de laatste dag kan niet in het verleden liggen" in back.content.decode()
    assert "sluit de meting nu" in back.content.decode()
    started = post(owner, PAGE, {"action": "dates", "starts_on": (TODAY + dt.timedelta(days=1)).isoformat(), "ends_on": ""})
    assert started.status_code == 409 and "Meting 2021 is al begonnen: de eerste dag kan niet meer veranderen." in started.content.decode()
    not_ended = post(owner, PAGE, {"action": "reopen", "ends_on": (TODAY + dt.timedelta(days=20)).isoformat()})
    assert not_ended.status_code == 409 and "Meting 2021 is niet gesloten" in not_ended.content.decode()
    assert post(owner, PAGE, {"action": "pauze"}).status_code == 400
    assert dates("2021") == (TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=10))
    assert dates("2022") == (later.starts_on, later.ends_on) and wave_audit() == []
    # the new-wave page refuses an end before the start in Dutch too
    made = post(
        owner, "/onderzoek/mini-studie/meting/", {"label": "2023", "starts_on": "2030-05-02", "ends_on": "2030-05-01", "targets": ""}
    )
    assert made.status_code == 400 and "Meting 2023: het veldwerk kan niet eindigen op 1 mei 2030, vóór het begint op 2 mei 2030." in made.content.decode()  # fmt: skip
    assert not Wave.objects.filter(label="2023").exists()


def test_moving_dates_extending_and_removing_the_last_day(client, mini):
    owner = member(mini, "owner")
    later = waves.create_wave(mini, "2022", starts_on=TODAY + dt.timedelta(days=30), ends_on=TODAY + dt.timedelta(days=60))
    moved = post(owner, "/onderzoek/mini-studie/meting/2022/", {"action": "dates", "starts_on": (TODAY + dt.timedelta(days=14)).isoformat(), "ends_on": (TODAY + dt.timedelta(days=44)).isoformat()})  # fmt: skip
    assert moved.status_code == 302 and dates("2022") == (TODAY + dt.timedelta(days=14), TODAY + dt.timedelta(days=44))
    # fieldwork of 2021 extended by a week (its first day is not a field any more: it has started)
    page = owner.get(PAGE).content.decode()
    assert 'name="starts_on"' not in page and "kan niet meer veranderen: de meting is begonnen" in page
    week = post(owner, PAGE, {"action": "dates", "ends_on": (TODAY + dt.timedelta(days=17)).isoformat()})
    assert week.status_code == 302 and dates("2021") == (TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=17))
    assert post(owner, PAGE, {"action": "dates", "ends_on": ""}).status_code == 302 and dates("2021")[1] is None
    assert "Er is geen laatste dag" in owner.get(PAGE).content.decode()
    assert [a for _, a, _ in wave_audit()] == ["wave-dates"] * 3
    assert later.versions.count() == 1 and Wave.objects.count() == 2


def test_close_now_on_a_wave_not_started_or_started_today_keeps_the_dates_in_order(mini):
    soon = waves.create_wave(mini, "2022", starts_on=TODAY + dt.timedelta(days=5), ends_on=TODAY + dt.timedelta(days=9))
    change = fieldwork.close_now(soon, actor="test")
    assert change.action == "wave-close" and dates("2022") == (YESTERDAY, YESTERDAY) and fieldwork.state(change.wave) == "ended"
    Wave.objects.filter(label="2021").update(starts_on=TODAY)
    fieldwork.close_now(Wave.objects.get(label="2021"), actor="test")
    assert dates("2021") == (YESTERDAY, YESTERDAY)
    again = fieldwork.close_now(Wave.objects.get(label="2021"), actor="test")  # closed already: nothing changes, nothing logged
    assert not again.changed and dates("2021") == (YESTERDAY, YESTERDAY) and len(wave_audit()) == 2


def test_closing_and_reopening_cannot_narrow_a_signup_down_to_few_answers(client, mini, settings):
    """A closed wave's rest is written whatever its number, but the held rule still counts the
    responses after the wave's previous batch: closing and reopening to get a lone sign-up written
    at once does not work."""
    settings.AFSTAND_SIGNUP_BATCH = 5
    settings.AFSTAND_SIGNUP_LIMIT = 1000
    version = studies.active_version("mini-studie", "mini", "2021")
    for n in range(6):
        assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": 20 + n}).status == 201
    for name in ("Anna", "Bram"):
        assert client.post("/aanmelden/mini-studie/m/2021", {"purpose": "loterij", "name": name, "email": f"{name}@example.org"}).status_code == 303  # fmt: skip
    fieldwork.close_now(Wave.objects.get(label="2021"), actor="test")
    assert signup_spool.flush() == 2  # closed today: today's flush writes the rest (6 responses since no batch)
    fieldwork.reopen(Wave.objects.get(label="2021"), TODAY + dt.timedelta(days=7), actor="test")
    assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": 50}).status == 201
    assert (
        client.post("/aanmelden/mini-studie/m/2021", {"purpose": "loterij", "name": "Cor", "email": "cor@example.org"}).status_code == 303
    )
    fieldwork.close_now(Wave.objects.get(label="2021"), actor="test")
    assert signup_spool.flush() == 0  # held: the responses since today's batch cannot be told apart from it
    assert [g.state for g in signup_spool.status(mini)] == ["held"] and [e["name"] for e in signup_spool.pending()] == ["Cor"]
