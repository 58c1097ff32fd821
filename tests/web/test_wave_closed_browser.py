"""A respondent on a phone (Debian's chromium, the 375×667 touch profile) when the owner closes the
wave while they are busy: the sign-up form they are typing into and the questionnaire they left
halfway both say, after the close, that they are closed (410), in plain Dutch (English through
the language link), with no axe-core WCAG 2.2 A/AA violation; the sign-up is not spooled and the
unsent answers are gone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import run_cli
from tests.web import live
from tests.web.browser import ARGS, CHROMIUM, PHONE, audit, playwright, pytestmark, type_into  # noqa: F401

STUDY = "werken-op-afstand"
MONTHS_NL = "januari februari maart april mei juni juli augustus september oktober november december".split()


@pytest.fixture
def site(tmp_path):
    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    process = live.start(db, tmp_path, workers=1)
    try:
        status, _, _ = live.Client(process.port, timeout=120).request("GET", f"/s/{STUDY}/clienten")
        assert status == 200  # migrated and the study loaded: its one wave, 2021, is open (no dates)
        yield f"http://127.0.0.1:{process.port}", db, tmp_path / "signup-spool"
    finally:
        live.stop(process)


def spooled(folder) -> list:
    return sorted(p.name for p in folder.glob("*") if not p.name.startswith(".")) if folder.is_dir() else []


def test_signup_form_and_draft_say_closed_after_the_owner_closes_the_wave(site):
    base, db, spool = site
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            # halfway through the questionnaire: consent given, one page further, then the phone is put away
            page.goto(f"{base}/s/{STUDY}/m/2021/clienten")
            page.get_by_text("Ja, ik doe mee").tap()
            with page.expect_navigation():
                page.locator("button.forward").tap()
            type_into(page, page.get_by_label("Hoe oud ben je?"), "30")
            with page.expect_navigation():
                page.locator("button.forward").tap()
            resume = page.url
            assert "/verder/" in resume
            # the sign-up form, open: one person signs up, a second is still typing
            form = context.new_page()
            form.goto(f"{base}/aanmelden/{STUDY}/m/2021")
            form.locator("label.choice").first.tap()
            type_into(form, form.get_by_label("Naam"), "Anna de Vries")
            type_into(form, form.get_by_label("E-mailadres"), "anna@example.org")
            with form.expect_navigation():
                form.locator("button.forward").tap()
            assert form.locator("[role=status]").count() == 1 and len(spooled(spool)) == 1
            form.goto(f"{base}/aanmelden/{STUDY}/m/2021")
            form.locator("label.choice").last.tap()
            type_into(form, form.get_by_label("Naam"), "Bram Jansen")
            type_into(form, form.get_by_label("E-mailadres"), "bram@example.org")
            # meanwhile the owner closes the wave
            closed = run_cli("study", "wave", "close", "--study", STUDY, "--wave", "2021", "--db", db)
            assert closed.returncode == 0, closed.stderr
            yesterday = dt.date.today() - dt.timedelta(days=1)
            with form.expect_navigation() as sent:
                form.locator("button.forward").tap()
            assert sent.value.status == 410 and form.locator("h1").inner_text() == "Aanmelden is gesloten"
            said = form.locator("main").inner_text()
            assert f"tot en met {yesterday.day} {MONTHS_NL[yesterday.month - 1]} {yesterday.year}" in said and "Bram" not in said
            assert form.locator("html").get_attribute("lang") == "nl" and form.locator("form").count() == 0
            assert audit(form) == [] and len(spooled(spool)) == 1  # Bram's sign-up was not spooled
            with form.expect_navigation():
                form.locator("a.lang").tap()
            assert form.locator("h1").inner_text() == "Signing up is closed" and audit(form) == []
            # back to the questionnaire with the resume link
            answered = page.goto(resume)
            assert answered.status == 410 and page.locator("h1").inner_text() == "Deze vragenlijst is gesloten"
            assert "Je antwoorden zijn niet verstuurd. We hebben ze verwijderd." in page.locator("main").inner_text()
            assert page.locator("input").count() == 0 and audit(page) == []
            context.close()
        finally:
            browser.close()


def test_back_and_next_after_a_reopen_do_not_revive_a_link_emptied_at_the_close(site):
    """Review rev14 F8 on the phone: answers left halfway, the wave closed (Next: 410) and reopened;
    Back to the consent page (kept in the history with its draft key) and Next start a new draft
    with a new link, and the old link keeps saying "Deze link werkt niet meer" (404)."""
    base, db, _spool = site
    start = f"{base}/s/{STUDY}/m/2021/clienten"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.goto(start)
            page.get_by_text("Ja, ik doe mee").tap()
            with page.expect_navigation():
                page.locator("button.forward").tap()
            old = page.url.split("/verder/")[1].split("?")[0]
            type_into(page, page.get_by_label("Hoe oud ben je?"), "30")
            with page.expect_navigation():
                page.locator("button.forward").tap()
            closed = run_cli("study", "wave", "close", "--study", STUDY, "--wave", "2021", "--db", db)
            assert closed.returncode == 0, closed.stderr
            with page.expect_navigation() as sent:
                page.locator("button.forward").tap()
            assert sent.value.status == 410 and page.locator("h1").inner_text() == "Deze vragenlijst is gesloten"
            ends = (dt.date.today() + dt.timedelta(days=30)).isoformat()
            reopened = run_cli("study", "wave", "reopen", "--study", STUDY, "--wave", "2021", "--ends", ends, "--db", db)
            assert reopened.returncode == 0, reopened.stderr
            for _ in range(5):  # Back until the consent page: every page of the old link on the way says it is gone
                shown = page.go_back()
                if page.url == start:
                    break
                assert shown.status == 404 and page.locator("h1").inner_text() == "Deze link werkt niet meer", page.url
            assert page.url == start
            page.get_by_text("Ja, ik doe mee").tap()
            with page.expect_navigation() as went:
                page.locator("button.forward").tap()
            assert went.value.status == 200 and "/verder/" in page.url and old not in page.url  # a new draft, a new link
            assert page.get_by_label("Hoe oud ben je?").input_value() == ""
            again = page.goto(f"{base}/s/{STUDY}/clienten/verder/{old}?stap=2")
            assert again.status == 404 and page.locator("h1").inner_text() == "Deze link werkt niet meer"
            assert audit(page) == []
        finally:
            browser.close()
