"""The closed and not-yet-open pages of a wave in a real browser (Debian's chromium, the 375×667
touch profile): the right status, Dutch first and English through the language link, and no
axe-core WCAG 2.2 A/AA violation."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import run_cli
from tests.web import live
from tests.web.browser import ARGS, CHROMIUM, PHONE, audit, playwright, pytestmark  # noqa: F401


@pytest.fixture
def closed_site(tmp_path):
    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    process = live.start(db, tmp_path, workers=1)
    try:
        status, _, _ = live.Client(process.port, timeout=120).request("GET", "/s/werken-op-afstand/clienten")
        assert status == 200  # the server has migrated and loaded the study: the command may write now
        yesterday, later = dt.date.today() - dt.timedelta(days=1), dt.date.today() + dt.timedelta(days=30)
        for label, option, day in (("2022", "--ends", yesterday), ("2023", "--starts", later)):
            made = run_cli("study", "wave", "create", "--study", "werken-op-afstand", "--label", label, option, day.isoformat(), "--db", db)
            assert made.returncode == 0, made.stderr
        yield f"http://127.0.0.1:{process.port}", later
    finally:
        live.stop(process)


def test_closed_and_not_yet_open_pages_are_accessible(closed_site):
    base, opens = closed_site
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            answered = page.goto(f"{base}/s/werken-op-afstand/m/2022/clienten")
            assert answered.status == 410 and page.locator("h1").inner_text() == "Deze vragenlijst is gesloten"
            assert page.locator("html").get_attribute("lang") == "nl" and audit(page) == []
            with page.expect_navigation():
                page.locator("a.lang").tap()
            assert page.locator("h1").inner_text() == "This questionnaire is closed" and audit(page) == []
            answered = page.goto(f"{base}/s/werken-op-afstand/clienten")  # the current wave, 2023, starts later
            assert answered.status == 403 and page.locator("h1").inner_text() == "Deze vragenlijst is nog niet open"
            assert str(opens.year) in page.locator("main").inner_text() and audit(page) == []
            context.close()
        finally:
            browser.close()
