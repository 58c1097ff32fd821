"""Every form of ../shared/xlsform-corpus (pyxform's examples; without it, the study folders' own
XLSForms) loads or is refused with a clear message, never a generic one or an exception; and the
corpus forms with a typical mistake put in (a row without type, a column name that is a number,
merged cells, a choice without list name, a missing name column) are refused naming sheet, row
(or cell) and value."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from afstand.errors import AfstandError
from afstand.instrument.loader import check_instrument, load_instrument
from afstand.instrument.workbook_files import xls_to_xlsx
from afstand.responses.submission import compile_rules
from tests.helpers import CORPUS, EACH_FORM, FORMS
from tests.instrument.broken_forms import GENERIC


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_every_form_loads_or_is_refused_clearly(name):
    path = EACH_FORM[name]
    try:
        instrument = load_instrument(path)
    except AfstandError as err:  # a clear refusal: the file first, never a generic message
        assert str(err).startswith(f"{path}: ") and not GENERIC.search(str(err)), err
        assert not check_instrument(path).accepted
        return
    compile_rules(instrument)
    assert not [w for w in instrument.warnings if GENERIC.search(w)]
    report = check_instrument(path)
    assert report.accepted and not report.errors, report.refusals()


def _workbook(name: str) -> openpyxl.Workbook:
    raw = (CORPUS / name).read_bytes()
    if name.endswith(".xls"):
        raw = xls_to_xlsx(raw, name)
    return openpyxl.load_workbook(io.BytesIO(raw), data_only=True)  # formulas as their stored results (openpyxl keeps no results)


def _sheet(book: openpyxl.Workbook, key: str):
    return next((book[t] for t in book.sheetnames if t.lower() == key), None)


def _column(sheet, header: str) -> int | None:
    return next((c.column for c in sheet[1] if isinstance(c.value, str) and c.value.strip().lower() == header), None)


def _no_type(book):
    survey = _sheet(book, "survey")
    type_col, name_col = _column(survey, "type"), _column(survey, "name")
    row = max(r for r in range(2, survey.max_row + 1) if survey.cell(r, name_col).value and survey.cell(r, type_col).value)
    survey.cell(row, type_col).value = None
    letter = openpyxl.utils.get_column_letter(type_col)
    return rf"sheet {re.escape(survey.title)}, row {row}, column 'type' \(cell {letter}{row}\): empty, but the row has "


def _number_header(book):
    survey = _sheet(book, "survey")
    last = max(c.column for c in survey[1] if c.value not in (None, ""))
    survey.cell(1, last + 1).value = 7
    return rf"sheet {re.escape(survey.title)}, cell {openpyxl.utils.get_column_letter(last + 1)}1: the column name '7' is a number"


def _merged_labels(book):
    survey = _sheet(book, "survey")
    label = _column(survey, "label") or next(c.column for c in survey[1] if str(c.value or "").lower().startswith("label"))
    letter = openpyxl.utils.get_column_letter(label)
    survey.merge_cells(f"{letter}2:{letter}3")
    return rf"sheet {re.escape(survey.title)}, cells {letter}2:{letter}3 are merged"


def _choice_without_list(book):
    choices = _sheet(book, "choices")
    if choices is None or choices.max_row < 2:
        return None
    name_col = _column(choices, "name")
    row = max(r for r in range(1, choices.max_row + 1) if any(c.value not in (None, "") for c in choices[r])) + 1
    choices.cell(row, name_col).value = "zonder_lijst"
    return rf"sheet {re.escape(choices.title)}, row {row}, column 'list[ _]name' \(cell [A-Z]+{row}\): empty, but the row has name 'zonder_lijst'"


def _no_name_column(book):
    survey = _sheet(book, "survey")
    survey.cell(1, _column(survey, "name")).value = None
    return rf"sheet {re.escape(survey.title)}: there is no column 'name' \(row 1 has "


MISTAKES = {"no_type": _no_type, "number_header": _number_header, "merged": _merged_labels}
MISTAKES |= {"choice_without_list": _choice_without_list, "no_name_column": _no_name_column}


@pytest.mark.parametrize("mistake", list(MISTAKES))
@pytest.mark.parametrize("name", FORMS)
def test_a_corpus_form_with_a_mistake_is_refused_naming_the_place(name, mistake):
    book = _workbook(name)
    expected = MISTAKES[mistake](book)
    if expected is None:
        pytest.skip(f"{name} has no choices sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(AfstandError) as refused:
        load_instrument(buffer.getvalue(), name=f"fout-{name}x" if name.endswith(".xls") else f"fout-{name}")
    message = str(refused.value)
    assert re.search(expected, message), message
    assert not GENERIC.search(message), message
