"""A client completes the survey on a phone-sized screen in headless Debian Chromium (Playwright)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def phone(server):
    base = server[0]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, java_script_enabled=False, locale="nl-NL")
        page = context.new_page()
        yield base, page
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_client_completes_survey_on_a_phone(phone):
    base, page = phone
    page.goto(f"{base}/s/clienten?via=whatsapp")
    assert page.locator("h1").inner_text() == "Meedoen"
    assert page.locator("button[value=next]").inner_text() == "Volgende"
    shot(page, "01-consent")
    page.get_by_role("button", name="Volgende").click()  # no consent given: error summary
    assert page.get_by_role("alert").is_visible()
    page.get_by_label("Ja, ik doe mee").check()
    page.get_by_role("button", name="Volgende").click()
    assert page.locator("h1").inner_text() == "Over u"
    page.get_by_label("Man", exact=True).check()
    page.get_by_label("Hoe oud bent u?").fill("12")
    page.get_by_role("button", name="Volgende").click()
    assert "Dit antwoord kan niet kloppen" in page.get_by_role("alert").inner_text()
    shot(page, "02-validation")
    page.get_by_label("Hoe oud bent u?").fill("41")
    page.get_by_label("Toezicht").check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Vorige").click()  # back keeps the answers
    assert page.get_by_label("Hoe oud bent u?").input_value() == "41"
    page.get_by_role("button", name="Volgende").click()
    assert page.locator("h1").inner_text() == "Social media"
    shot(page, "03-likert")
    for _ in range(10):
        if page.locator("#withdrawal-code").count():
            break
        page.locator("button[value=next]").click()
    shot(page, "04-thanks")
    code = page.locator("#withdrawal-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){4}", code)
    page.get_by_role("link", name="Antwoorden verwijderen").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verwijderen").click()
    assert "Je antwoorden zijn verwijderd." in page.content()
