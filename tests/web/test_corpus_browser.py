"""Every form of ../shared/xlsform-corpus that afstand accepts (the support matrix says which; a
form it refuses must be refused at upload with its list), end to end in a real browser: a
researcher uploads it through the research web app, a respondent on a 375×667 touch phone (headless
Debian Chromium, Playwright, the page script on) completes the survey once by typing with the
keyboard and tapping choices, pressing Enter in a one-line field or tapping Next, and the
researcher's export (the XLSX download: one sheet per table, Kobo's layout) holds exactly what
was typed, calculations included. axe-core checks every page state against WCAG 2.2 A/AA.

What the respondent types is a generated valid response (:func:`afstand.demo_form.generate_submissions`):
a question the form asks given the answers so far must be on the page and shown, and a question
the page script shows must be one the form asks (the script and the server's evaluator agree).
One server and one browser serve all forms; each form gets a study of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CORPUS, FORMS
from tests.web import browser as shared
from tests.web import live

pytestmark = shared.pytestmark  # Debian's chromium and axe-core (npm ci --prefix tests/web/axe)
ARGS, CHROMIUM, PHONE, playwright = shared.ARGS, shared.CHROMIUM, shared.PHONE, shared.playwright
PASSWORD = "Een-lang-wachtwoord-42"
META = ("response_id", "instrument_version", "submission_date", "wave", "_submission_response_id")


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    """One server and one browser for every form; a staff researcher logged in."""
    if not FORMS:
        pytest.skip("../shared/xlsform-corpus is not present")
    var = tmp_path_factory.mktemp("corpus-browser")
    db = f"sqlite:///{var / 'afstand.sqlite3'}"
    made = subprocess.run(  # before the server starts: one process migrates the new database
        [live.EXE, "createuser", "--username", "onderzoeker", "--role", "owner", "--staff", "--db", db],
        env={**live.server_env(var), "AFSTAND_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    process = live.start(db, var, workers=2)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            researcher = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True)
            page = researcher.new_page()
            base = f"http://127.0.0.1:{process.port}"
            page.goto(f"{base}/onderzoek/inloggen/")
            page.get_by_label("Gebruikersnaam").fill("onderzoeker")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Inloggen").click()
            yield base, browser, page, _field_order(browser)
            browser.close()
    finally:
        live.stop(process)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")


def _upload(page, base: str, name: str) -> tuple[str, str]:
    """The researcher creates a study with the form (the upload page, as a researcher fills it in)."""
    study, instrument = f"corpus-{_slug(name)}", _slug(name)[:40]
    page.goto(f"{base}/onderzoek/nieuw/")
    page.get_by_label("Titel van het onderzoek").fill(f"Corpus {name}")
    page.get_by_label("Korte naam in de links").fill(study)
    page.get_by_label("Naam van de vragenlijst").fill(instrument)
    page.locator("input[type=file]").set_input_files(str(CORPUS / name))
    with page.expect_navigation():
        page.get_by_role("button", name="Uploaden").click()
    return study, instrument


def _audit(page) -> list:
    """axe-core (WCAG 2.2 A/AA) on the page as the respondent sees it."""
    page.evaluate(shared.AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.html.slice(0, 160))})))",
        shared.WCAG,
    )


def _css(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _answer_at(instrument, answers: dict, field: str) -> str | None:
    """The generated answer for a page field (``q-age``, ``q-member[2]/age``), or None."""
    from afstand.responses.submission import split_error_key

    scope, key = split_error_key(field[2:])
    container = answers
    for repeat, index in scope:
        instances = container.get(repeat) or []
        if index >= len(instances):
            return None
        container = instances[index]
    value = container.get(key)
    return value if isinstance(value, str) and key in instrument.items else None


def _asked(instrument, answers: dict, field: str) -> bool:
    from afstand.instrument.engine import engine_for
    from afstand.responses.submission import split_error_key
    from afstand.services.form_pages import shown_answers

    scope, key = split_error_key(field[2:])
    return engine_for(instrument).is_relevant(key, shown_answers(instrument, answers), scope)


def _field_order(browser) -> tuple[list[str], bool]:
    """How the browser's date and time fields take what is typed, as a person reads it off the
    field: the order of day, month and year, and whether the time has an AM/PM part (Debian's
    Chromium shows its own UI language's format, whatever the page's language)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.set_content("<input type=time id=t>")
        page.locator("#t").focus()
        page.keyboard.type("0905")
        meridiem = page.locator("#t").input_value() != "09:05"
        for order in (["month", "day", "year"], ["day", "month", "year"], ["year", "month", "day"]):
            page.set_content("<input type=date id=d>")
            page.locator("#d").focus()
            page.keyboard.type("".join({"day": "03", "month": "02", "year": "2001"}[p] for p in order))
            if page.locator("#d").input_value() == "2001-02-03":
                return order, meridiem
    finally:
        context.close()
    raise AssertionError("cannot type a date into this browser's date field")


class Respondent:
    def __init__(self, page, instrument, answers, fields):
        self.page, self.instrument, self.answers = page, instrument, answers
        self.date_order, self.meridiem = fields
        self.typed_last = False

    def tap(self, locator):
        locator.scroll_into_view_if_needed()
        locator.tap()

    def date_keys(self, iso: str) -> str:
        year, month, day = iso[:10].split("-")
        return "".join({"day": day, "month": month, "year": year}[part] for part in self.date_order)

    def time_keys(self, hhmm: str) -> str:
        hour, minute = int(hhmm[:2]), hhmm[3:5]
        if not self.meridiem:
            return f"{hour:02d}{minute}"
        return f"{(hour % 12) or 12:02d}{minute}{'P' if hour >= 12 else 'A'}"

    def type(self, field, value: str):
        locator = self.page.locator(f"[name='{_css(field)}']")
        kind = locator.get_attribute("type") if locator.evaluate("n => n.tagName") == "INPUT" else "textarea"
        keyboard = self.page.keyboard
        if kind in ("date", "time", "datetime-local"):
            locator.focus()  # the field's first part, as Tab reaches it (a tap lands on the part under the finger)
            if kind == "date":
                keyboard.type(self.date_keys(value))
            elif kind == "time":
                keyboard.type(self.time_keys(value))
            else:
                keyboard.type(self.date_keys(value))
                keyboard.press("ArrowRight")  # from the year to the hour
                keyboard.type(self.time_keys(value[11:16]))
            assert locator.input_value() == value[:16], (field, value, locator.input_value())
        else:
            self.tap(locator)
            keyboard.press("Control+A")
            keyboard.press("Delete")
            number = "number" in (locator.get_attribute("class") or "")
            keyboard.type(value.replace(".", ",") if number else value)  # a Dutch page: a decimal comma
        self.typed_last = kind == "text"

    def fill_page(self) -> None:
        fields = self.page.locator("form.survey [name^='q-']").evaluate_all(
            "nodes => nodes.map(n => [n.name, n.type || n.tagName.toLowerCase()])"
        )
        seen: list[str] = []
        for field, kind in fields:
            if field in seen:
                continue
            seen.append(field)
            value = _answer_at(self.instrument, self.answers, field)
            first = self.page.locator(f"[name='{_css(field)}']").first
            shown = first.is_visible() or (kind in ("radio", "checkbox") and first.locator("xpath=..").is_visible())
            asked = _asked(self.instrument, self.answers, field)
            assert shown == asked, (
                f"{field}: the page {'shows' if shown else 'hides'} it, the form {'asks' if asked else 'does not ask'} it"
            )
            if value is None:
                continue
            if kind in ("radio", "checkbox") and field_kind(self.instrument, field) != "acknowledge":
                for choice in value.split() if kind == "checkbox" else [value]:
                    self.tap(self.page.locator(f"label.choice:has(input[name='{_css(field)}'][value='{_css(choice)}'])"))
                self.typed_last = False
            elif kind == "checkbox":  # acknowledge
                self.tap(first)
                self.typed_last = False
            else:
                self.type(field, value)

    def forward(self) -> None:
        with self.page.expect_navigation():
            if self.typed_last:
                self.page.keyboard.press("Enter")  # Enter in a one-line field moves forward
            else:
                self.tap(self.page.locator("button.forward"))


def field_kind(instrument, field: str) -> str:
    from afstand.responses.submission import split_error_key

    return instrument.items[split_error_key(field[2:])[1]].type


def _repeat_instances(page, instrument, answers) -> None:
    """On a repeat page: add instances (the page's Add button) until there are as many as generated."""
    from afstand.responses.submission import split_error_key

    names = page.locator("form.survey [name^='q-']").evaluate_all("nodes => nodes.map(n => n.name)")
    if not names:
        return
    scope, _ = split_error_key(names[0][2:])
    repeat = scope[-1][0]
    container = answers
    for r, i in scope[:-1]:
        container = container[r][i]
    wanted = len(container.get(repeat) or [])
    for _ in range(50):
        shown = int(page.locator("input[name=instances]").get_attribute("value"))
        add = page.locator("form.survey button[value=add]")
        if shown >= wanted or add.count() == 0:
            break
        with page.expect_navigation():
            add.tap()
    if wanted == 0:  # none generated: a flexible repeat shows one empty instance, left empty
        return


@pytest.mark.parametrize("name", FORMS or ["<no corpus>"])
def test_corpus_form_is_completed_in_the_browser(corpus_site, name, tmp_path):
    import openpyxl

    from afstand.demo_form import generate_submissions
    from afstand.instrument.loader import check_instrument, load_instrument
    from afstand.responses.submission import check_submission
    from afstand.responses.tables import MAIN, response_tables

    base, browser, research, fields = corpus_site
    report = check_instrument(CORPUS / name)
    study, slug = _upload(research, base, name)
    if not report.accepted:  # refused by the support matrix: the upload page says so with its list, and nothing is made
        shown = research.locator("body").inner_text()
        assert "Dit ging niet goed" in shown and all(line in shown for line in report.refusals()), shown[-2000:]
        return
    assert research.url.endswith(f"/onderzoek/{study}/"), research.locator("main").inner_text()[:2000]
    instrument = load_instrument(CORPUS / name)
    today = dt.date.today()
    answers = generate_submissions(instrument, 1, seed=11, today=today)[0]

    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{base}/s/{study}/{slug}")
        respondent = Respondent(page, instrument, answers, fields)
        violations = []
        for _ in range(80):
            violations += [(page.locator("h1").inner_text(), v) for v in _audit(page)]
            if page.locator("#withdrawal-code").count():
                break
            assert page.locator("#errors").count() == 0, page.locator("main").inner_text()[:2000]
            if page.locator("button#send").count():  # the review page: send
                with page.expect_navigation():
                    respondent.tap(page.locator("button#send"))
                continue
            if page.locator("input[name=instances]").count():
                _repeat_instances(page, instrument, answers)
            respondent.typed_last = False
            respondent.fill_page()
            respondent.forward()
        else:
            pytest.fail("the survey did not end")
    finally:
        context.close()
    assert violations == []  # every page state of the form passes axe-core's WCAG 2.2 A/AA rules

    with research.expect_download() as info:
        research.goto(f"{base}/onderzoek/{study}/")
        research.get_by_role("link", name="XLSX", exact=True).click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    exported = {}
    for sheet in workbook.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        exported[sheet.title] = [dict(zip(rows[0], row)) for row in rows[1:]]
    expected_answers = check_submission(instrument, answers, today=today).answers
    tables = response_tables(instrument, [(["R1", instrument.version_id, today.isoformat(), ""], expected_answers)], list(META[:4]))
    for table, (header, rows) in tables.items():
        sheet = workbook.worksheets[0].title if table == MAIN else table.replace("/", "_")[:31]
        got = [{k: v for k, v in row.items() if k not in META} for row in exported[sheet]]
        want = [{k: v for k, v in zip(header, row) if k not in META} for row in rows]
        assert got == want, json.dumps({"table": table, "exported": got, "typed": want}, ensure_ascii=False)[:3000]
