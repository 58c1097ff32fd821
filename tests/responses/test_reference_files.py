"""Response files in both layouts, and corrupted copies of each: the seeded demo study (runs anywhere) and the reference study."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from afstand.errors import DataError
from afstand.responses import load_responses
from tests.helpers import formsexport_from_csv


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize("source", ["demo", "reference"])
def test_csv_and_formsexport_give_identical_responses(request, study, tmp_path, source, name):
    """The reference study's two files; the demo study's CSV and its forms-service layout (tests/helpers.py)."""
    instrument = study.instrument(name)
    if source == "reference":
        reference = request.getfixturevalue("reference")
        csv_path, xlsx_path = reference / f"{name}.csv", reference / f"{name}-formsexport.xlsx"
    else:
        csv_path = request.getfixturevalue("demo_data")[name]
        xlsx_path = formsexport_from_csv(csv_path, instrument, tmp_path / f"{name}-formsexport.xlsx")
    a = load_responses(csv_path, instrument)
    b = load_responses(xlsx_path, instrument)
    assert (a.n_total, a.n_consented) == (b.n_total, b.n_consented)
    for item, codes in a.single.items():
        assert codes.tolist() == b.single[item].tolist(), item
    for item, column in a.multi.items():
        assert column.indicator().tolist() == b.multi[item].indicator().tolist(), item
    for item, values in a.numbers.items():
        assert values.tolist() == pytest.approx(b.numbers[item].tolist(), nan_ok=True), item
    # the forms service's name, e-mail and precise times are never read in
    assert b.dropped_columns == ["Begintijd", "Tijd van voltooien", "E-mail", "Naam"]
    assert a.problems == [] and b.problems == []


def _csv_rows(path):
    return list(csv.reader(path.open(encoding="utf-8")))


def _write_csv(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


CORRUPTIONS = ["unknown_choice", "text_in_age", "duplicate_id", "unknown_column"]


@pytest.mark.parametrize("name,age,choice_item", [("werkers", "w_age", "w_org"), ("clienten", "c_age", "c_contact_freq")])
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupted_csv(demo_data, study, tmp_path, name, age, choice_item, kind):
    """Corrupted copies of the seeded demo files (they run anywhere); the forms-service exports below are the reference's."""
    rows = _csv_rows(demo_data[name])
    header = rows[0]
    target = 5  # data row index 5 → spreadsheet row 6
    if kind == "unknown_choice":
        rows[target][header.index(choice_item)] = "onbekend"
        expect = (6, choice_item, "onbekend")
    elif kind == "text_in_age":
        rows[target][header.index(age)] = "veertig"
        expect = (6, age, "veertig")
    elif kind == "duplicate_id":
        rows[target][0] = rows[2][0]
        expect = (6, "response_id", rows[2][0])
    else:
        header.append("schoenmaat")
        for row in rows[1:]:
            row.append("42")
        expect = (1, "schoenmaat", None)
    path = tmp_path / f"{name}.csv"
    _write_csv(path, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, study.instrument(name))
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.value) == expect
    assert problem.file == str(path)


@pytest.mark.parametrize("name,age,choice_item", [("werkers", "w_age", "w_org"), ("clienten", "c_age", "c_contact_freq")])
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupted_formsexport(demo_data, study, tmp_path, name, age, choice_item, kind):
    instrument = study.instrument(name)
    workbook = openpyxl.load_workbook(formsexport_from_csv(demo_data[name], instrument, tmp_path / "clean.xlsx"))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]

    def col(item):
        return headers.index(instrument.items[item].label()) + 1

    if kind == "unknown_choice":
        sheet.cell(row=6, column=col(choice_item), value="Een onbekende organisatie")
        expect_row, expect_col, expect_value = 6, col(choice_item), "Een onbekende organisatie"
    elif kind == "text_in_age":
        sheet.cell(row=6, column=col(age), value="veertig")
        expect_row, expect_col, expect_value = 6, col(age), "veertig"
    elif kind == "duplicate_id":
        sheet.cell(row=6, column=1, value=sheet.cell(row=3, column=1).value)
        expect_row, expect_col, expect_value = 6, 1, str(sheet.cell(row=3, column=1).value)
    else:
        sheet.cell(row=1, column=len(headers) + 1, value="Wat is je schoenmaat?")
        expect_row, expect_col, expect_value = 1, len(headers) + 1, None
    path = tmp_path / f"{name}-formsexport.xlsx"
    workbook.save(path)
    with pytest.raises(DataError) as err:
        load_responses(path, instrument)
    problem = err.value.problems[0]
    letter = openpyxl.utils.get_column_letter(expect_col)
    assert problem.row == expect_row
    assert problem.column.startswith(f"{letter} (")
    assert problem.value == expect_value
    assert problem.file == str(path)
