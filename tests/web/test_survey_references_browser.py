"""``${name}`` in a ``constraint_message`` on a 375×667 touch phone (headless Debian Chromium,
Playwright), typed with the keyboard, in Dutch and in English (rev14 finding 7): the page script
refuses the answer without sending the page and shows the message with the answers filled in — a
value the server knows (a calculation over an earlier page) and answers typed on this same page,
as they are when Next is pressed — in the summary and under the field, never ``${…}`` as typed."""

from __future__ import annotations

import pytest

from tests.web import browser as shared
from tests.web import live

pytestmark = shared.pytestmark  # Debian's chromium and axe-core (npm ci --prefix tests/web/axe)
ARGS, CHROMIUM, PHONE, playwright = shared.ARGS, shared.CHROMIUM, shared.PHONE, shared.playwright

FORM = """| survey |
| | type | name | label::English (en) | label::Nederlands (nl) | calculation | constraint | constraint_message::English (en) | constraint_message::Nederlands (nl) | consent_choice | required |
| | select_one yn | consent | Do you take part? | Doe je mee? | | | | | ja | yes |
| | begin_group | p1 | Colour | Kleur | | | | | | |
| | select_one colour | colour | Which colour? | Welke kleur? | | | | | | yes |
| | end_group | | | | | | | | | |
| | calculate | colour_label | | | jr:choice-name(${colour}, '${colour}') | | | | | |
| | begin_group | p2 | Check | Controle | | | | | | |
| | text | retype | Type the colour you chose | Typ de kleur die je koos | | . = ${colour_label} | Type ${colour_label} | Typ ${colour_label} | | yes |
| | integer | most | How many at most? | Hoeveel hoogstens? | | | | | | |
| | integer | many | How many? | Hoeveel? | | . <= ${most} | At most ${most}, not ${many} | Hoogstens ${most}, niet ${many} | | |
| | end_group | | | | | | | | | |
| choices |
| | list_name | name | label::English (en) | label::Nederlands (nl) |
| | yn | ja | Yes | Ja |
| | yn | nee | No | Nee |
| | colour | groen | Green | Groen |
| | colour | rood | Red | Rood |
| settings |
| | form_id | version | default_language |
| | kleur | 1 | Nederlands (nl) |
"""

WORDS = {
    "nl": {"yes": "Ja", "green": "Groen", "other": "Green", "next": "Volgende", "retype": "Typ de kleur die je koos",
           "most": "Hoeveel hoogstens?", "many": "Hoeveel?", "message": "Typ Groen", "limit": "Hoogstens 3, niet 5", "error": "Fout:"},
    "en": {"yes": "Yes", "green": "Green", "other": "Groen", "next": "Next", "retype": "Type the colour you chose",
           "most": "How many at most?", "many": "How many?", "message": "Type Green", "limit": "At most 3, not 5", "error": "Error:"},
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("references")
    process, _db, _form = live.start_with_form(var, "kleur", "Kleur", "kleur", FORM)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield f"http://127.0.0.1:{process.port}", browser
        browser.close()
    live.stop(process)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_constraint_message_shows_the_answers_on_the_phone(site, lang):
    base, browser = site
    words = WORDS[lang]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.goto(f"{base}/s/kleur/kleur?lang={lang}")
    for choice in (words["yes"], words["green"]):
        page.get_by_text(choice, exact=True).tap()
        with page.expect_navigation():
            page.get_by_role("button", name=words["next"]).tap()
    shared.type_into(page, page.get_by_label(words["retype"]), words["other"])  # the other language's name: refused
    shared.type_into(page, page.get_by_label(words["most"]), "3")
    shared.type_into(page, page.get_by_label(words["many"]), "5")  # more than the answer above it on this page
    page.evaluate("window.__samePage = true")
    sent = len(posts)
    page.keyboard.press("Enter")
    page.locator("#errors").wait_for()
    assert page.evaluate("window.__samePage === true") and len(posts) == sent  # the script refused it: nothing posted
    lines = [line.strip() for line in page.locator("#errors li").all_inner_texts()]
    assert lines == [f"{words['retype']}: {words['message']}", f"{words['many']}: {words['limit']}"], lines
    assert page.locator("#m-retype").inner_text().strip() == words["message"]
    assert page.locator("#m-many").inner_text().strip() == words["limit"]
    assert "${" not in page.locator("main").inner_text()
    assert page.title().startswith(words["error"])
    # a changed answer on the page: the message says the new one
    shared.type_into(page, page.get_by_label(words["many"]), "7")
    page.keyboard.press("Enter")
    page.get_by_text(words["limit"].replace("5", "7")).first.wait_for()
    assert page.evaluate("window.__samePage === true") and len(posts) == sent
    context.close()
