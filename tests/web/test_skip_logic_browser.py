"""Skip logic in the browser without a page load: conditions written with relative paths (``../x``,
``../../x``), an absolute path (``/data/g/x``), ``.`` and a calculation, on a page and inside repeat
instances. The page script (``static/survey.js``) shows and hides the questions as the server's
evaluator decides (the server sends each reference resolved by its own resolver); what is sent is
what the server stores. Headless Debian Chromium (Playwright), a 375×667 touch phone, typing."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web import browser as shared
from tests.web import live

pytestmark = shared.pytestmark  # Debian's chromium and axe-core (npm ci --prefix tests/web/axe)
ARGS, CHROMIUM, PHONE, playwright = shared.ARGS, shared.CHROMIUM, shared.PHONE, shared.playwright

FORM = """| survey |
| | type | name | label | relevant | calculation | appearance |
| | begin_group | huis | Het huis | | | field-list |
| | select_one yn | pets | Heb je huisdieren? | | | |
| | integer | pet_count | Hoeveel huisdieren? | ../pets = 'ja' | | |
| | calculate | legs | | | ../pet_count * 4 | |
| | text | pet_names | Hoe heten ze? | ${legs} >= 8 | | |
| | begin_group | extra | Meer | ../pets = 'ja' | | |
| | text | food | Welk voer? | string-length(.) = 0 and ../../pet_count > 2 | | |
| | end_group | | | | | |
| | text | why_not | Waarom niet? | /data/huis/pets = 'nee' | | |
| | end_group | | | | | |
| | begin_repeat | lid | Gezinslid | | | |
| | integer | age | Leeftijd | | | |
| | text | school | Welke school? | ../age < 18 | | |
| | end_repeat | | | | | |
| choices |
| | list_name | name | label | | | |
| | yn | ja | Ja | | | |
| | yn | nee | Nee | | | |
| settings |
| | form_title | form_id | | | | |
| | Huisdieren | huisdieren | | | | |
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("skip-logic")
    process, db, form = live.start_with_form(var, "dieren", "Dieren", "huisdieren", FORM)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield f"http://127.0.0.1:{process.port}", db, browser
        browser.close()
    live.stop(process)


_type = shared.type_into


def test_relative_path_conditions_show_and_hide_without_a_page_load(site):
    base, db, browser = site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/s/dieren/huisdieren")
    page.evaluate("window.__samePage = true")  # gone after any page load
    count, names, food, why_not = (page.locator(f"#q-{n}") for n in ("pet_count", "pet_names", "food", "why_not"))
    assert count.is_hidden() and names.is_hidden() and food.is_hidden() and why_not.is_hidden()
    page.get_by_text("Ja", exact=True).tap()  # ../pets = 'ja'
    assert count.is_visible() and names.is_hidden() and why_not.is_hidden()
    _type(page, page.get_by_label("Hoeveel huisdieren?"), "1")
    assert names.is_hidden() and food.is_hidden()  # 1 × 4 legs < 8; 1 is not more than 2 (../../pet_count)
    _type(page, page.get_by_label("Hoeveel huisdieren?"), "3")
    assert names.is_visible() and food.is_visible()  # through the calculation ../pet_count * 4; and ../../pet_count
    _type(page, page.get_by_label("Hoe heten ze?"), "Bor, Mies en Tijger")
    page.get_by_text("Nee", exact=True).tap()  # every follow-up goes, the absolute path's question comes
    assert count.is_hidden() and names.is_hidden() and food.is_hidden() and why_not.is_visible()
    assert page.get_by_label("Hoeveel huisdieren?").is_disabled()  # a hidden answer is not sent
    page.get_by_text("Ja", exact=True).tap()
    assert count.is_visible() and names.is_visible() and why_not.is_hidden()
    assert page.get_by_label("Hoeveel huisdieren?").input_value() == "3"  # what was typed is still there
    _type(page, page.get_by_label("Welk voer?"), "brokjes")
    assert food.is_visible()  # `.` in a condition reads empty, on the server as here: typing does not hide it
    assert page.evaluate("window.__samePage === true")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # a repeat instance: ../age is this instance's age
    school = page.locator("[id='q-q-lid[1]/school']")
    assert school.is_hidden()
    page.evaluate("window.__samePage = true")
    _type(page, page.get_by_label("Leeftijd"), "40")
    assert school.is_hidden()
    _type(page, page.get_by_label("Leeftijd"), "12")
    assert school.is_visible()
    _type(page, page.get_by_label("Welke school?"), "De Regenboog")
    assert page.evaluate("window.__samePage === true")
    with page.expect_navigation():
        page.locator("button.forward").tap()
    with page.expect_navigation():
        page.locator("button#send").tap()
    assert page.locator("#withdrawal-code").count() == 1
    context.close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        (stored,) = [json.loads(a) for (a,) in connection.execute("SELECT answers FROM afstand_response")]
    assert stored == {
        "pets": "ja",
        "pet_count": "3",
        "legs": "12",
        "pet_names": "Bor, Mies en Tijger",
        "food": "brokjes",
        "lid": [{"age": "12", "school": "De Regenboog"}],
    }
