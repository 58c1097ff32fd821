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
    assert "jaren: " in html and ".: " not in html  # the label's full stop is not followed by the colon
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
    """The phone's Back from the first question page reaches the consent page as the browser kept
    it, with its draft key (``k``), so Next continues the same draft with its answers instead of
    starting an empty one. Only a same-origin post may name a key."""
    key = drafts.new_token()
    consent = client.get("/s/clienten").content.decode()
    assert re.search(r'<input type="hidden" name="k" value="[\w-]{22}">', consent)  # made by the server
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


def _declined_count() -> int:
    counter = Counter.objects.filter(instrument="clienten", kind="declined").first()
    return counter.value if counter else 0


def _take_back_form(page) -> tuple[str, dict]:
    html = page.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" class="take-back">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2)))
    return form.group(1), fields


def _monitor(client, study) -> tuple[int, int, int | None]:
    """(stored, declined, percent of the target) as the monitor page shows them to a researcher."""
    from django.contrib.auth.models import User

    from afstand.web.models import Membership

    user = User.objects.create_user(f"monitor-{uuid.uuid4().hex[:6]}", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)
    html = client.get(f"/onderzoek/{study.slug}/").content.decode()
    client.logout()
    section = html.split("<h2>clienten</h2>", 1)[1].split("</section>", 1)[0]
    stored = int(re.search(r'<strong id="total-clienten">(\d+)</strong>', section).group(1))
    declined = int(re.search(r"(\d+) (?:zonder toestemming gestopt|stopped without consent)", section).group(1))
    percent = re.search(r"\((\d+)%\)", section)
    return stored, declined, int(percent.group(1)) if percent else None


def test_a_decline_taken_back_is_not_counted_as_a_decline(client, demo):
    """ "Nee", then "Ik wil toch meedoen" and the survey sent: one response and no decline in the
    monitor (and its percentage of the target). The take-back key of the decline page undoes only
    the decline it came from, once: a double tap, a made-up key or another questionnaire's key
    moves no counter."""
    consent = client.get("/s/clienten?via=mail")
    declined = step_consent(client, consent, "nee")
    assert "/s/clienten/nee" in declined.request["PATH_INFO"] and _declined_count() == 1
    action, fields = _take_back_form(declined)
    assert action == "/s/clienten/nee" and re.fullmatch(r"[0-9a-f]{32}", fields["t"]) and fields["via"] == "mail"
    assert fields["t"] not in str(Draft.objects.all().values_list()) and not Response.objects.exists()
    assert client.post("/s/werkers/nee", fields).status_code == 303 and _declined_count() == 1  # another questionnaire's key
    back = client.post(action, fields)
    assert back.status_code == 303 and back["Location"].startswith("/s/clienten?") and "via=mail" in back["Location"]
    assert _declined_count() == 0
    assert client.post(action, fields).status_code == 303 and _declined_count() == 0  # a double tap: never below zero
    assert client.post(action, {**fields, "t": uuid.uuid4().hex}).status_code == 303 and _declined_count() == 0
    page = step(client, client.get(back["Location"]), consent="ja")
    page = step(client, page, c_age="40")
    review_and_send(client, page)
    stored, declined_shown, percent = _monitor(client, demo)
    target = studies.active_version(demo.slug, "clienten").target
    assert (stored, declined_shown) == (1, 0) and Response.objects.count() == 1
    assert percent == (round(100 * stored / target) if target else None)
    # someone else declining is still counted, once
    other = step_consent(client, client.get("/s/clienten"), "nee")
    step_consent(client, client.get("/s/clienten"), "nee")
    assert _declined_count() == 2 and _monitor(client, demo)[1] == 2 and "take-back" in other.content.decode()


def test_back_from_the_decline_page_and_yes_takes_the_decline_back(client, demo):
    """The phone's Back from the decline page shows the consent page as it was (the browser keeps
    it: same instance); "Ja" there takes the decline back. Declining inside the survey, then taking
    it back, is not counted either."""
    consent = client.get("/s/clienten")
    step_consent(client, consent, "nee")
    assert _declined_count() == 1
    page = step_consent(client, consent, "ja")  # the same page again, as the browser shows it on Back
    assert h1(page) == "Over jou" and _declined_count() == 0
    first = step(client, step(client, page, c_age="33"), action="back")
    inside = step(client, step(client, first, action="back"), consent="nee")
    assert _declined_count() == 1 and Draft.objects.count() == 0
    action, fields = _take_back_form(inside)
    client.post(action, fields)
    assert _declined_count() == 0


def step_consent(client, consent, answer: str):
    """Post the consent page as shown with ``answer`` and follow the redirect."""
    posted = client.post(action_of(consent), {**_shown(consent), "q-consent": answer, "action": "next"})
    assert posted.status_code == 303
    return client.get(posted["Location"])


def _shown(page) -> dict:
    return dict(re.findall(r'<input type="(?:hidden|text)" name="(\w+)" value="([^"]*)"', page.content.decode()))


def test_the_consent_page_carries_a_server_key_and_the_browser_keeps_it_for_back(client, demo):
    """Without JavaScript the phone's Back from the first question shows the consent page again. It
    is the only respondent page the browser may keep for its history (``private, no-cache``: a new
    visit always fetches a new one); it holds no answers, only a key the server made for the draft
    that Next starts. So Back and Next continue that draft. Pages with answers stay ``no-store``."""
    consent = client.get("/s/clienten")
    assert consent["Cache-Control"] == "private, no-cache"
    assert action_of(consent) == "/s/clienten?stap=1"  # a post to the page's own address would make the browser drop it
    key = _shown(consent)["k"]
    assert drafts.valid_token(key) and _shown(client.get("/s/clienten"))["k"] != key  # a new visit, a new key
    first = client.post("/s/clienten", {**_shown(consent), "q-consent": "ja"}, HTTP_SEC_FETCH_SITE="same-origin")
    assert first["Location"].endswith(f"/verder/{key}?stap=2")
    page = client.get(first["Location"])
    assert page["Cache-Control"] == "no-store" and key not in str(Draft.objects.values_list())
    step(client, page, c_age="52")
    again = client.post("/s/clienten", {**_shown(consent), "q-consent": "ja"}, HTTP_SEC_FETCH_SITE="same-origin")
    assert again["Location"].endswith(f"/verder/{key}?stap=2") and 'value="52"' in client.get(again["Location"]).content.decode()


def test_form_error_pages_are_kept_by_the_browser_for_back_and_forward(client, demo):
    """A sign-up or withdrawal error page is the post's own answer, with what was typed (as Django
    and GOV.UK forms do); it is sent ``private, no-cache`` instead of ``no-store``, so the browser
    may show it again on Back and Forward instead of "Confirm Form Resubmission". Nothing typed
    is stored on the server or put in a URL."""
    bad = client.post(SIGNUP, {"purpose": "loterij", "name": "Fout Adres", "email": "fout"})
    assert bad.status_code == 400 and bad["Cache-Control"] == "private, no-cache" and 'value="Fout Adres"' in bad.content.decode()
    assert signup_spool.all_for(demo) == []
    wrong = client.post("/intrekken", {"code": "ABCD"})
    assert wrong.status_code == 400 and wrong["Cache-Control"] == "private, no-cache"
    assert client.get("/intrekken")["Cache-Control"] == "no-store"  # everything else stays out of the cache


def test_the_expired_link_page_has_a_language_switch(client, demo):
    token = drafts.new_token()
    gone = client.get(f"/s/clienten/verder/{token}?stap=3")
    html = gone.content.decode()
    assert gone.status_code == 404 and "Deze link werkt niet meer" in html
    switch = re.search(r'<a class="lang" href="([^"]+)" lang="en" hreflang="en">English</a>', html)
    assert switch, html
    english = client.get(f"/s/clienten/verder/{token}" + switch.group(1).replace("&amp;", "&"))
    assert "This link no longer works" in english.content.decode() and 'hreflang="nl">Nederlands</a>' in english.content.decode()
    assert "stap=3" in switch.group(1)
    thanks = client.get(f"/s/clienten/bedankt/{token}?lang=en").content.decode()
    assert "This link no longer works" in thanks and 'hreflang="nl">Nederlands</a>' in thanks


def test_a_decline_in_an_earlier_wave_is_taken_back_in_that_wave(client, demo):
    """The monitor counts declines per wave: taking a decline back lowers the count of the wave it
    was counted in (the decline page carries that wave), and a key sent with another wave does nothing."""
    from afstand.services import waves

    second = waves.create_wave(demo, "2022")

    def count(label: str) -> int:
        found = Counter.objects.filter(instrument="clienten", kind="declined", wave__label=label).values_list("value", flat=True)
        return found.first() or 0

    declined = step_consent(client, client.get("/s/werken-op-afstand/m/2021/clienten"), "nee")
    assert (count("2021"), count("2022")) == (1, 0)
    action, fields = _take_back_form(declined)
    client.post(action, {**fields, "w": str(second.pk)})
    assert (count("2021"), count("2022")) == (1, 0)
    assert client.post(action, fields).status_code == 303
    assert (count("2021"), count("2022")) == (0, 0)
