"""Canonical CSV: reading, typing, and errors that name file, row, column and value."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.helpers import MINI_FORM, md_form

HEADER = "response_id,consent,age,years,s1,s2,fruit,why\n"


@pytest.fixture
def mini(tmp_path):
    return load_instrument(md_form(tmp_path, MINI_FORM))


def write(tmp_path, body: str, name="data.csv", header=HEADER):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_typed_columns_and_consent(tmp_path, mini):
    path = write(tmp_path, 'r1,ja,34.0,1.5,eens,oneens,appel kers,omdat\nr2,nee,,,,,,\nr3,ja,,"2,5",,neutraal,peer,\nr4,,,,,,,\n')
    rs = load_responses(path, mini)
    assert rs.n_total == 4 and rs.n_consented == 2
    assert rs.response_ids.tolist() == ["r1", "r3"]
    assert rs.file_rows.tolist() == [2, 4]
    assert rs.numbers["age"][0] == 34 and np.isnan(rs.numbers["age"][1])
    assert rs.numbers["years"].tolist() == [1.5, 2.5]  # decimal comma accepted
    assert rs.single["s1"].tolist() == [2, -1]
    assert rs.multi["fruit"].counts().tolist() == [1, 1, 1]
    assert rs.texts["why"].to_pylist() == ["omdat", None]


def test_item_without_column_is_not_asked(tmp_path, mini):
    path = write(tmp_path, "r1,ja,40\n", header="response_id,consent,age\n")
    rs = load_responses(path, mini)
    assert rs.not_asked == ["years", "s1", "s2", "fruit", "why"]
    assert rs.single["s1"].tolist() == [-1]


@pytest.mark.parametrize(
    "body,row,column,value,message",
    [
        ("r1,ja,40,,eens,,,\nr2,ja,41,,eenz,,,\n", 3, "s1", "eenz", "not a choice of item s1"),
        ("r1,ja,veertig,,,,,\n", 2, "age", "veertig", "not a number"),
        ("r1,ja,40.5,,,,,\n", 2, "age", "40.5", "not a whole number"),
        ("r1,ja,12,,,,,\n", 2, "age", "12", "outside the allowed range (. >= 16 and . <= 99)"),
        ("r1,ja,,,,,appel banaan,\n", 2, "fruit", "banaan", "not a choice of item fruit"),
        ("r1,ja,,,,,,\nr2,ja,,,,,,\nr1,ja,,,,,,\n", 4, "response_id", "r1", "duplicate response id (first in row 2)"),
    ],
)
def test_bad_cells_name_row_column_value(tmp_path, mini, body, row, column, value, message):
    path = write(tmp_path, body)
    with pytest.raises(DataError) as err:
        load_responses(path, mini)
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (row, column, value)
    assert message in problem.message
    assert str(err.value).startswith(f"{path}, row {row}, column {column!r}: ")


def test_unknown_column(tmp_path, mini):
    path = write(tmp_path, "r1,ja,40,x\n", header="response_id,consent,age,shoe_size\n")
    with pytest.raises(DataError, match=r"row 1, column 'shoe_size': no item of instrument 'mini' has this name"):
        load_responses(path, mini)


def test_lenient_reports_everything_and_changes_nothing_else(tmp_path, mini):
    path = write(tmp_path, "r1,ja,veertig,,eens,,,\nr2,ja,41,,eenz,,,\nr2,ja,42,,oneens,,,\n")
    rs = load_responses(path, mini, lenient=True)
    kinds = sorted((p.row, p.column) for p in rs.problems)
    assert kinds == [(2, "age"), (3, "s1"), (4, "response_id")]
    assert rs.n_consented == 3  # duplicates are kept and reported, not dropped
    assert np.isnan(rs.numbers["age"][0]) and rs.numbers["age"][1:].tolist() == [41, 42]
    assert rs.single["s1"].tolist() == [2, -1, 0]


def test_semicolon_bom_and_crlf(tmp_path, mini):
    data = "\ufeffresponse_id;consent;age\r\nr1;ja;40\r\nr2;ja;50\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(data.encode("utf-8"))
    rs = load_responses(path, mini)
    assert rs.numbers["age"].tolist() == [40, 50]


def test_newlines_inside_quoted_answers(tmp_path, mini):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["response_id", "consent", "why"])
    writer.writerow(["r1", "ja", "regel een\nregel twee"])
    writer.writerow(["r2", "ja", "kort"])
    path = tmp_path / "multi.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert load_responses(path, mini).texts["why"].to_pylist() == ["regel een\nregel twee", "kort"]


@pytest.mark.parametrize(
    "content,message", [(b"", "the file is empty"), (b"\xff\xfe\x00bad", "not UTF-8"), (b"a,b\n1,2,3\n", "not a readable CSV file")]
)
def test_unreadable_files(tmp_path, mini, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_responses(path, mini)


def test_missing_file_and_unknown_format(tmp_path, mini):
    with pytest.raises(DataError, match="no such file"):
        load_responses(tmp_path / "nope.csv", mini)
    with pytest.raises(DataError, match="unknown data format"):
        load_responses(tmp_path / "data.json", mini)


@pytest.mark.parametrize(
    ("content", "row", "line", "cells"),
    [
        (b"a,b,c\n1,2,3\n4,5\n6,7,8\n", 3, 3, 2),  # too few
        (b'a,b,c\r\n1,2,3\r\n\r\n"x\ny",5,6\r\n4,5,6,7\r\n', 4, 6, 4),  # too many, after a blank line and a value with a line break
        (b"a;b;c\n1;2;3\n" + b"4;5;6\n" * 3000 + b"7;8\n", 3003, 3003, 2),  # semicolons; far down the file
    ],
)
def test_a_row_with_the_wrong_number_of_cells_is_named(tmp_path, mini, content, row, line, cells):
    """pyarrow says "Expected 3 columns, got 2" and shows the cells, not where they are: the message
    names the row (as every message counts rows) and the line of the file (as an editor counts them)."""
    path = tmp_path / "uneven.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_responses(path, mini)
    (problem,) = caught.value.problems
    assert (problem.row, problem.file) == (row, str(path))
    assert f"the row (line {line} of the file) has {cells} cells where the header has 3" in problem.message
    with pytest.raises(DataError) as again:  # the same from bytes
        load_responses(content, mini, name="uneven.csv")
    assert again.value.problems[0].row == row


@pytest.mark.parametrize("end", [b"", b"\n", b"\r\n", b"\r", b"\n\n"])
def test_a_header_without_rows_is_zero_responses_whatever_its_line_end(tmp_path, mini, end):
    path = tmp_path / "leeg.csv"
    path.write_bytes(b"response_id,consent,age" + end)
    data = load_responses(path, mini)
    assert (data.n_total, data.n_consented) == (0, 0)
