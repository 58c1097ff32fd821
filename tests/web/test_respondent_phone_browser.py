"""Respondents on a phone, found by an outside review (docs: /work/wt/reviews/phone.md in the
project's review notes): headless Debian Chromium (Playwright), the 375×667 touch profile, typing
with the keyboard, the phone's Back button and reloads.

* 200 % zoom on a 375 and a 320 px phone (188 and 160 CSS px): no page of either questionnaire
  scrolls sideways — a long Dutch word (reclasseringswerker, Verslavingsreclassering) wraps —
  and Next can be tapped (before, at 160 px the page was wider than the screen and the tap
  landed on an answer);
* a reload in the middle of a page (a phone's pull-to-refresh) keeps what was typed and ticked on
  it until the page is sent (before, the ticks and typed numbers since the last Next were gone);
  a page the browser loads anew shows what the server has, never an older unsent state.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web import browser as shared
from tests.web import live

pytestmark = shared.pytestmark  # Debian's chromium and axe-core (npm ci --prefix tests/web/axe)
ARGS, CHROMIUM, PHONE, playwright = shared.ARGS, shared.CHROMIUM, shared.PHONE, shared.playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("phone")
    db = f"sqlite:///{var / 'afstand.sqlite3'}"
    process = live.start(db, var, workers=2)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield f"http://127.0.0.1:{process.port}", db, browser
        browser.close()
    live.stop(process)


_type = shared.type_into


def _next(page) -> None:
    with page.expect_navigation():
        page.locator("button.forward").tap()


def _sideways(page) -> list:
    """What sticks out to the right of the screen (empty when nothing scrolls sideways)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 3).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
    }""")


@pytest.mark.parametrize("width", [188, 160], ids=["375px-at-200%", "320px-at-200%"])
def test_zoomed_in_no_page_scrolls_sideways(site, width):
    base, _, browser = site
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 667}})
    page = context.new_page()
    wide = []
    for instrument in ("clienten", "werkers"):
        page.goto(f"{base}/s/{instrument}")
        wide += [(instrument, "consent", w) for w in _sideways(page)]
        page.get_by_text("Ja, ik doe mee").tap()
        _next(page)
        if instrument == "clienten":
            _type(page, page.get_by_label("Hoe oud ben je?"), "1.000")  # the error page, with its long message
            _next(page)
            assert page.locator("#errors").count() == 1
            wide += [(instrument, "error page", w) for w in _sideways(page)]
            _type(page, page.get_by_label("Hoe oud ben je?"), "30")
        for _ in range(30):
            heading = page.locator("h1").inner_text()
            wide += [(instrument, heading, w) for w in _sideways(page)]
            if heading == "Controleer je antwoorden":
                break
            _next(page)
        _next(page)
        wide += [(instrument, "thanks", w) for w in _sideways(page)]
    for path in ("/intrekken", "/aanmelden/werken-op-afstand", "/s/clienten?lang=en"):
        page.goto(base + path)
        wide += [(path, "", w) for w in _sideways(page)]
    context.close()
    assert wide == []


def test_a_reload_in_the_middle_of_a_page_keeps_what_was_typed(site):
    base, db, browser = site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/s/clienten")
    page.get_by_text("Ja, ik doe mee").tap()
    _next(page)
    page.get_by_text("Vrouw", exact=True).tap()
    _type(page, page.get_by_label("Hoe oud ben je?"), "57")
    page.get_by_text("Werkstraf").tap()
    page.reload()  # pull-to-refresh before Next
    assert page.get_by_label("Vrouw", exact=True).is_checked() and page.get_by_label("Werkstraf").is_checked()
    assert page.get_by_label("Hoe oud ben je?").input_value() == "57"
    _type(page, page.get_by_label("Hoe oud ben je?"), "58")
    kept = "Object.keys(sessionStorage).filter(k => k.startsWith('afstand:'))"
    assert len(page.evaluate(kept)) == 1
    _next(page)
    assert page.evaluate(kept) == []  # sent: nothing of it is left in the browser
    page.go_back()  # the page as sent, from the server
    assert page.get_by_label("Hoe oud ben je?").input_value() == "58"
    page.reload()
    assert page.get_by_label("Hoe oud ben je?").input_value() == "58" and page.get_by_label("Vrouw", exact=True).is_checked()
    page.get_by_label("Man", exact=True).tap()  # changed, not sent, then the page loaded anew: the server's answer
    page.goto(page.url)
    assert page.get_by_label("Vrouw", exact=True).is_checked()
    for _ in range(10):
        if page.locator("h1").inner_text() == "Controleer je antwoorden":
            break
        _next(page)
    _next(page)
    assert page.locator("#withdrawal-code").count() == 1 and page.evaluate(kept) == []
    context.close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        rows = [json.loads(a) for (a,) in connection.execute("SELECT answers FROM afstand_response")]
    assert any(r.get("c_age") == "58" and r.get("c_gender") == "vrouw" and r.get("c_contact_type") == "werkstraf" for r in rows), rows
