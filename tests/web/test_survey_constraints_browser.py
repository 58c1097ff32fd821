"""Constraints checked by the page script (``static/survey.js``) as the server checks them: a
respondent on a 375×667 touch phone (headless Debian Chromium, Playwright) types an answer that
breaks a question's ``constraint`` and presses Enter; the page is not sent, and the error shows in
the server's own pattern — the summary with links (focused, ``role=alert``), the form's
``constraint_message`` (Dutch first) under the question, linked with ``aria-describedby``, and
"Fout:" before the title. With the script off the server shows the same. A number the server
cannot read (``3,5`` for a whole number, ``1.000``) is left to the server's own message.
A ``required`` that is a condition on an answer of the same page (the postcode, required over 40
hours a week) is asked for exactly while it holds.

A second test compares the script's verdict with the server's (``read_page`` and ``page_errors``,
as the survey view checks a posted page) over seeded random answers, in repeat instances too
(``position()``, a reference to an earlier page)."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from tests.web import browser as shared
from tests.web import live

pytestmark = shared.pytestmark  # Debian's chromium and axe-core (npm ci --prefix tests/web/axe)
ARGS, CHROMIUM, PHONE, playwright = shared.ARGS, shared.CHROMIUM, shared.PHONE, shared.playwright

FORM = """| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | constraint | constraint_message::Nederlands (nl) | constraint_message::English (en) | appearance | required |
| | begin_group | over | Over jou | About you | | | | field-list | |
| | integer | age | Hoe oud ben je? | How old are you? | . >= 16 and . <= 99 | Vul een leeftijd in tussen 16 en 99. | Enter an age between 16 and 99. | | |
| | decimal | hours | Hoeveel uur werk je per week? | How many hours a week do you work? | . <= 80 and . > ${age} div 10 | Vul een aantal uren in tot 80. | Enter up to 80 hours. | | |
| | text | postcode | Wat is je postcode? | What is your postcode? | regex(., '^[0-9]{4} ?[A-Za-z]{2}$') | Typ een postcode zoals 1234 AB. | Type a postcode like 1234 AB. | | ${hours} > 40 |
| | date | since | Sinds wanneer werk je daar? | Since when do you work there? | . <= today() and . > '1950-01-01' | | | | |
| | select_multiple kleur | colours | Welke kleuren vind je mooi? | Which colours do you like? | count-selected(.) <= 2 | Kies er hoogstens twee. | Choose two at most. | | |
| | text | nick | Hoe noemen ze je? | What do they call you? | string-length() >= 2 and format-date(${since}, '%Y') != '2000' | Minstens twee letters. | At least two letters. | | yes |
| | end_group | | | | | | | | |
| | begin_repeat | kind | Kind | Child | | | | | |
| | integer | k_age | Hoe oud is dit kind? | How old is this child? | . < ${age} and (position() < 3 or . < 18) | Een kind is jonger dan jij. | A child is younger than you. | | |
| | text | k_name | Naam van het kind | Name of the child | jr:choice-name(${k_colour}, '${k_colour}') != . | Niet de naam van de kleur. | Not the colour's name. | | |
| | select_one kleur | k_colour | Lievelingskleur | Favourite colour | | | | | |
| | end_repeat | | | | | | | | |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) | | | | |
| | kleur | rood | Rood | Red | | | | |
| | kleur | groen | Groen | Green | | | | |
| | kleur | blauw | Blauw | Blue | | | | |
| settings |
| | form_title | form_id | default_language | | | | | |
| | Werk en kinderen | werkkind | Nederlands (nl) | | | | | |
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("constraints")
    process, db, form = live.start_with_form(var, "grenzen", "Grenzen", "werkkind", FORM)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield f"http://127.0.0.1:{process.port}", db, browser, form
        browser.close()
    live.stop(process)


_type = shared.type_into


def _errors(page) -> dict:
    """The error pattern as a screen reader meets it: the title, the focused summary's lines, and
    per question its message and what its field is described by."""
    return page.evaluate("""() => {
        const summary = document.getElementById('errors');
        const fields = {};
        for (const q of document.querySelectorAll('.q.invalid')) {
            const message = q.querySelector('p.message');
            const described = q.tagName === 'FIELDSET' ? q : q.querySelector('input, textarea');
            fields[q.id] = {message: message && message.textContent, id: message && message.id,
                            describedby: (described.getAttribute('aria-describedby') || '').split(' ').filter(Boolean),
                            invalid: [...q.querySelectorAll('input, textarea')].every(i => i.getAttribute('aria-invalid') === 'true')};
        }
        return {title: document.title.split(' ')[0], focus: document.activeElement.id,
                role: summary && summary.getAttribute('role'),
                lines: summary ? [...summary.querySelectorAll('li a')].map(a => [a.getAttribute('href'), a.textContent]) : [],
                fields};
    }""")


def _start(page, base: str) -> None:
    page.goto(f"{base}/s/grenzen/werkkind")


def _fill_first_page(page, js: bool) -> None:
    _type(page, page.get_by_label("Hoe oud ben je?"), "12")
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "36,5")
    for colour in ("Rood", "Groen", "Blauw"):
        page.get_by_text(colour, exact=True).tap()
    _type(page, page.get_by_label("Hoe noemen ze je?"), "X")
    _type(page, page.get_by_label("Wat is je postcode?"), "12345")


def test_a_broken_constraint_is_refused_on_the_phone_in_the_servers_error_pattern(site):
    base, db, browser, _ = site
    seen = {}
    for js in (True, False):
        context = browser.new_context(**PHONE, java_script_enabled=js)
        page = context.new_page()
        posts = []
        page.on("request", lambda request, posts=posts: posts.append(request.url) if request.method == "POST" else None)
        _start(page, base)
        _fill_first_page(page, js)
        if js:
            page.evaluate("window.__samePage = true")
            page.keyboard.press("Enter")  # Enter in the postcode field: the page stays, nothing is posted
            page.locator("#errors").wait_for()
            assert page.evaluate("window.__samePage === true") and posts == []
        else:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert len(posts) == 1
        seen[js] = _errors(page)
        if js:  # the page as the script left it passes axe-core's WCAG 2.2 A/AA rules
            page.evaluate(shared.AXE.read_text(encoding="utf-8"))
            violations = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map(v => v.id))", shared.WCAG
            )
            assert violations == []
        context.close()
    client, server = seen[True], seen[False]
    assert client["title"] == "Fout:" and client["focus"] == "errors" and client["role"] == "alert"
    assert client["lines"] == [
        ["#age", "Hoe oud ben je?: Vul een leeftijd in tussen 16 en 99."],
        ["#postcode", "Wat is je postcode?: Typ een postcode zoals 1234 AB."],
        ["#colours", "Welke kleuren vind je mooi?: Kies er hoogstens twee."],
        ["#nick", "Hoe noemen ze je?: Minstens twee letters."],
    ]
    for name, shown in client["fields"].items():
        assert shown["id"] in shown["describedby"] and shown["invalid"], (name, shown)
    assert client == server  # the same lines, messages and links as the server's page


def test_numbers_the_server_cannot_read_are_left_to_the_server_and_a_repeat_checks_its_own_instance(site):
    base, db, browser, _ = site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _start(page, base)
    _type(page, page.get_by_label("Hoe noemen ze je?"), "Bo")
    _type(page, page.get_by_label("Hoe oud ben je?"), "3,5")  # not a whole number: the server's message, not the constraint's
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "1.000")  # a thousand or one?
    with page.expect_navigation():
        page.keyboard.press("Enter")
    lines = [text for _, text in _errors(page)["lines"]]
    assert lines == [
        "Hoe oud ben je?: Typ een heel getal, bijvoorbeeld 3.",
        "Hoeveel uur werk je per week?: Welk getal bedoel je? Schrijf duizend zonder punt of komma: 1000. Schrijf anderhalf als 1,5.",
    ], lines
    _type(page, page.get_by_label("Hoe oud ben je?"), "40")
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "3,5")  # 3.5 is not more than 40 div 10
    page.keyboard.press("Enter")
    page.get_by_text("Vul een aantal uren in tot 80.").first.wait_for()
    assert [text for _, text in _errors(page)["lines"]] == ["Hoeveel uur werk je per week?: Vul een aantal uren in tot 80."]
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "36,5")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Kind" and page.locator("#errors").count() == 0
    _type(page, page.get_by_label("Hoe oud is dit kind?"), "41")  # not younger than the respondent (an earlier page)
    page.get_by_text("Groen", exact=True).tap()
    _type(page, page.get_by_label("Naam van het kind"), "Groen")  # jr:choice-name: the label of the chosen colour
    page.evaluate("window.__samePage = true")
    page.keyboard.press("Enter")
    page.locator("#errors").wait_for()
    assert page.evaluate("window.__samePage === true")
    assert [text for _, text in _errors(page)["lines"]] == [
        "Hoe oud is dit kind? (1): Een kind is jonger dan jij.",
        "Naam van het kind (1): Niet de naam van de kleur.",
    ]
    _type(page, page.get_by_label("Hoe oud is dit kind?"), "9")
    _type(page, page.get_by_label("Naam van het kind"), "Sam")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with page.expect_navigation():
        page.locator("button#send").tap()
    assert page.locator("#withdrawal-code").count() == 1
    context.close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        rows = [json.loads(a) for (a,) in connection.execute("SELECT answers FROM afstand_response")]
    mine = {"age": "40", "hours": "36.5", "kind": [{"k_age": "9", "k_name": "Sam", "k_colour": "groen"}]}
    assert any(mine.items() <= row.items() for row in rows), rows


def test_a_required_condition_on_this_page_is_checked_as_the_answers_change(site):
    base, _, browser, _ = site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _start(page, base)
    mark = page.locator("#q-postcode [data-required-mark]")  # "(verplicht)" while the condition holds
    assert mark.is_hidden()
    _type(page, page.get_by_label("Hoe noemen ze je?"), "Bo")
    _type(page, page.get_by_label("Hoe oud ben je?"), "40")
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "45")
    assert mark.is_visible()
    page.evaluate("window.__samePage = true")
    page.keyboard.press("Enter")  # the postcode left empty over 40 hours: the page stays
    page.locator("#errors").wait_for()
    assert page.evaluate("window.__samePage === true")
    assert _errors(page)["lines"] == [["#postcode", "Wat is je postcode?: Geef hier een antwoord."]]
    _type(page, page.get_by_label("Hoeveel uur werk je per week?"), "30")
    assert mark.is_hidden()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # 30 hours: the postcode may stay empty
    assert page.locator("h1").inner_text() == "Kind" and page.locator("#errors").count() == 0
    context.close()


AGES = ["", "15", "16", "40", "99", "100", "3,5", "-1", "1.000", "17,0", "abc", " 20 "]
HOURS = ["", "0", "2", "4,5", "4.1", "80", "80,01", "1 000", "x"]
CODES = ["", "1234 AB", "1234ab", "12345", "1234 A", "abcd EF"]
DATES = ["", "1950-01-01", "1950-01-02", "2001-05-05", "2000-02-29", "2999-01-01"]
NICKS = ["", "X", "Xi", "Bo ", "  Y  "]


def _server_verdict(form, answers_before: dict, posted: dict, page_index: int) -> set:
    """The fields whose constraint or required answer the server refuses (the survey view's own read and check of a posted page)."""
    from afstand.services import survey_pages as layout

    pages = layout.pages(form)
    answers, _, number_errors = layout.read_page(
        form, pages[page_index], answers_before, {k: [v] if isinstance(v, str) else v for k, v in posted.items()}
    )
    errors = {**layout.page_errors(form, pages[page_index], answers), **number_errors}
    return {name for name, code in errors.items() if code in ("constraint", "required")}


def test_the_page_script_refuses_exactly_what_the_server_refuses(site):
    """Seeded random answers on the first page: the script's verdict per question (a broken
    constraint, a required question left empty) equals the server's."""
    from afstand.instrument.loader import load_instrument

    base, _, browser, form_path = site
    form = load_instrument(form_path)
    rng = random.Random(16)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _start(page, base)
    page.get_by_text("Hoe oud ben je?").wait_for()
    first_page = page.url
    disagreements, refused = [], 0
    for _ in range(40):
        posted = {
            "q-age": rng.choice(AGES),
            "q-hours": rng.choice(HOURS),
            "q-postcode": rng.choice(CODES),
            "q-since": rng.choice(DATES),
            "q-nick": rng.choice(NICKS),
            "q-colours": rng.sample(["rood", "groen", "blauw"], rng.randint(0, 3)),
        }
        page.goto(first_page)
        client = page.evaluate(
            """posted => {
                const form = document.querySelector('form.survey');
                for (const [name, value] of Object.entries(posted)) {
                    if (Array.isArray(value)) form.querySelectorAll(`[name="${name}"]`).forEach(b => { b.checked = value.includes(b.value); });
                    else form.querySelector(`[name="${name}"]`).value = value;
                }
                form.dispatchEvent(new Event('input', {bubbles: true}));
                let sent = false;
                form.addEventListener('submit', e => { sent = !e.defaultPrevented; e.preventDefault(); });
                form.requestSubmit(form.querySelector('button.forward'));
                return {sent, refused: [...document.querySelectorAll('.q.invalid')].map(q => q.id.slice(2))};
            }""",
            posted,
        )
        server = _server_verdict(form, {}, posted, 0)
        refused += len(server)
        if set(client["refused"]) != server or client["sent"] != (not server):
            disagreements.append((posted, client, sorted(server)))
    assert disagreements == [], disagreements[:5]
    assert refused > 10  # the comparison saw refusals, not only answers that pass
    context.close()


def test_a_date_typed_in_part_is_not_sent_empty_without_a_word(site):
    """Found on a phone: a date field filled in part (the day typed, not the month and year) is
    sent by the browser as empty, so what was typed was lost and nothing said so. The script now
    keeps the page and says "Vul een datum in." in the error pattern (nothing is posted)."""
    base, _, browser, _ = site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    _start(page, base)
    _type(page, page.get_by_label("Hoe noemen ze je?"), "Bo")
    page.get_by_label("Sinds wanneer werk je daar?").focus()
    page.keyboard.type("03")  # one part of the date only
    page.locator("button.forward").tap()
    page.locator("#errors").wait_for()
    shown = _errors(page)
    assert shown["lines"] == [["#since", "Sinds wanneer werk je daar?: Vul een datum in."]] and shown["focus"] == "errors"
    assert shown["fields"]["q-since"]["id"] in shown["fields"]["q-since"]["describedby"] and posts == []
    context.close()
