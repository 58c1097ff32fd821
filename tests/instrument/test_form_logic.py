"""An expression the web survey cannot evaluate (a mistake pyxform passes, or a function afstand's
web survey does not evaluate) is refused by the one check afstand.instrument.form_logic holds:
`afstand instrument check` (check_instrument) and the upload page and `afstand study create`
(load_for_web, called by afstand.services.studies.check_form) refuse the same forms with the same
message, naming sheet, row, column (cell) and value, and saying what is wrong in words."""

from __future__ import annotations

import re

import pytest

from afstand.errors import InstrumentError
from afstand.instrument.form_logic import check_instrument, load_for_web
from afstand.instrument.loader import load_instrument
from tests.instrument.broken_forms import BROKEN, BROKEN_LOGIC, FINE, GENERIC, S, workbook


def _refusal(case) -> str:
    with pytest.raises(InstrumentError) as refused:
        load_for_web(case.content(), name=case.filename)
    return str(refused.value)


@pytest.mark.parametrize("case", BROKEN_LOGIC, ids=lambda c: c.name)
def test_an_expression_mistake_is_refused_naming_cell_and_value(case):
    message = _refusal(case)
    assert message.startswith(f"{case.filename}: sheet survey, row "), message
    assert re.search(case.expected, message), message
    assert not GENERIC.search(message) and "expected more" not in message, message
    report = check_instrument(case.content(), name=case.filename)
    assert not report.accepted and report.status == "refused"
    assert report.refusals() == [message]  # the same message, once


@pytest.mark.parametrize("case", BROKEN_LOGIC, ids=lambda c: c.name)
def test_the_analysis_still_reads_the_form(case):
    """load_instrument (afstand analyze) does not compile the expressions: an export of a form with
    a function the web survey does not evaluate stays readable."""
    assert load_instrument(case.content(), name=case.filename).items


@pytest.mark.parametrize("case", BROKEN + BROKEN_LOGIC, ids=lambda c: c.name)
def test_check_and_upload_refuse_the_same_forms_with_the_same_message(case):
    with pytest.raises(InstrumentError) as refused:
        load_for_web(case.content(), name=case.filename)
    message, refusals = str(refused.value), check_instrument(case.content(), name=case.filename).refusals()
    # the loader's error as it is, or the support matrix's lines, which the upload lists after its own words
    assert refusals == [message] or (refusals and all(line in message for line in refusals)), (message, refusals)


@pytest.mark.parametrize("name", list(FINE))
def test_forms_that_are_right_pass_both(name):
    assert load_for_web(FINE[name](), name=name).items
    assert check_instrument(FINE[name](), name=name).accepted


def test_a_groups_condition_is_named_once():
    """The engine compiles a group's condition for every question in it; the refusal names it once."""
    case = next(c for c in BROKEN_LOGIC if c.name == "group_relevant_double_equals")
    message = _refusal(case)
    assert message.count("sheet survey,") == 1 and message.endswith("write '='"), message


def test_more_than_ten_mistakes_are_counted():
    rows = [["integer", f"q{n}", f"Q{n}", None, f". > {n} and", None, None] for n in range(12)]
    raw = workbook({"survey": [["type", "name", "label", "relevant", "constraint", "choice_filter", "calculation"], *rows]})
    message = str(pytest.raises(InstrumentError, load_for_web, raw, name="veel.xlsx").value)
    assert message.count("something must follow") == 10 and message.endswith("; and 2 more"), message
    assert "row 2, column 'constraint' (cell E2)" in message and "row 11," in message and "row 12," not in message


def test_the_reference_and_path_checks_name_the_cell():
    """A path that leads nowhere (pyxform leaves ../x unchecked) is named like a mistake."""
    raw = workbook({"survey": [S + ["relevant"], ["text", "a", "A", None], ["text", "b", "B", "../nergens = 'x'"]]})
    message = str(pytest.raises(InstrumentError, load_for_web, raw, name="pad.xlsx").value)
    assert message == (
        "pad.xlsx: sheet survey, row 3, column 'relevant' (cell D3), value \"../nergens = 'x'\": the path 'nergens' leads to no question of this form"
    )


def test_an_unsupported_function_names_its_column_and_expression():
    """Finding 4: the support matrix's refusal of an unknown function names the cell and the expression."""
    raw = workbook(
        {
            "survey": [
                S + ["relevant", "constraint"],
                ["text", "why", "Waarom?", None, None],
                ["integer", "age", "Leeftijd", None, "foo(.) > 1"],
                ["text", "how", "Hoe?", "contains(${why}, 'x') and bar(${age})", None],
            ]
        }
    )
    report = check_instrument(raw, name="f.xlsx")
    assert report.refusals() == [
        "sheet survey, row 3, column 'constraint' (cell E3), value 'foo(.) > 1': question age (integer): function 'foo' is not supported: "
        "not a feature afstand knows",
        "sheet survey, row 4, column 'relevant' (cell D4), value \"contains(${why}, 'x') and bar(${age})\": question how (text): "
        "function 'bar' is not supported: not a feature afstand knows",
    ]
    message = str(pytest.raises(InstrumentError, load_for_web, raw, name="f.xlsx").value)
    assert all(line in message for line in report.refusals())


def test_a_stream_is_read_once_and_still_gets_its_places():
    import io

    case = BROKEN_LOGIC[0]
    message = str(pytest.raises(InstrumentError, load_for_web, io.BytesIO(case.content()), name=case.filename).value)
    assert re.search(case.expected, message), message
