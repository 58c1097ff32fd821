"""Fuzzing the response readers (canonical CSV, forms-service .xlsx export) and the submission check:
a ResponseSet or a DataError that names the file — never another exception."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from afstand.errors import AfstandError
from afstand.instrument.loader import load_instrument
from afstand.responses.readers import read_csv, read_formsexport
from afstand.responses.submission import check_submission
from afstand.responses.validate import validate
from tests.helpers import FUZZ, FUZZ_SLOW, MINI_FORM, md_form

COLUMNS = ["response_id", "consent", "age", "years", "s1", "s2", "fruit", "why", "instrument_version", "submission_date", "extra"]
values = st.one_of(
    st.sampled_from(
        [
            "",
            "ja",
            "nee",
            "eens",
            "oneens",
            "neutraal",
            "appel kers",
            "appel appel",
            "16",
            "99",
            "-1",
            "1e309",
            "nan",
            "2,5",
            "1.5.5",
            " 34 ",
            "0x10",
            "NULL",
            "r1",
        ]
    ),
    st.text(max_size=20),
    st.integers().map(str),
    st.floats().map(str),
)
xlsx_values = st.one_of(values.filter(lambda v: v.isprintable()), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans())


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return load_instrument(md_form(tmp_path_factory.mktemp("form"), MINI_FORM))


def check(reader, name: str) -> None:
    try:
        reader()
    except AfstandError as err:
        assert name in str(err), err


@FUZZ
@given(data=st.binary(max_size=3000))
@example(data=b"\xef\xbb\xbf")
@example(data=b'response_id,consent\n"r1,ja\n')  # an unclosed quote
@example(data=b"response_id,consent,consent\nr1,ja,ja\n")  # a duplicate column
@example(data=b"response_id;consent\r\nr1;ja\r\n")
def test_csv_any_bytes(mini, data):
    check(lambda: validate(read_csv(data, name="fuzz.csv"), mini), "fuzz.csv")


@FUZZ
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=9),
    rows=st.lists(st.lists(values, max_size=10), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
    lenient=st.booleans(),
)
@example(header=["response_id", "consent", "age"], rows=[["r1", "ja", "1e309"]], delimiter=",", lenient=False)
@example(header=["response_id", "consent"], rows=[["r1", "ja"], ["r1", "ja"]], delimiter=",", lenient=False)  # an id twice
def test_csv_random_tables(mini, header, rows, delimiter, lenient):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    check(lambda: validate(read_csv(text.getvalue().encode("utf-8"), name="fuzz.csv"), mini, lenient=lenient), "fuzz.csv")


@FUZZ_SLOW
@given(
    header=st.lists(
        st.one_of(
            st.sampled_from(["Doe je mee?", "Leeftijd", "Jaren", "Stelling 1", "Fruit", "Waarom?", "ID", "Tijd"]),
            st.text(max_size=10).filter(str.isprintable),
        ),
        max_size=8,
    ),
    rows=st.lists(st.lists(xlsx_values, max_size=9), max_size=8),
)
def test_formsexport_random_workbooks(mini, header, rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(["'" + v if isinstance(v, str) and v.startswith("=") else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check(lambda: validate(read_formsexport(buffer.getvalue(), mini, name="fuzz.xlsx"), mini), "fuzz.xlsx")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)


@FUZZ
@given(answers=st.dictionaries(st.one_of(st.sampled_from(COLUMNS), st.text(max_size=8)), st.one_of(values, json_values), max_size=8))
@example(answers={"consent": "ja", "age": float("nan")})
@example(answers={"consent": "ja", "why": "\x00"})
def test_submission_check(mini, answers):
    checked = check_submission(mini, answers)
    assert checked.ok or checked.errors
    if checked.ok:  # what is stored is plain text that any database takes
        assert all(isinstance(v, str) and "\x00" not in v for v in checked.answers.values()), checked.answers


def test_every_file_of_up_to_three_bytes_is_read_or_refused_as_bad_input():
    """The smallest files (a found crash: ``5\\n`` sliced past the end of the buffer): every one of
    up to three bytes from the characters that matter to a CSV reader reads or is refused with
    afstand's own error, never another exception."""
    import itertools

    alphabet = [b"5", b"a", b",", b";", b'"', b"\n", b"\r", b" ", b"\xef", b"\xbb", b"\xbf", b"\xff"]
    for size in range(4):
        for parts in itertools.product(alphabet, repeat=size):
            data = b"".join(parts)
            try:
                read_csv(data, name="tiny.csv")
            except AfstandError:
                pass


def test_a_cell_that_is_not_utf8_is_named_by_row_and_column():
    """A Windows-1252 answer under a plain ASCII header: refused with its row and column."""
    data = "response_id,consent,w_note\nr1,ja,goed\nr2,ja,caf\u00e9\n".encode("cp1252")
    with pytest.raises(AfstandError) as refused:
        read_csv(data, name="export.csv")
    assert "export.csv, row 3, column 'w_note': the file is not UTF-8 text" in str(refused.value)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("separator", [",", ";"])
def test_the_row_and_column_named_hold_the_first_cell_that_is_not_utf8(line_end, separator):
    """Row and column of one and the same cell, also with old-Mac line ends and semicolons; a
    Windows-1252 cell further on in another column does not move the column named."""
    rows = [
        ["response_id", "consent", "w_good", "w_bad"],
        ["r1", "ja", "prima", "goed"],
        ["r2", "ja", "gewoon tekst", "caf\u00e9"],
        ["r3", "ja", "na\u00efef", "ok"],
    ]
    data = line_end.join(separator.join(row) for row in rows).encode("cp1252") + line_end.encode()
    with pytest.raises(AfstandError) as refused:
        read_csv(data, name="export.csv")
    assert "export.csv, row 3, column 'w_bad': the file is not UTF-8 text" in str(refused.value)
