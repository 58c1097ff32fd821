"""Respondents in a real browser: headless Debian Chromium (Playwright), a 375×667 touch phone and
a desktop, with JavaScript on and off, typing with the keyboard; axe-core (npm) checks every page
state against WCAG 2.2 AA.

With JavaScript off the axe check runs in a second, auditing tab that opens the same URL with the
page script blocked: every page state is a GET (post/redirect/get), so that tab shows exactly
what the respondent sees.
"""

from __future__ import annotations

import re

import pytest

from tests.web import live
from tests.web.browser import ARGS, AXE, CHROMIUM, PHONE, PROFILES, WCAG, playwright, pytestmark  # noqa: F401

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server for the module (SQLite): each test starts its own respondents."""
    var = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{var / 'afstand.sqlite3'}"
    process = live.start(db, var, workers=2)
    yield f"http://127.0.0.1:{process.port}", db, var
    live.stop(process)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def stored(db: str) -> list[dict]:
    """The answers the server stored (read from its SQLite file: quicker than an export per test)."""
    import json
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        return [json.loads(answers) for (answers,) in connection.execute("SELECT answers FROM afstand_response")]


def declines(db: str) -> int:
    """The monitor's count of declined consents of the client questionnaire (from the server's SQLite file)."""
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        row = connection.execute("SELECT SUM(value) FROM afstand_counter WHERE instrument = 'clienten' AND kind = 'declined'").fetchone()
    return row[0] or 0


class Respondent:
    """One respondent's browser tab, and an accessibility auditor for every page state it reaches."""

    def __init__(self, browser, profile: str, js: bool):
        self.browser, self.profile, self.js = browser, profile, js
        self.context = browser.new_context(**PROFILES[profile], java_script_enabled=js)
        self.page = self.context.new_page()
        self.violations: list[tuple[str, list]] = []
        self.audited = 0
        self._auditor = None

    def close(self):
        self.context.close()
        if self._auditor:
            self._auditor.context.close()

    def tap(self, locator):
        (locator.tap if self.profile == "phone" else locator.click)()

    def type(self, locator, text: str):
        """Focus the field and type as a person does (select what is there, then the keys)."""
        self.tap(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def next(self):
        with self.page.expect_navigation():
            self.tap(self.page.locator("button.forward"))

    def h1(self) -> str:
        return self.page.locator("h1").inner_text()

    def audit(self, state: str):
        """axe-core, WCAG 2.2 A/AA, on the page as the respondent sees it."""
        if self.js:
            page = self.page
        else:
            if self._auditor is None:
                context = self.browser.new_context(**PROFILES[self.profile])
                context.route("**/static/survey.js", lambda route: route.abort())
                self._auditor = context.new_page()
            page = self._auditor
            page.goto(self.page.url)
            assert page.content().count("<h1") == self.page.content().count("<h1")
        page.evaluate(AXE.read_text(encoding="utf-8"))
        found = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.html.slice(0, 160))})))",
            WCAG,
        )
        self.audited += 1
        if found:
            self.violations.append((state, found))

    def check_targets(self):
        """Every choice row and button at least 44×44 CSS px (WCAG 2.5.5), the whole row tappable."""
        for box in self.page.locator("label.choice:visible, button:visible, a.button:visible").evaluate_all(
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [n.textContent.trim().slice(0, 30), r.width, r.height]; })"
        ):
            assert box[1] >= 44 and box[2] >= 44, box


@pytest.fixture
def respondent(browser, request):
    profile, js = request.param
    person = Respondent(browser, profile, js)
    yield person
    person.close()


BOTH = [("phone", True), ("phone", False), ("desktop", True), ("desktop", False)]
IDS = ["phone-js", "phone-nojs", "desktop-js", "desktop-nojs"]


@pytest.mark.parametrize("respondent", BOTH, ids=IDS, indirect=True)
def test_client_completes_the_survey(site, respondent):
    base, db, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/clienten?via=whatsapp")
    assert r.h1() == "Meedoen" and page.title().startswith("Meedoen – Werken op afstand")
    r.audit("consent")
    if r.js:  # no consent: the page script says so without a page load, in the server's pattern
        r.tap(page.locator("button.forward"))
        page.locator("#errors").wait_for()
    else:
        r.next()  # no consent: the server's error page
    assert page.title().startswith("Fout:") and page.evaluate("document.activeElement.id") == "errors"  # the summary has focus
    assert "Ik heb de uitleg gelezen. Ik wil meedoen, zonder mijn naam: Geef hier een antwoord." in page.locator("#errors").inner_text()
    r.audit("consent error")
    r.tap(page.get_by_text("Ja, ik doe mee"))  # the whole row is the target
    r.next()
    assert r.h1() == "Over jou"
    r.check_targets()
    page.keyboard.press("Tab")  # the skip link comes first and goes to the first question
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "c_gender"
    r.type(page.get_by_label("Hoe oud ben je?"), "41")
    r.type(page.get_by_label("Hoe lang heb je al contact met de reclassering?"), "0,5")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a one-line field moves forward (never switches language)
    assert r.h1() == "Social media" and "lang=en" not in page.url
    page.go_back()  # the phone's Back button: the page with its answers, no resubmission warning
    assert r.h1() == "Over jou" and "ERR_CACHE_MISS" not in page.content()
    assert page.get_by_label("Hoe oud ben je?").input_value() == "41"
    assert page.get_by_label("Hoe lang heb je al contact met de reclassering?").input_value() == "0,5"
    page.reload()
    assert page.get_by_label("Hoe oud ben je?").input_value() == "41"
    r.next()
    assert r.h1() == "Social media"
    r.audit("likert cards")
    r.check_targets()
    whatsapp = page.locator("#q-c_social_whatsapp")
    r.tap(whatsapp.get_by_text("Dagelijks"))
    assert whatsapp.locator("input[value=dagelijks]").is_checked()
    if r.js:
        r.tap(whatsapp.get_by_role("button", name=re.compile("Antwoord wissen")))
    else:
        with page.expect_navigation():
            r.tap(whatsapp.get_by_role("button", name=re.compile("Antwoord wissen")))
    assert not whatsapp.locator("input[value=dagelijks]").is_checked() and r.h1() == "Social media"
    r.tap(page.locator("#q-c_social_instagram").get_by_text("Nooit"))
    r.next()
    assert r.h1() == "Contact op afstand"
    follow_up = page.locator("#q-c_advantages_toelichting")
    if r.js:  # the follow-up appears only after its trigger
        assert follow_up.is_hidden()
        r.tap(page.get_by_text("Ik ben minder tijd kwijt aan reizen"))
        assert follow_up.is_visible()
        r.type(follow_up.get_by_role("textbox"), "Scheelt een uur")
        r.audit("follow-up shown")
        r.next()
    else:  # shown; answered without its trigger, it is dropped with a notice on the next page
        r.type(follow_up.get_by_role("textbox"), "Geen trigger")
        r.next()
        assert (
            "niet bewaard" in page.locator(".notice").inner_text()
            and "Wil je hier iets over vertellen?" in page.locator(".notice").inner_text()
        )
        r.audit("dropped notice")
    assert r.h1() == "Tips"
    r.type(page.get_by_role("textbox"), "Vaker bellen")
    if r.js:  # the language link keeps what was just typed
        with page.expect_navigation():
            r.tap(page.get_by_role("link", name="English"))
        assert page.locator("html").get_attribute("lang") == "en" and page.get_by_role("textbox").input_value() == "Vaker bellen"
        with page.expect_navigation():
            r.tap(page.get_by_role("link", name="Nederlands"))
    r.next()
    r.tap(page.locator("#q-c_wa_eerlijker").get_by_text("Soms wel, soms niet"))
    r.next()
    assert r.h1() == "Controleer je antwoorden"
    r.audit("review")
    with page.expect_navigation():
        r.tap(page.get_by_role("link", name="Wijzig: Hoe oud ben je?"))
    assert r.h1() == "Over jou"
    r.type(page.get_by_label("Hoe oud ben je?"), "42")
    with page.expect_navigation():
        r.tap(page.get_by_role("button", name="Controleer je antwoorden"))
    assert r.h1() == "Controleer je antwoorden" and "42" in page.locator(".review").inner_text()
    r.next()  # Send
    assert r.h1() == "Bedankt voor het meedoen!"
    code = page.locator("#withdrawal-code").inner_text()
    assert CODE.fullmatch(code)
    r.audit("thanks")
    with r.context.expect_page() as tab:  # the sign-up form opens in a new tab; the code stays in view
        r.tap(page.locator("#signup-link"))
    signup = tab.value
    signup.wait_for_load_state()
    assert "Aanmelden" in signup.locator("h1").inner_text() and page.locator("#withdrawal-code").inner_text() == code
    signup.close()
    mine = [row for row in stored(db) if row.get("c_open_tips") == "Vaker bellen" and row.get("c_age") == "42"]
    assert len(mine) == 1
    row = mine[0]
    assert row["c_contact_years"] == "0.5" and "c_social_whatsapp" not in row and row["c_social_instagram"] == "nooit"
    assert row.get("c_advantages_toelichting") == ("Scheelt een uur" if r.js else None)
    page.goto(f"{base}/intrekken")
    r.type(page.get_by_label("Code"), " " + code.lower().replace("-", " ") + " ")  # typed with spaces, in lower case
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Je antwoorden zijn verwijderd." in page.content()
    r.audit("withdrawn")
    assert r.violations == [] and r.audited == 7


@pytest.mark.parametrize("respondent", [("phone", True), ("desktop", False)], ids=["phone-js", "desktop-nojs"], indirect=True)
def test_worker_completes_the_survey_resuming_in_a_new_browser(site, respondent, browser):
    base, db, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/werkers?via=intranet")
    r.tap(page.get_by_text("Ja, ik doe mee"))
    r.next()
    assert r.h1() == "Over jou en je werk"
    r.tap(page.get_by_text("Vrouw", exact=True))
    r.type(page.get_by_label("Wat is je leeftijd?"), "38")
    r.type(page.get_by_label("Hoeveel jaar werkervaring"), "7,5")  # a whole number is asked: an error naming the question
    r.next()
    assert page.title().startswith("Fout:") and "Hoeveel jaar werkervaring" in page.locator("#errors").inner_text()
    assert page.get_by_label("Hoeveel jaar werkervaring").get_attribute("aria-invalid") == "true"
    r.audit("number error")
    r.type(page.get_by_label("Hoeveel jaar werkervaring"), "7")
    r.tap(page.get_by_text("Toezichthouder"))
    r.next()
    assert r.h1() == "Social media in je privéleven"
    link = page.locator("#resume-link").get_attribute("href")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # the link wraps
    r.context.close()  # the tab and the whole browser profile are gone
    r.context = browser.new_context(**PROFILES[r.profile], java_script_enabled=r.js)
    page = r.page = r.context.new_page()
    page.goto(link)
    assert r.h1() == "Social media in je privéleven"
    with page.expect_navigation():
        r.tap(page.get_by_role("button", name="Vorige"))
    assert page.get_by_label("Wat is je leeftijd?").input_value() == "38" and page.get_by_label("Toezichthouder").is_checked()
    r.next()
    pages = []
    while r.h1() != "Controleer je antwoorden":
        pages.append(r.h1())
        if r.h1().startswith("Het gebruik van applicaties (1/"):
            r.audit("app page")
            r.check_targets()
            assert page.evaluate("document.documentElement.scrollHeight") < 4000
            explanation = page.locator("#q-w_use_toelichting")
            if r.js:  # the explanation under the nine apps follows any of its rows, not only the first
                assert explanation.is_hidden()
            r.tap(page.locator("#q-w_use_zoom label.choice").first)
            assert explanation.is_visible()
            r.type(explanation.get_by_role("textbox"), "Zoom voor groepen")
        if r.h1() == "Voor- en nadelen van werken op afstand" and r.js:
            assert page.locator("#q-w_advantages_toelichting").is_hidden()
        r.next()
        assert len(pages) < 30
    assert sum(1 for p in pages if p.startswith("Het gebruik van applicaties")) >= 2  # the app grid is split
    r.audit("review")
    r.next()
    code = page.locator("#withdrawal-code").inner_text()
    page.goto(link)  # the resume link after sending: the thank-you page, no answers
    assert page.locator("#withdrawal-code").inner_text() == code
    assert [(row["w_experience_years"], row["w_use_zoom"], row["w_use_toelichting"]) for row in stored(db) if row.get("w_age") == "38"] == [
        ("7", "nooit", "Zoom voor groepen")
    ]
    page.goto(f"{base}/intrekken")
    r.type(page.get_by_label("Code"), code.replace("-", " "))
    r.next()
    assert "Je antwoorden zijn verwijderd." in page.content()
    assert r.violations == []


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        channels = [int(x) / 255 for x in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("respondent", [("phone", False), ("desktop", True)], ids=["phone-nojs", "desktop-js"], indirect=True)
def test_decline_signup_and_language(site, respondent):
    base, db, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/clienten?via=mail")
    with page.expect_navigation():
        r.tap(page.get_by_role("link", name="English"))
    assert r.h1() == "Taking part" and page.title() == "Taking part – Working at a distance: questionnaire for clients"
    r.audit("english")
    page.keyboard.press("Tab")  # the skip link, then the language link, with a focus ring of 3:1 or more
    page.keyboard.press("Tab")
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, getComputedStyle(document.body).backgroundColor]; }""")
    assert ring[0] == "solid" and ring[1] >= 2 and _contrast(ring[2], ring[3]) >= 3, ring
    before = declines(db)
    r.tap(page.get_by_text("No, I do not take part"))
    r.next()
    assert r.h1() == "That's fine" and declines(db) == before + 1
    r.audit("declined")
    with page.expect_navigation():
        r.tap(page.get_by_role("button", name="I want to take part after all"))
    assert r.h1() == "Taking part" and "via=mail" in page.url and declines(db) == before  # taken back: not counted
    r.tap(page.get_by_text("No, I do not take part"))
    r.next()
    assert declines(db) == before + 1
    page.go_back()  # the phone's Back to the consent page as the browser kept it, then "yes" after all
    assert r.h1() == "Taking part" and "ERR_CACHE_MISS" not in page.content()
    r.tap(page.get_by_text("Yes, I take part"))
    r.next()
    assert declines(db) == before and "/verder/" in page.url
    page.goto(f"{base}/aanmelden/werken-op-afstand")
    r.tap(page.get_by_text("Meedoen aan een groepsgesprek"))
    r.type(page.get_by_label("E-mailadres"), "niet-goed")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Fout:") and page.evaluate("document.activeElement.id") == "errors"
    summary = page.locator("#errors")
    assert "Naam:" in summary.inner_text() and "E-mailadres:" in summary.inner_text() and "purpose" not in summary.inner_text()
    r.tap(summary.get_by_role("link", name=re.compile("E-mailadres")))
    assert page.evaluate("document.activeElement.id") == "email"
    r.audit("sign-up errors")
    assert r.violations == []


@pytest.mark.parametrize("respondent", [("phone", True)], ids=["phone-js"], indirect=True)
def test_read_aloud_uses_a_dutch_voice_and_hides_without_one(site, respondent):
    base, _, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/clienten")
    if page.evaluate("speechSynthesis.getVoices().some(v => v.lang.toLowerCase().startsWith('nl'))"):
        pytest.skip("this Chromium has a Dutch voice: the hidden case cannot be shown")
    assert page.locator("button.read").count() == 0  # no Dutch voice: no button
    r.context.add_init_script("""
        window.__spoken = [];
        const voice = {lang: 'nl-NL', name: 'Test NL', default: true, localService: true, voiceURI: 'nl'};
        speechSynthesis.getVoices = () => [voice];
        speechSynthesis.speak = u => window.__spoken.push([u.text, u.lang]);
    """)
    page.reload()
    buttons = page.locator("button.read")
    assert buttons.count() == 1 and buttons.first.inner_text() == "Lees voor"
    r.tap(buttons.first)
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[0][1] == "nl-NL" and "Ik heb de uitleg gelezen" in spoken[0][0] and "Ja, ik doe mee" in spoken[0][0]
    r.audit("read aloud")
    page.goto(f"{base}/s/werkers")  # not for the worker questionnaire
    assert page.locator("button.read").count() == 0
    assert r.violations == []


def _double_tap(page, locator, heading: str) -> None:
    """Two quick taps on a slow link (the first request is still under way), then wait for ``heading``."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(100)
    page.touchscreen.tap(x, y)
    page.get_by_role("heading", name=heading).wait_for(timeout=30000)
    page.wait_for_load_state()


@pytest.mark.parametrize("respondent", [("phone", True), ("phone", False)], ids=["phone-js", "phone-nojs"], indirect=True)
def test_back_to_consent_double_taps_on_a_slow_link_and_unclear_numbers(site, respondent):
    """Found by using the pages as a client would: Back as far as the consent page and Next again
    keeps the answers (with and without the page script); "1.000" is refused, never read as 1; double taps on
    a slow link store one response, one withdrawal that says so, and one sign-up."""
    import json
    import sqlite3

    base, db, var = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/clienten")
    r.tap(page.get_by_text("Ja, ik doe mee"))
    r.next()
    r.type(page.get_by_label("Hoe oud ben je?"), "1.000")
    r.next()
    assert "Hoe oud ben je?: Welk getal bedoel je?" in page.locator("#errors").inner_text()
    assert page.get_by_label("Hoe oud ben je?").input_value() == "1.000"
    r.audit("ambiguous number")
    r.type(page.get_by_label("Hoe oud ben je?"), "63")
    r.next()
    draft = page.url.split("/verder/")[1].split("?")[0]
    while "/verder/" in page.url:  # the phone's Back, as far as it goes into the survey
        page.go_back()
    assert r.h1() == "Meedoen" and page.locator("input[value=ja]").is_checked()
    r.next()
    assert r.h1() == "Over jou"
    # the consent page as the browser kept it (its draft key made by the server), with or without
    # the page script: the same draft, its answers kept
    assert draft in page.url and page.get_by_label("Hoe oud ben je?").input_value() == "63"
    r.type(page.get_by_label("Hoe lang heb je al contact met de reclassering?"), "2")
    tag = f"dubbel-{'js' if r.js else 'nojs'}"
    r.next()
    r.type(page.get_by_label("Gebruik je nog andere social media? Welke?"), tag)
    while r.h1() != "Controleer je antwoorden":
        r.next()
    cdp = r.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions", {"offline": False, "latency": 400, "downloadThroughput": 200_000, "uploadThroughput": 200_000}
    )
    _double_tap(page, page.locator("button.forward"), "Bedankt voor het meedoen!")
    assert [row.get("c_age") for row in stored(db) if row.get("c_social_anders") == tag] == ["63"]
    code = page.locator("#withdrawal-code").inner_text()
    page.goto(f"{base}/intrekken")
    r.type(page.get_by_label("Code"), code)
    _double_tap(page, page.locator("button.forward"), "Antwoorden verwijderen")
    page.locator("p[role=status]").wait_for()
    assert "verwijderd" in page.locator("p[role=status]").inner_text() and page.locator("#errors").count() == 0
    assert not [row for row in stored(db) if row.get("c_social_anders") == tag]
    r.audit("withdrawn after a double tap")
    email = f"{tag}@example.org"
    page.goto(f"{base}/aanmelden/werken-op-afstand")
    r.tap(page.get_by_text("Kans maken op een cadeaubon"))
    r.type(page.get_by_label("Naam"), "Dubbel Tik")
    r.type(page.get_by_label("E-mailadres"), email)
    _double_tap(page, page.locator("button.forward"), "Aanmelden")
    page.get_by_text("Je bent aangemeld").wait_for()
    spooled = [json.loads(p.read_text(encoding="utf-8")) for p in (var / "signup-spool").glob("*.json")]
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        rows = connection.execute("SELECT email FROM afstand_signup WHERE email = ?", (email,)).fetchall()
    assert len(rows) + sum(1 for e in spooled if e["email"] == email) == 1
    assert r.violations == []


@pytest.mark.parametrize("respondent", [("phone", True), ("phone", False)], ids=["phone-js", "phone-nojs"], indirect=True)
def test_signup_and_withdrawal_survive_back_forward_and_reload(site, respondent):
    """The sign-up and withdrawal forms, like the survey, never lead to Chromium's "Confirm Form
    Resubmission" (ERR_CACHE_MISS): their result is a post/redirect/get; an error page is the post's
    own answer, which the browser keeps for Back and Forward (``private, no-cache``) and the page
    script turns into a GET entry of the history (so reload shows the form too)."""
    base, _, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/aanmelden/werken-op-afstand")
    r.tap(page.get_by_text("Meedoen aan een groepsgesprek"))
    r.type(page.get_by_label("Naam"), "Terug Knop")
    r.type(page.get_by_label("E-mailadres"), "terug-knop")
    r.next()
    assert page.title().startswith("Fout:")
    r.type(page.get_by_label("E-mailadres"), "terug-knop@example.org")
    r.next()
    assert "Je bent aangemeld" in page.locator("main").inner_text() and "klaar=1" in page.url
    page.reload()
    assert "Je bent aangemeld" in page.locator("main").inner_text()
    page.go_back()  # the form, never the browser's resubmission page
    assert r.h1() == "Aanmelden" and page.get_by_label("Naam").is_visible()
    page.go_forward()
    assert "Je bent aangemeld" in page.locator("main").inner_text()
    r.audit("signed up")
    page.goto(f"{base}/intrekken")
    r.type(page.get_by_label("Code"), "ABCD")
    r.next()
    assert "Een code heeft 17 tekens" in page.locator("#errors").inner_text()
    with page.expect_navigation():
        r.tap(page.get_by_role("link", name="English"))
    page.go_back()  # with the script the form (a GET entry); without it the error page as the browser kept it
    assert r.h1() == "Antwoorden verwijderen" and "ERR_CACHE_MISS" not in page.content()
    assert page.locator("#errors").count() == (0 if r.js else 1)
    page.go_forward()
    assert r.h1() == "Delete answers"
    if r.js:
        page.go_back()
        page.reload()  # a GET of the form: no resubmission
        assert r.h1() == "Antwoorden verwijderen" and page.locator("#errors").count() == 0
    assert r.violations == []


FAKE_VOICE = """
    window.__log = [];
    const voice = {lang: 'nl-NL', name: 'Test NL', default: true, localService: true, voiceURI: 'nl'};
    speechSynthesis.getVoices = () => [voice];
    speechSynthesis.speak = u => { window.__log.push('speak'); window.__current = u; };
    speechSynthesis.cancel = () => { window.__log.push('cancel'); window.__current = null; };
"""


@pytest.mark.parametrize("respondent", [("phone", True)], ids=["phone-js"], indirect=True)
def test_read_aloud_can_be_stopped_with_the_keyboard_and_a_tap(site, respondent):
    """While a question is read aloud its button says "Stop met voorlezen" (its accessible name);
    Enter, Space, a tap or Escape stops it, and the button says "Lees voor" again, also when the
    reading ends by itself. Focus stays where it was."""
    base, _, _ = site
    r, page = respondent, respondent.page
    r.context.add_init_script(FAKE_VOICE)
    page.goto(f"{base}/s/clienten")
    r.tap(page.get_by_text("Ja, ik doe mee"))
    r.next()
    read = page.get_by_role("button", name="Lees voor")
    stop = page.get_by_role("button", name="Stop met voorlezen")
    assert read.count() >= 2 and stop.count() == 0
    read.first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.__log").count("speak") == 1 and stop.count() == 1
    assert page.evaluate("document.activeElement.textContent") == "Stop met voorlezen"
    r.audit("reading aloud")
    page.keyboard.press("Space")  # the same button stops it
    assert page.evaluate("window.__log")[-1] == "cancel" and stop.count() == 0 and page.evaluate("window.__log").count("speak") == 1
    assert page.evaluate("document.activeElement.textContent") == "Lees voor"
    r.tap(read.nth(1))
    r.tap(read.first)  # another question: only that one reads, only its button stops
    assert page.evaluate("window.__log").count("speak") == 3 and stop.count() == 1
    page.keyboard.press("Escape")
    assert page.evaluate("window.__log")[-1] == "cancel" and stop.count() == 0
    r.tap(read.first)
    page.evaluate("window.__current.dispatchEvent(new Event('end'))")  # read to the end
    assert stop.count() == 0 and read.count() >= 2
    assert r.violations == []


def _code_lines(page) -> dict:
    """Where each character of the shown withdrawal code sits (one Range per character)."""
    return page.evaluate("""() => {
        const el = document.getElementById("withdrawal-code");
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const chars = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                if (!node.data[i].trim()) continue;
                const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
                const box = range.getBoundingClientRect();
                chars.push([node.data[i], box.top, box.left, box.right]);
            }
        }
        return {chars, width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth,
                font: parseFloat(getComputedStyle(el).fontSize)};
    }""")


@pytest.mark.parametrize("respondent", [("phone", False)], ids=["phone-nojs"], indirect=True)
def test_the_withdrawal_code_stays_on_one_line_or_breaks_at_its_dashes(site, respondent):
    """On a 375 px phone the code is one line; at 320 px and at 200 % zoom (half the CSS width) it
    breaks only after a dash, never inside a group, and never runs off the screen."""
    base, _, _ = site
    r, page = respondent, respondent.page
    page.goto(f"{base}/s/clienten")
    r.tap(page.get_by_text("Ja, ik doe mee"))
    r.next()
    while r.h1() != "Controleer je antwoorden":
        r.next()
    r.next()
    code = page.locator("#withdrawal-code").inner_text()
    assert CODE.fullmatch(code)
    for width in (375, 320, 188, 160):  # 188 and 160: a 375 and a 320 px screen at 200 % zoom
        page.set_viewport_size({"width": width, "height": 667})
        shown = _code_lines(page)
        chars = shown["chars"]
        assert "".join(c[0] for c in chars) == code and shown["scroll"] <= shown["width"], (width, shown)
        assert all(c[3] <= shown["width"] for c in chars) and shown["font"] >= 16, (width, shown)
        lines = [i for i in range(1, len(chars)) if chars[i][1] > chars[i - 1][1] + 2]
        assert all(chars[i - 1][0] == "-" for i in lines), (width, [chars[i - 1][0] + chars[i][0] for i in lines])
        if width == 375:
            assert lines == [], "the code wraps on a 375 px phone"
    r.audit("thanks, narrow")
    assert r.violations == []
