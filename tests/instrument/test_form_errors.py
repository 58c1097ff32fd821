"""A form with a mistake is refused with one message that names the file, the sheet, the row as
the spreadsheet shows it, the column (and cell) and the value — before pyxform where pyxform
would say it without a place, say something else, fail with a plain exception or pass it silently;
pyxform's own message with its place in front otherwise. Forms that are right load."""

from __future__ import annotations

import re

import pytest

from afstand.errors import InstrumentError
from afstand.instrument.loader import check_instrument, load_instrument
from tests.conftest import run_cli
from tests.instrument.broken_forms import BROKEN, FINE, GENERIC, S, workbook


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.name)
def test_a_broken_form_is_refused_naming_the_place(case):
    with pytest.raises(InstrumentError) as refused:
        load_instrument(case.content(), name=case.filename)
    message = str(refused.value)
    assert message.startswith(f"{case.filename}: "), message
    assert re.search(case.expected, message), message
    assert not GENERIC.search(message), message
    report = check_instrument(case.content(), name=case.filename)  # `afstand instrument check`: the same message
    assert not report.accepted and any(re.search(case.expected, line) for line in report.refusals()), report.refusals()


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.name)
def test_the_cli_exits_2_with_the_message(tmp_path, case):
    path = tmp_path / case.filename
    path.write_bytes(case.content())
    done = run_cli("instrument", "check", str(path))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("afstand: error: ") and "Traceback" not in done.stderr
    assert re.search(case.expected, done.stderr), done.stderr


@pytest.mark.parametrize("name", list(FINE))
def test_forms_that_are_right_load(name):
    instrument = load_instrument(FINE[name](), name=name)
    assert instrument.items and not any(GENERIC.search(w) for w in instrument.warnings)


def test_a_choice_filter_reading_no_column_is_kept_with_a_warning_naming_the_place():
    """Valid XPath (the name reads as empty for every choice; pyxform's own or_other example writes
    pastel=yes for pastel='yes'), so the form loads, and the warning says where and what."""
    raw = workbook(
        {
            "survey": [S + ["choice_filter"], ["select_one yn", "a", "A", None], ["select_one yn", "b", "B", "regoin=${a}"]],
            "choices": [["list_name", "name", "label", "region"], ["yn", "ja", "Ja", "n"], ["yn", "nee", "Nee", "z"]],
        }
    )
    instrument = load_instrument(raw, name="filter.xlsx")
    assert [w for w in instrument.warnings if "choice_filter" in w] == [
        "filter.xlsx: sheet survey, row 3, column 'choice_filter' (cell D3) (item 'b'), value 'regoin=${a}': reads 'regoin', "
        "which no choice of list 'yn' has, so it reads as empty for every choice (a choice_filter reads these columns of the "
        "choices sheet: name, region; a text is written in quotes: 'yes')"
    ]


def test_a_date_in_a_label_is_kept_with_a_warning():
    """A label the spreadsheet holds as a date may be meant as one (pyxform's repeat_date_test has
    one), so it loads; the warning says how it is read."""
    import datetime as dt

    raw = workbook(
        {
            "survey": [S, ["select_one f", "a", "Hoe vaak?"]],
            "choices": [["list_name", "name", "label"], ["f", "f1", dt.datetime(2024, 2, 1)]],
        }
    )
    instrument = load_instrument(raw, name="vaak.xlsx")
    assert any(
        w.startswith("vaak.xlsx: sheet choices, row 2, column 'label' (cell C2): value '2024-02-01 00:00:00' is a date")
        for w in instrument.warnings
    ), instrument.warnings


def test_several_mistakes_are_listed_at_once():
    raw = workbook({"survey": [S, [None, "a", "A"], [None, "b", "B"]], "settings": [["form_id"], ["x"], ["y"]]})
    with pytest.raises(InstrumentError) as refused:
        load_instrument(raw, name="twee.xlsx")
    message = str(refused.value)
    assert "sheet survey, row 2, column 'type' (cell A2): empty" in message
    assert "sheet survey, row 3, column 'type' (cell A3): empty" in message
    assert "sheet settings, row 3: a second row of settings" in message


def test_a_value_in_a_column_without_a_name_is_kept_with_a_warning():
    """pyxform skips such a column (a note beside the form, or a forgotten column name): the form
    loads, and the warning says which cell is not read."""
    raw = workbook({"survey": [S, ["text", "a", "A", None, "nog vragen?"]]})
    instrument = load_instrument(raw, name="notitie.xlsx")
    assert any(
        w.startswith("notitie.xlsx: sheet survey, row 2 (cell E2): value 'nog vragen?' is in a column without a name in row 1")
        for w in instrument.warnings
    ), instrument.warnings
