"""Researchers in headless Debian Chromium (Playwright). The respondents' browser tests are in test_respondent_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import ARGS, CHROMIUM, playwright

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
SHOTS: Path | None = None  # screenshots go to pytest's temporary folder, never into the repository


@pytest.fixture(scope="module", autouse=True)
def _screenshots(tmp_path_factory):
    global SHOTS
    SHOTS = tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_researcher_sees_counts_and_downloads_exports(server, browser, tmp_path):
    import json
    import subprocess
    import sys
    import urllib.request
    import uuid

    import openpyxl
    import pyreadstat

    base, db, env, _ = server
    for channel, age in (("whatsapp", 30), ("mail", 51), ("whatsapp", 44)):
        body = json.dumps({"instance_id": str(uuid.uuid4()), "answers": {"consent": "ja", "c_age": age, "c_gender": "man"}}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/surveys/clienten/responses?via={channel}", data=body, headers={"Content-Type": "application/json"}
        )
        assert urllib.request.urlopen(request).status == 201
    exe = Path(sys.executable).with_name("afstand")
    made = subprocess.run(
        [str(exe), "createuser", "--username", "onderzoeker", "--role", "analyst", "--db", db],
        env={**env, "AFSTAND_PASSWORD": "Een-lang-wachtwoord-42"},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/onderzoek/werken-op-afstand/")
    assert "/onderzoek/inloggen/" in page.url
    page.get_by_label("Gebruikersnaam").fill("onderzoeker")
    page.get_by_label("Wachtwoord").fill("Een-lang-wachtwoord-42")
    page.get_by_role("button", name="Inloggen").click()
    assert page.locator("#total-clienten").inner_text() == "3"
    shot(page, "07-researcher-monitor")
    files = {}
    for fmt, name in (("csv", "CSV (voor Excel)"), ("xlsx", "XLSX"), ("sav", "SPSS (.sav)")):
        section = page.locator("section", has=page.locator("h2", has_text="clienten"))
        with page.expect_download() as info:
            section.get_by_role("link", name=name, exact=True).click()
        files[fmt] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[fmt])
    assert files["csv"].read_text(encoding="utf-8").count("\n") == 4
    sheet = openpyxl.load_workbook(files["xlsx"]).active
    assert sheet.max_row == 4
    frame, meta = pyreadstat.read_sav(str(files["sav"]))
    assert len(frame) == 3 and sorted(frame["c_age"]) == [30, 44, 51]
    assert dict(zip(meta.column_names, meta.column_labels))["c_age"] == "Hoe oud ben je?"  # the version answered (B1, 2026)
    assert meta.variable_value_labels["c_gender"][1.0] == "Man"
    section = page.locator("section", has=page.locator("h2", has_text="clienten"))
    section.get_by_role("link", name="Analyse en figuren").click()
    assert page.locator("#n-consented").inner_text() == "3"
    shot(page, "08-researcher-analysis")
    context.close()


def _post_rows(base: str, name: str, path: Path, limit: int) -> None:
    """The first ``limit`` rows of a response file, the consented ones posted to the survey API."""
    import csv
    import json
    import urllib.request
    import uuid

    with path.open(encoding="utf-8") as handle:
        for row in list(csv.DictReader(handle))[:limit]:
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") != "ja":
                continue
            body = json.dumps({"instance_id": str(uuid.uuid4()), "answers": answers}).encode()
            request = urllib.request.Request(
                f"{base}/api/v1/surveys/{name}/responses", data=body, headers={"Content-Type": "application/json"}
            )
            assert urllib.request.urlopen(request).status == 201


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/onderzoek/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("Een-lang-wachtwoord-42")
    page.get_by_role("button", name="Inloggen").click()
    return context, page


def test_coder_codes_answers_and_the_report_shows_the_themes(server, browser, study_files, tmp_path):
    """On the reference study's rows when ../shared is there, else on the seeded demo study's."""
    import subprocess
    import sys

    base, db, env, _ = server
    _post_rows(base, "werkers", study_files["werkers"], 40)
    _post_rows(base, "clienten", study_files["clienten"], 27)
    exe = Path(sys.executable).with_name("afstand")
    for user, role in (("codeur", "coder"), ("eigenaar", "owner")):
        made = subprocess.run(
            [str(exe), "createuser", "--username", user, "--role", role, "--db", db],
            env={**env, "AFSTAND_PASSWORD": "Een-lang-wachtwoord-42"},
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
    context, page = _login(browser, base, "codeur")
    page.goto(f"{base}/onderzoek/werken-op-afstand/coderen/W1/")
    # 1: a span, coded with the keyboard shortcut of the first code
    page.evaluate("""() => { const node = document.getElementById('answer-text').firstChild;
        const range = document.createRange(); range.setStart(node, 0); range.setEnd(node, 8);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(range); }""")
    page.wait_for_function("document.getElementById('span-end').value === '8'")
    expected_quote = page.locator("#answer-text").inner_text()[:8]
    first_code = page.locator("button.code-button").first.get_attribute("value")
    with page.expect_navigation():
        page.keyboard.press("1")
    assert f"“{expected_quote}” [0, 8)" in page.locator("#applied").inner_text()
    shot(page, "09-coding-span")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # 2: the whole answer, with a button
    second_code = page.locator("button.code-button").nth(1).get_attribute("value")
    page.locator("button.code-button").nth(1).click()
    assert "hele antwoord" in page.locator("#applied").inner_text()
    page.get_by_role("button", name="Klaar, volgend antwoord (Enter)").click()
    # 3: accept a suggestion
    suggestion = page.locator("ul.suggestions li").first
    accepted = suggestion.get_attribute("id").removeprefix("suggestion-")
    suggestion.get_by_role("button", name="Overnemen").click()
    assert page.locator(f"#suggestion-{accepted}").count() == 0 and "hele antwoord" in page.locator("#applied").inner_text()
    page.get_by_role("button", name="Klaar, volgend antwoord (Enter)").click()
    page.goto(f"{base}/onderzoek/werken-op-afstand/coderen/W1/frequenties/")
    counts = {c: int(page.locator(f"#freq-{c} td.n").inner_text()) for c in {first_code, second_code, accepted}}
    expected = {}
    for c in (first_code, second_code, accepted):
        expected[c] = expected.get(c, 0) + 1
    assert counts == expected
    shot(page, "10-coding-frequencies")
    context.close()
    context, page = _login(browser, base, "eigenaar")
    with page.expect_download(timeout=120_000) as info:
        page.goto(f"{base}/onderzoek/werken-op-afstand/analyse/werkers/")
        page.get_by_role("link", name="HTML").click()
    report = tmp_path / "rapport.html"
    info.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert "Typen cliënten bij wie online werken goed werkt" in html and "3 gecodeerde antwoorden" in html
    context.close()
