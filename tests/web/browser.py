"""Shared by the browser tests: Debian's Chromium driven by Playwright, the phone and desktop
profiles, and axe-core from npm (tests/web/axe). Browser tests skip when either is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (scripts/bootstrap.sh test runs npm ci in tests/web/axe)"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True, "locale": "nl-NL"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}
PROFILES = {"phone": PHONE, "desktop": DESKTOP}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def type_into(page, locator, text: str) -> None:
    """Replace a field's text as a phone user does: tap it, select all, delete, type key by key."""
    locator.tap()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def audit(page) -> list:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now (id and the first nodes' HTML)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.html.slice(0, 160))})))",
        WCAG,
    )
