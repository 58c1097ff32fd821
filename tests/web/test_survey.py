"""The respondent's pages: consent gate, post/redirect/get page flow, server-side checks, review,
thanks, withdrawal, sign-up (Django's test client; the browser tests are in test_browser.py)."""

from __future__ import annotations

import gzip
import json
import re
from html import unescape

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from afstand.services import signup_spool, studies, submissions
from afstand.web.models import Counter, Draft, Response, SignUp
from tests.helpers import FUZZ_SLOW, action_of, h1, md_form, review_and_send, shown_code, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from afstand.web.respondent import withdrawal

    withdrawal.WITHDRAW_FAILURES.reset()
    withdrawal.SIGNUPS.reset()
    return studies.load_demo()


def test_full_client_survey(client, demo):
    page = client.get("/s/clienten?via=whatsapp")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="nl">' in html and h1(page) == "Meedoen"
    assert "Ik heb de uitleg gelezen" in html and not page.cookies
    assert "<title>Meedoen – Werken op afstand: vragenlijst voor cliënten</title>" in html
    assert page["Referrer-Policy"] == "no-referrer" and Draft.objects.count() == 0
    # the default button (Enter in any field) is Next, not the language switch, which is a link
    first_submit = re.search(r"<button type=\"submit\"[^>]*>", html).group(0)
    assert 'value="next"' in first_submit and '<a class="lang" href="?lang=en"' in html.replace("&amp;", "&").replace("?via=whatsapp&", "?")
    again = step(client, page)  # no consent: the error summary names the question, the title says "Fout:"
    assert "<title>Fout: Meedoen" in again.content.decode() and "Er is iets niet goed ingevuld" in again.content.decode()
    assert 'href="#consent"' in again.content.decode() and Draft.objects.count() == 0
    page = step(client, again, consent="ja")
    assert h1(page) == "Over jou" and Draft.objects.count() == 1
    bad = step(client, page, c_age="12", c_gender="man")
    html = bad.content.decode()
    assert "Vul een leeftijd in tussen 16 en 99." in html and 'aria-invalid="true"' in html and 'aria-describedby=" m-c_age"' in html
    assert bad.request["QUERY_STRING"] == "stap=2"  # the same page again, by GET
    page = step(client, bad, c_age="41", c_gender="man", c_contact_type=["toezicht", "werkstraf"], c_contact_years="0,5")
    back = step(client, page, action="back")  # Previous keeps the answers
    html = back.content.decode()
    assert 'value="41"' in html and 'value="werkstraf" checked' in html and 'value="0,5"' in html  # shown the Dutch way, stored as 0.5
    thanks, review = review_and_send(
        client, step(client, back, c_age="41", c_gender="man", c_contact_type=["toezicht", "werkstraf"], c_contact_years="0,5")
    )
    assert "Toezicht (ik moet me aan afspraken houden), Werkstraf" in review.content.decode()  # the review shows the answers
    code = shown_code(thanks.content.decode())
    stored = Response.objects.get()
    assert stored.answers == {
        "consent": "ja",
        "c_age": "41",
        "c_gender": "man",
        "c_contact_type": "toezicht werkstraf",
        "c_contact_years": "0.5",
    }
    assert stored.channel == "whatsapp" and stored.instrument_version.filename == "clienten-2026.md"
    # the thank-you page is a GET: reloading it, or coming back after the sign-up tab, shows the code again
    assert shown_code(client.get(thanks.request["PATH_INFO"]).content.decode()) == code
    download = client.get(thanks.request["PATH_INFO"] + "/code.txt")
    assert code in download.content.decode() and download["Content-Disposition"].startswith("attachment")
    assert 'target="_blank"' in thanks.content.decode()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]", code)
    withdrawn = client.post("/intrekken", {"code": code.lower().replace("-", " ")})  # typed in lower case with spaces
    assert withdrawn.status_code == 303 and Response.objects.count() == 0  # post/redirect/get
    assert Counter.objects.get(instrument="clienten", kind="withdrawn").value == 1


def test_every_answer_is_a_redirect_and_back_or_reload_shows_the_answers(client, demo):
    page = client.get("/s/werkers")
    posted = client.post(action_of(page), {"consent": "ja", "lang": "nl"})
    assert posted.status_code == 303
    second = client.get(posted["Location"])
    answered = client.post(action_of(second), {"w_age": "38", "w_gender": "vrouw", "action": "next"})
    assert answered.status_code == 303 and answered["Location"].endswith("stap=3")
    # the browser's Back: a GET of page 2 shows its answers; reload shows them again
    for _ in range(2):
        again = client.get(posted["Location"])
        assert again.status_code == 200 and 'value="38"' in again.content.decode()


@pytest.mark.parametrize("typed, stored", [("0,5", "0.5"), ("1,5", "1.5"), ("1.5", "1.5"), (" 2 ", "2"), ("12,0", "12")])
def test_decimal_comma_and_point_store_the_number_typed(client, demo, typed, stored):
    page = step(client, client.get("/s/clienten"), consent="ja")
    page = step(client, page, c_contact_years=typed)
    assert 'id="errors"' not in page.content.decode()
    review_and_send(client, page)
    assert Response.objects.get().answers["c_contact_years"] == stored


@pytest.mark.parametrize(
    "typed, field", [("1.000,5", "c_contact_years"), ("een half", "c_contact_years"), ("4,5", "c_age"), ("5e3", "c_age")]
)
def test_unreadable_numbers_are_an_error_naming_the_question_never_a_changed_value(client, demo, typed, field):
    page = step(client, client.get("/s/clienten"), consent="ja")
    bad = step(client, page, **{field: typed})
    html = bad.content.decode()
    label = {"c_contact_years": "Hoe lang heb je al contact met de reclassering?", "c_age": "Hoe oud ben je?"}[field]
    assert re.search(rf'<a href="#{field}">{re.escape(label)}[^<]*: Typ een (heel )?getal', html)
    assert f'value="{typed}"' in html  # what was typed stays in the field, to correct
    review_and_send(client, step(client, bad, **{field: ""}))
    assert field not in Response.objects.get().answers


def test_every_hint_example_is_stored_as_the_number_it_shows(client, demo):
    """Type each example number from every number question's hint (both languages) and check what is stored."""
    from afstand.responses.numbers import parse_number

    for name in ("clienten", "werkers"):
        form = studies.instrument_for(studies.active_version(demo.slug, name))
        for item in form.items.values():
            if item.kind != "number":
                continue
            for hint in item.hints.values():
                for example in re.findall(r"(?<![\w,.])\d+(?:[,.]\d+)?(?![\w,.]\d)", hint):
                    Response.objects.all().delete()
                    page = client.get(f"/s/{name}")
                    page = step(client, page, consent="ja")
                    while item.name not in page.content.decode():
                        page = step(client, page)
                    page = step(client, page, **{item.name: example})
                    if 'id="errors"' in page.content.decode():  # outside the item's constraint: refused, never changed
                        assert item.constraint, (item.name, example)
                        continue
                    review_and_send(client, page)
                    assert float(Response.objects.get().answers[item.name]) == parse_number(example), (item.name, example)


def test_irrelevant_follow_up_is_dropped_with_a_notice_never_blocking(client, demo):
    page = step(client, client.get("/s/clienten"), consent="ja")
    while "c_advantages_toelichting" not in page.content.decode():
        page = step(client, page)
    html = page.content.decode()
    # the page script shows it only after its trigger: the condition, and the field its reference reads
    condition = re.search(r'id="q-c_advantages_toelichting" data-read data-relevant="([^"]*)"', html).group(1)
    assert json.loads(unescape(condition)) == [["${c_advantages} != ''", {"${c_advantages}": "q-c_advantages"}]]
    following = step(client, page, c_advantages_toelichting="Fijn", c_disadvantages="verbinding", c_disadvantages_toelichting="Slecht")
    html = following.content.decode()
    assert 'id="errors"' not in html and "Ze passen niet bij een eerder antwoord" in html and "Wil je hier iets over vertellen?" in html
    review_and_send(client, following)
    answers = Response.objects.get().answers
    assert "c_advantages_toelichting" not in answers and answers["c_disadvantages_toelichting"] == "Slecht"


def test_a_ticked_radio_can_be_cleared_without_javascript(client, demo):
    page = step(client, client.get("/s/clienten"), consent="ja")
    cleared = step(client, page, c_gender="man", c_age="30", action="clear:c_gender")
    html = cleared.content.decode()
    assert h1(cleared) == "Over jou" and 'value="man" checked' not in html and 'value="30"' in html
    review_and_send(client, cleared)
    assert "c_gender" not in Response.objects.get().answers


def test_review_change_link_and_back_to_review(client, demo):
    page = step(client, client.get("/s/clienten"), consent="ja")
    page = step(client, page, c_age="30")
    while h1(page) != "Controleer je antwoorden":
        page = step(client, page)
    change = re.search(r'<a class="change" href="([^"#]+)#c_age"', page.content.decode()).group(1)
    page = client.get(change)
    assert h1(page) == "Over jou" and 'value="review"' in page.content.decode()
    page = step(client, page, c_age="31", action="review")
    assert h1(page) == "Controleer je antwoorden" and "<dd>31 " in page.content.decode()


def test_declining_consent_stores_nothing_and_offers_a_way_back(client, demo):
    page = client.get("/s/werkers?via=intranet")
    end = step(client, page, consent="nee")
    html = end.content.decode()
    assert "Je doet niet mee" in html and "Ik wil toch meedoen" in html
    way_back = client.post("/s/werkers/nee", dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)))
    assert way_back.status_code == 303 and way_back["Location"] == "/s/werkers?lang=nl&via=intranet"
    assert Counter.objects.get(instrument="werkers", kind="declined").value == 0  # taken back: not counted
    end = step(client, client.get(way_back["Location"]), consent="nee")
    assert Response.objects.count() == 0 and Draft.objects.count() == 0
    assert Counter.objects.get(instrument="werkers", kind="declined").value == 1
    assert 'hreflang="en"' in html


def test_languages_follow_the_request(client, demo):
    english = client.get("/s/clienten?lang=en").content.decode()
    assert "I have read the explanation" in english and '<html lang="en">' in english
    assert "<title>Taking part – Working at a distance: questionnaire for clients</title>" in english
    assert "This takes about" in english
    region = client.get("/s/clienten?lang=en-GB").content.decode()
    assert '<html lang="en">' in region
    negotiated = client.get("/s/clienten", HTTP_ACCEPT_LANGUAGE="de-DE,en-GB;q=0.8,nl;q=0.5").content.decode()
    assert '<html lang="en">' in negotiated
    unknown = client.get("/s/clienten?lang=de").content.decode()
    assert '<html lang="nl">' in unknown and "Deze vragenlijst is er niet in de taal die je vroeg" in unknown
    # the language link keeps the answers already saved
    page = step(client, client.get("/s/clienten"), consent="ja")
    page = step(client, page, c_age="44", action="clear:c_gender")
    switch = re.search(r'<a class="lang" href="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    assert switch == "?stap=2&lang=en"
    switched = client.get(page.request["PATH_INFO"] + switch)
    html = switched.content.decode()
    assert "How old are you?" in html and 'value="44"' in html and "About you" in html
    kept = step(client, switched, c_age="45", action="lang:nl")  # the page script's language link: the page's answers kept
    assert '<html lang="nl">' in kept.content.decode() and 'value="45"' in kept.content.decode()


def test_drafts_are_encrypted_and_carry_no_time(client, demo):
    from afstand.services import drafts

    page = step(client, client.get("/s/clienten?via=mail"), consent="ja")
    page = step(client, page, c_age="35", c_gender="vrouw", c_open_tips="Geheim-antwoord-xyz")
    link = re.search(r'id="resume-link" href="([^"]+)"', page.content.decode()).group(1)
    token = link.split("/verder/")[1].split("?")[0]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Draft._meta.db_table}")
        dump = repr(cursor.fetchall())
    for secret in ("Geheim-antwoord-xyz", "vrouw", "c_age", "clienten@", token):
        assert secret not in dump
    state = drafts.load(token)
    assert state["a"]["c_age"] == "35" and not {"t", "time", "ts", "at"} & set(state)
    assert list(state) == [k for k in state if k in {"v", "w", "i", "a", "p", "c", "l", "e", "r", "n", "m", "reviewed"}]
    # a wrong token of the same shape reads nothing
    assert drafts.load(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None


def test_resume_link_continues_where_the_respondent_left_off(client, demo):
    from afstand.web.models import AuditEvent

    page = client.get("/s/clienten?via=mail")
    assert "resume-link" not in page.content.decode()  # nothing is saved before consent
    page = step(client, page, consent="ja")
    page = step(client, page, c_age="35", c_gender="vrouw", c_contact_type="toezicht")
    link = re.search(r'id="resume-link" href="([^"]+)"', page.content.decode()).group(1).replace("http://testserver", "")
    assert Draft.objects.count() == 1 and Response.objects.count() == 0
    resumed = client.get(link)  # the tab is closed; later the link opens the same page with the answers so far
    assert resumed.status_code == 200 and h1(resumed) == "Social media"
    back = step(client, resumed, action="back")
    assert 'value="35"' in back.content.decode()
    thanks, _ = review_and_send(client, step(client, back))
    stored = Response.objects.get()
    assert stored.answers["c_age"] == "35" and stored.channel == "mail"
    assert client.get(link).status_code == 302  # sent: the link leads to the thank-you page, no answers left in the draft
    code = shown_code(thanks.content.decode())
    client.post("/intrekken", {"code": code})
    assert not Response.objects.exists() and not AuditEvent.objects.filter(action="withdrawal").exists()  # counted, not audited
    assert Counter.objects.get(instrument="clienten", kind="withdrawn").value == 1


def test_expired_draft_is_refused(client, demo):
    import datetime as dt

    page = step(client, client.get("/s/clienten"), consent="ja")
    link = re.search(r'id="resume-link" href="([^"]+)"', page.content.decode()).group(1).replace("http://testserver", "")
    Draft.objects.update(saved_on=dt.date.today() - dt.timedelta(days=31))
    gone = client.get(link)
    assert gone.status_code == 404 and "Deze link werkt niet meer" in gone.content.decode() and Draft.objects.count() == 0
    assert client.get("/s/clienten/verder/not-a-token").status_code == 404


def test_withdrawal_code_typos_are_not_failed_tries(client, demo, settings):
    import uuid

    version = studies.active_version(demo.slug, "clienten")
    code = submissions.submit(version, uuid.uuid4(), {"consent": "ja"}).body["withdrawal_code"]
    settings.AFSTAND_WITHDRAW_LIMIT = 2
    compact = code.replace("-", "")
    i = next(
        i for i in range(15) if compact[i] != compact[i + 1] and {compact[i], compact[i + 1]} != {"0", "Z"}
    )  # Luhn mod 32 misses only 0<->Z
    swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
    wrong = code.replace(code[0], "Z" if code[0] != "Z" else "Y", 1)
    for typo in (wrong, swapped, wrong, wrong):
        page = client.post("/intrekken", {"code": typo}, REMOTE_ADDR="198.51.100.9")
        assert page.status_code == 400 and "Een van de tekens van deze code klopt niet" in page.content.decode()
        assert "<title>Fout:" in page.content.decode()
    assert client.post("/intrekken", {"code": " " + code.replace("-", "").lower() + " "}, REMOTE_ADDR="198.51.100.9").status_code == 303
    assert not Response.objects.exists()


def test_signup_errors_name_the_field_and_link_to_it(client, demo):
    bad = client.post("/aanmelden/werken-op-afstand", {"purpose": "loterij", "name": "", "email": "not-an-email"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "<title>Fout: Aanmelden" in html
    assert '<a href="#email">E-mailadres: Voer een geldig e-mailadres in.</a>' in html and 'href="#name">Naam:' in html
    assert 'id="email" name="email" value="not-an-email"' in html and 'aria-invalid="true" aria-describedby="m-email"' in html
    assert "purpose:" not in html and 'href="#"' not in html
    english = client.get("/aanmelden/werken-op-afstand?lang=en").content.decode()
    assert "What are you signing up for?" in english and 'href="?lang=nl"' in english


def test_signup_is_unlinkable(client, demo):
    form = client.get("/aanmelden/werken-op-afstand")
    assert form.status_code == 200
    done = client.post(
        "/aanmelden/werken-op-afstand",
        {"purpose": "focusgroep", "name": "Jan Jansen", "email": "jan@example.org", "phone": "0612345678", "availability": "dinsdag"},
    )
    assert done.status_code == 303 and len(signup_spool.all_for(demo)) == 1
    assert not [f for f in SignUp._meta.get_fields() if f.is_relation and f.related_model is Response]


def test_respondent_pages_are_compressed_and_have_a_favicon(client, demo):
    page = client.get("/s/clienten", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip" and b"<html" in gzip.decompress(page.content)
    script = client.get("/static/survey.js", HTTP_ACCEPT_ENCODING="gzip")
    assert script["Content-Encoding"] == "gzip" and script["Content-Type"].startswith("text/javascript")
    assert client.get("/favicon.ico")["Content-Type"] == "image/svg+xml"
    assert "Content-Encoding" not in client.get("/onderzoek/inloggen/", HTTP_ACCEPT_ENCODING="gzip")  # pages with CSRF tokens: never


def test_pages_are_short_and_the_time_comes_from_one_place(client, demo):
    from afstand.instrument import timing
    from afstand.services import survey_pages

    for name in ("clienten", "werkers"):
        form = studies.instrument_for(studies.active_version(demo.slug, name))
        pages = survey_pages.pages(form)
        assert max(sum(1 for e in p.elements if e in form.items) for p in pages) <= survey_pages.MAX_QUESTIONS
        assert sorted(e for p in pages for e in p.elements) == sorted(
            set(form.order) - {g.name for g in form.groups} | {e for g in form.groups for e in g.elements}
        )
        expected = timing.minutes(form.items.values())  # with consent every page of these forms is asked
        html = client.get(f"/s/{name}").content.decode()
        assert f"Dit duurt ongeveer {expected} minu" in html
        assert "minuten" not in form.notes["intro"].label("Nederlands (nl)")  # the intro states no time of its own


@FUZZ_SLOW
@given(
    fields=st.dictionaries(
        st.sampled_from(["action", "c_age", "c_gender", "c_contact_years", "c_contact_type", "lang", "consent"]),
        st.text(max_size=20),
        max_size=6,
    ),
    stap=st.sampled_from(["1", "2", "3", "9", "controle", "x", "-1", ""]),
)
def test_any_post_to_a_draft_page_is_a_redirect_never_an_error(client, demo, fields, stap):
    page = step(client, client.get("/s/clienten"), consent="ja")
    before = Response.objects.count()
    posted = client.post(action_of(page).split("?")[0] + f"?stap={stap}", fields)
    assert posted.status_code == 303
    assert client.get(posted["Location"]).status_code in (200, 302)
    assert Response.objects.count() in (before, before + 1)


def test_labels_are_escaped(client, tmp_path):
    """A form whose labels, hints and choices hold markup: the page shows the text, never the markup."""
    from afstand.services.studies import Form, create_study

    form = md_form(
        tmp_path,
        """
        | survey |
        | | type | name | label::Nederlands (nl) | hint::Nederlands (nl) | required | consent_choice |
        | | select_one yn | consent | Doe je mee? <script>alert(1)</script> | <b>vet</b> | yes | ja |
        | | text | waarom | <img src=x onerror=alert(2)> & "quote" | | | |
        | choices |
        | | list_name | name | label::Nederlands (nl) |
        | | yn | ja | Ja <i>zeker</i> |
        | | yn | nee | Nee |
        | settings |
        | | form_title | form_id | default_language |
        | | Test <script>alert(3)</script> | escape | Nederlands (nl) |
    """,
    )
    create_study("escape", "Escape", [Form("escape", form.name, form.read_bytes())])
    html = client.get("/s/escape/escape").content.decode()
    assert "Doe je mee? &lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "Ja &lt;i&gt;zeker&lt;/i&gt;" in html and "Test &lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quote&quot;" in html  # a form without groups: one page
    assert "<script>alert" not in html and "<b>vet" not in html and "<i>zeker" not in html and "<img src=x" not in html


def test_sending_twice_stores_once_and_shows_the_same_code(client, demo):
    """A double tap on Send, or the review page sent again from an old tab: one response, the same code."""
    page = step(client, client.get("/s/clienten"), consent="ja")
    page = step(client, page, c_age="50")
    while h1(page) != "Controleer je antwoorden":
        page = step(client, page)
    action = re.search(r'<form method="post" action="([^"]+)"', page.content.decode()).group(1)
    first, second = client.post(action, {"action": "send"}), client.post(action, {"action": "send"})
    assert first.status_code == second.status_code == 303 and first["Location"] == second["Location"]
    codes = {shown_code(client.get(r["Location"]).content.decode()) for r in (first, second)}
    assert len(codes) == 1 and Response.objects.count() == 1
