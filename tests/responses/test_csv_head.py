"""A CSV file whose structure breaks, as a user meets it on the command line: the message names the
row (as every message counts rows), the line of the file (as an editor counts lines) and, where it
can be told, the cell and why (:mod:`afstand.responses.csv_head`). Lines of only spaces are no rows."""

from __future__ import annotations

import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.conftest import run_cli
from tests.helpers import MINI_FORM, csv_with_cell, md_form


def analyze(path, *extra):
    return run_cli("analyze", "--instrument", "werkers", "--data", str(path), "--json", *extra)


def refused(path, *extra) -> str:
    result = analyze(path, *extra)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"afstand: error: {path}, ")
    return line


def test_an_unclosed_quote_names_the_row_and_the_line_where_it_opens(tmp_path, werkers):
    header, body = werkers
    path = tmp_path / "open-quote.csv"
    path.write_bytes(csv_with_cell(header, body, 5, "w_open_never", b'"open en nooit dicht'))
    message = refused(path)
    assert (
        "row 7, column 'w_open_never': not a readable CSV file: the quoted value that opens on line 7 runs on over line breaks" in message
    )
    assert 'is its closing quote (") missing?' in message and "(value 'open en nooit dicht," in message


@pytest.mark.parametrize("column", ["w_wa_toelichting", "w_open_never"])  # the last column; one in the middle
def test_a_quote_never_closed_is_refused_not_read_to_the_end_of_the_file(tmp_path, werkers, column):
    """In the last column pyarrow read the rest of the file into the value, two rows fewer, without
    a word; elsewhere it said only "Expected 86 columns, got 67"."""
    header, body = werkers
    plain = [[f"{r[0]}-b"] + r[1:] for r in body if not any("," in c or '"' in c for c in r)][:2]  # no quote after it closes it
    body = body + plain
    path = tmp_path / "never-closed.csv"
    at = len(body) - 3
    path.write_bytes(csv_with_cell(header, body, at, column, b'"nooit dicht'))
    message = refused(path)
    row = at + 2
    assert f"row {row}, column '{column}': not a readable CSV file: the quoted value that opens on line {row} is never closed" in message
    assert "the file ends inside it (value 'nooit dicht" in message


@pytest.mark.parametrize(("eol", "brk", "said"), [("\n", b"\r", "a carriage return (\\r)"), ("\r\n", b"\n", "a line feed (\\n)")])
def test_a_line_break_in_a_value_without_quotes_names_the_cell(tmp_path, werkers, eol, brk, said):
    header, body = werkers
    path = tmp_path / "cut.csv"
    path.write_bytes(csv_with_cell(header, body, 10, "w_open_never", b"regel 1" + brk + b"regel 2", eol=eol))
    message = refused(path)
    cells = header.index("w_open_never") + 1
    assert (
        f"row 12, column 'w_open_never': not a readable CSV file: the row breaks off after {cells} of the {len(header)} cells, "
        f"at {said} in this value on line 12, and line 13 holds the rest of the row: "
        "a value that holds a line break must be in double quotes (value 'regel 1')"
    ) in message


def test_rows_and_lines_are_told_apart_after_values_with_line_breaks(tmp_path, werkers):
    header, body = werkers
    body = [list(r) for r in body]
    for r in body[:3]:
        r[header.index("w_open_never")] = "eerste regel\ntweede regel, met komma\n\nvierde"  # three line breaks each
    body[40].append("extra")
    path = tmp_path / "extra.csv"
    path.write_bytes(csv_with_cell(header, body))
    message = refused(path)
    assert (
        f"row 42: not a readable CSV file: the row (line 51 of the file) has {len(header) + 1} cells where the header has {len(header)}"
        in message
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data + b"  \n",  # a last line of spaces, as hand editing leaves it
        lambda data: b"   \n" + data,  # spaces before the header
        lambda data: b"\t\r\n\r\n \r\n" + data.replace(b"\n", b"\r\n"),  # tabs, spaces and empty lines before it (CRLF)
        lambda data: data.replace(b"\n", b"\n \t \n", 30).replace(b"\n \t \n", b"\n", 29),  # one in the middle
    ],
    ids=["last", "before-header", "before-header-crlf", "middle"],
)
def test_a_line_of_only_spaces_is_no_row(tmp_path, werkers, change):
    """Read as an empty line is (pyarrow and pandas skip those): no row, no value changed."""
    header, body = werkers
    clean = tmp_path / "clean" / "werkers.csv"
    spaced = tmp_path / "spaced" / "werkers.csv"
    for path in (clean, spaced):
        path.parent.mkdir()
    clean.write_bytes(csv_with_cell(header, body))
    spaced.write_bytes(change(clean.read_bytes()))
    assert spaced.read_bytes() != clean.read_bytes()
    outputs = [analyze(path) for path in (clean, spaced)]
    assert [o.returncode for o in outputs] == [0, 0], outputs[1].stderr
    assert outputs[1].stdout.replace(str(spaced), str(clean)) == outputs[0].stdout


def test_spaces_inside_a_quoted_value_stay_in_it_and_a_quoted_blank_cell_is_a_row(tmp_path):
    mini = load_instrument(md_form(tmp_path, MINI_FORM))
    data = load_responses(b'response_id,consent,why\nr1,ja,"a\n   \n\t\nb"\n  \nr2,ja,c\n', mini, name="spaties.csv")
    assert data.texts["why"].to_pylist() == ["a\n   \n\t\nb", "c"]
    with pytest.raises(DataError) as caught:  # quotes make it a value: a row of one cell
        load_responses(b'response_id,consent,why\nr1,ja,a\n"  "\n', mini, name="spaties.csv")
    assert caught.value.problems[0].row == 3 and "has 1 cell where the header has 3" in caught.value.problems[0].message


def test_a_quote_that_closes_on_its_own_line_is_hinted_at(tmp_path):
    """The quote opened before ``ja`` closes at the next one on the line: the cells shift. An odd
    number of quotes on the row is said; an extra cell beside quotes that pair up is not blamed on them."""
    mini = load_instrument(md_form(tmp_path, MINI_FORM))
    with pytest.raises(DataError) as caught:
        load_responses(b'response_id,consent,why\nr1,ja,x\nr2,"ja,"x, y",z\nr3,ja,x\n', mini, name="quotes.csv")
    (problem,) = caught.value.problems
    assert problem.row == 3
    assert problem.message.endswith(
        'the row (line 3 of the file) has 4 cells where the header has 3: it holds an odd number of quotes ("), is one missing?'
    )
    with pytest.raises(DataError) as caught:
        load_responses(b'response_id,consent,why\nr1,ja,"x, y",z\n', mini, name="quotes.csv")
    assert caught.value.problems[0].message.endswith("has 4 cells where the header has 3")
