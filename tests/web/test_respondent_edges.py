"""Respondent pages at their edges, found by using them as a client and a probation officer would
(Django's test client; the browser runs are in test_respondent_browser.py): consent taken back
inside the survey, numbers with thousands groups, a withdrawal or sign-up sent twice, an empty or
short code, the wait after too many tries, the consent page posted again after Back."""

from __future__ import annotations

import re
import uuid

import pytest

from afstand.services import drafts, signup_spool, studies, submissions
from afstand.web.models import Counter, Draft, Response, Withdrawn
from tests.helpers import action_of, h1, review_and_send, step

pytestmark = pytest.mark.django_db
SIGNUP = "/aanmelden/werken-op-afstand"


@pytest.fixture
def demo(db):
    from afstand.web.respondent import withdrawal

    withdrawal.WITHDRAW_FAILURES.reset()
    withdrawal.SIGNUPS.reset()
    return studies.load_demo()


def _code(demo) -> str:
    version = studies.active_version(demo.slug, "clienten")
    return submissions.submit(version, uuid.uuid4(), {"consent": "ja"}).body["withdrawal_code"]


def test_no_on_the_consent_page_inside_the_survey_declines_and_forgets_the_draft(client, demo):
    """Previous back to the consent page, then "Nee": the decline page, as on the first visit; never
    "Thank you for taking part!" with a Send button for answers that are dropped."""
    page = step(client, client.get("/s/clienten?via=mail"), consent="ja")
    page = step(client, page, c_age="33")
    consent = step(client, step(client, page, action="back"), action="back")
    assert h1(consent) == "Meedoen" and "/verder/" in action_of(consent)
    posted = client.post(action_of(consent), {"q-consent": "nee", "action": "next"})
    assert posted.status_code == 303 and "/s/clienten/nee" in posted["Location"] and "via=mail" in posted["Location"]
    assert "Je doet niet mee" in client.get(posted["Location"]).content.decode()
    assert Draft.objects.count() == 0 and Response.objects.count() == 0
    assert Counter.objects.get(instrument="clienten", kind="declined").value == 1


@pytest.mark.parametrize("typed", ["1.000", "1,500", "3 5"])
def test_thousands_groups_and_split_digits_are_an_error_naming_the_question(client, demo, typed):
    page = step(client, client.get("/s/clienten"), consent="ja")
    bad = step(client, page, c_contact_years=typed)
    html = bad.content.decode()
    assert re.search(r'<a href="#c_contact_years">Hoe lang heb je al contact met de reclassering\?[^<]*: (Welk getal|Typ een getal)', html)
    assert f'value="{typed}"' in html  # kept in the field, to correct
    review_and_send(client, step(client, bad, c_contact_years="1,5"))
    assert Response.objects.get().answers["c_contact_years"] == "1.5"


def test_a_withdrawal_is_a_redirect_and_sent_twice_says_deleted_not_unknown(client, demo, settings):
    """Deleting is a post/redirect/get: the result page is a GET, so Back, Forward and reload never
    show the browser's "Confirm Form Resubmission". A double tap on Delete, or an old tab sending
    it again, finds the tombstone: the same result, and no failed try."""
    settings.AFSTAND_WITHDRAW_LIMIT = 1
    code = _code(demo)
    first = client.post("/intrekken", {"code": code, "lang": "nl"}, REMOTE_ADDR="198.51.100.7")
    assert first.status_code == 303 and Response.objects.count() == 0 and Withdrawn.objects.count() == 1
    done = client.get(first["Location"])
    assert done.status_code == 200 and "Je antwoorden zijn verwijderd." in done.content.decode()
    for _ in range(3):
        again = client.post("/intrekken", {"code": code.lower(), "lang": "nl"}, REMOTE_ADDR="198.51.100.7")
        assert again.status_code == 303 and again["Location"] == first["Location"]
    english = client.post("/intrekken", {"code": code, "lang": "en"}, REMOTE_ADDR="198.51.100.7")
    assert "Your answers have been deleted." in client.get(english["Location"]).content.decode()


def test_an_empty_or_short_code_is_explained_and_no_failed_try(client, demo, settings):
    settings.AFSTAND_WITHDRAW_LIMIT = 1
    code = _code(demo)
    compact = code.replace("-", "")
    empty = client.post("/intrekken", {"code": "  "}, REMOTE_ADDR="198.51.100.8")
    assert empty.status_code == 400 and "Typ je code" in empty.content.decode()
    for typed, count in ((compact[:-1], 16), (compact + "A", 18), (code[:-2], 16)):
        short = client.post("/intrekken", {"code": typed}, REMOTE_ADDR="198.51.100.8")
        html = short.content.decode()
        assert short.status_code == 400 and "17 tekens" in html and f"Jij typte er {count}" in html and "<title>Fout:" in html
    assert client.post("/intrekken", {"code": code}, REMOTE_ADDR="198.51.100.8").status_code == 303  # none of these counted
    assert Response.objects.count() == 0


def test_a_signup_is_a_redirect_and_sent_twice_is_stored_once(client, demo):
    """A double tap on "Aanmelden" on a slow link, or the form sent again from an old tab: one sign-up,
    not two chances; the result page is a GET (post/redirect/get)."""
    form = client.get(SIGNUP).content.decode()
    nonce = re.search(r'<input type="hidden" name="n" value="([0-9a-f]{32})">', form).group(1)
    data = {"purpose": "loterij", "name": "Dubbel Tik", "email": "dubbel@example.org", "n": nonce, "lang": "nl"}
    first, second = client.post(SIGNUP, data), client.post(SIGNUP, data)
    assert first.status_code == second.status_code == 303 and first["Location"] == second["Location"]
    done = client.get(first["Location"]).content.decode()
    assert "Je bent aangemeld. Bedankt!" in done and "Dubbel" not in done and "dubbel@" not in first["Location"]
    signup_spool.flush(force=True)
    assert client.post(SIGNUP, data).status_code == 303  # after the batch was written: still one
    signup_spool.flush(force=True)
    assert [s["email"] for s in signup_spool.all_for(demo)] == ["dubbel@example.org"]
    other = re.search(r'name="n" value="([0-9a-f]{32})"', client.get(SIGNUP).content.decode()).group(1)
    assert other != nonce  # a new form: a new sign-up
    bad = client.post(SIGNUP, {**data, "email": "fout", "n": other})
    assert bad.status_code == 400 and f'name="n" value="{other}"' in bad.content.decode()  # the same sign-up after a correction
    assert "data-posted" in bad.content.decode()  # the page script turns the result into a GET entry of the history


def test_the_wait_after_too_many_tries_is_the_configured_window(client, demo, settings):
    settings.AFSTAND_SIGNUP_LIMIT, settings.AFSTAND_SIGNUP_WINDOW = 1, 3600
    settings.AFSTAND_WITHDRAW_LIMIT, settings.AFSTAND_WITHDRAW_WINDOW = 1, 600
    data = {"purpose": "loterij", "name": "A", "email": "a@example.org"}
    client.post(SIGNUP, data)
    assert "Wacht 60 minuten" in client.post(SIGNUP, data).content.decode()
    unknown = "0000-0000-0000-0000-0"
    client.post("/intrekken", {"code": unknown})
    limited = client.post("/intrekken", {"code": unknown})
    assert limited.status_code == 429 and "Wacht 10 minuten" in limited.content.decode()


def test_the_consent_page_posted_again_after_back_continues_the_draft(client, demo):
    """The phone's Back from the first question page reaches the consent page; with the page script
    its key field (``k``, a hidden text field) is filled in the browser and restored by Back, so Next continues the same
    draft with its answers instead of starting an empty one. Only a same-origin post may name a key."""
    key = drafts.new_token()
    consent = client.get("/s/clienten").content.decode()
    assert '<input type="text" name="k" value="" hidden>' in consent  # the script fills it in the browser
    fields = {"q-consent": "ja", "lang": "nl", "i": str(uuid.uuid4()), "k": key}
    first = client.post("/s/clienten", fields, HTTP_SEC_FETCH_SITE="same-origin")
    assert first.status_code == 303 and f"/verder/{key}?stap=2" in first["Location"]
    step(client, client.get(first["Location"]), c_age="61")
    again = client.post("/s/clienten", {**fields, "i": str(uuid.uuid4())}, HTTP_SEC_FETCH_SITE="same-origin")
    assert again["Location"].endswith(f"/verder/{key}?stap=2") and Draft.objects.count() == 1
    assert 'value="61"' in client.get(again["Location"]).content.decode()
    # a post from another site cannot choose the draft (it would read what the respondent types)
    chosen = drafts.new_token()
    forged = client.post("/s/clienten", {**fields, "k": chosen}, HTTP_SEC_FETCH_SITE="cross-site", HTTP_ORIGIN="https://evil.example")
    assert "/verder/" in forged["Location"] and chosen not in forged["Location"] and key not in forged["Location"]
    # once sent, the same consent page leads to the thank-you page: no second response
    thanks, _ = review_and_send(client, client.get(again["Location"]))
    after = client.post("/s/clienten", {**fields, "i": str(uuid.uuid4())}, HTTP_SEC_FETCH_SITE="same-origin")
    assert after.status_code == 303 and after["Location"].endswith(f"/bedankt/{key}") and Response.objects.count() == 1


def test_the_review_shows_skipped_questions_and_not_the_consent_page(client, demo):
    """Every question asked is on the review page, a skipped one as "Geen antwoord", so a skip by
    mistake can be seen; the consent page (its only question is the consent) is not a section."""
    page = step(client, client.get("/s/clienten"), consent="ja")
    page = step(client, page, c_age="30")
    while h1(page) != "Controleer je antwoorden":
        page = step(client, page)
    html = page.content.decode()
    assert "<dt>Hoe oud ben je?</dt><dd>30 " in html
    assert re.search(r"<dt>Ben je een man of een vrouw\?</dt><dd><span class=\"meta\">Geen antwoord</span> ", html)
    assert "Wil je hier iets over vertellen?" not in html  # a follow-up whose trigger was not answered: not asked
    assert ">Meedoen</h2>" not in html and "Geen antwoorden op deze pagina" not in html
