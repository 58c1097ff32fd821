"""Control characters in a response file are refused with file, row, column and the value shown
escaped (:mod:`afstand.responses.control`): reports and exports cannot hold them."""

from __future__ import annotations

import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.conftest import run_cli
from tests.helpers import MINI_FORM, csv_with_cell, md_form


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return load_instrument(md_form(tmp_path_factory.mktemp("form"), MINI_FORM))


@pytest.mark.parametrize("lenient", [False, True])
def test_a_nul_in_an_open_answer_is_refused_with_row_column_and_value(tmp_path, werkers, lenient):
    """It was counted as an answer and travelled into exports. Refused like a file that is not
    UTF-8, also with --lenient: the file itself is damaged."""
    header, body = werkers
    path = tmp_path / "nul.csv"
    path.write_bytes(csv_with_cell(header, body, 3, "w_open_never", b"nul \x00 hier"))
    result = run_cli("analyze", "--instrument", "werkers", "--data", str(path), "--json", *(["--lenient"] if lenient else []))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"afstand: error: {path}, row 5, column 'w_open_never': the value holds a control character (U+0000) "
        "that reports and exports cannot hold: remove it (value 'nul \\x00 hier')"
    )
    assert "\x00" not in result.stderr


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f"])
@pytest.mark.parametrize("column", ["why", "consent", "response_id"])
def test_every_control_character_in_any_column(mini, char, column):
    cells = {"response_id": "r2", "consent": "ja", "why": "goed"}
    cells[column] = f"a{char}b"
    content = f"response_id,consent,why\nr1,ja,x\n{cells['response_id']},{cells['consent']},{cells['why']}\n".encode()
    with pytest.raises(DataError) as caught:
        load_responses(content, mini, name="ctrl.csv")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("ctrl.csv", 3, column, f"a{char}b")
    assert f"control character (U+{ord(char):04X})" in problem.message
    assert repr(f"a{char}b") in str(caught.value)  # shown escaped


def test_tabs_and_line_breaks_are_text(mini):
    content = b'response_id,consent,why\nr1,ja,"een\ttwee"\nr2,ja,"drie\r\nvier\rvijf"\n'
    assert load_responses(content, mini, name="ok.csv").texts["why"].to_pylist() == ["een\ttwee", "drie\r\nvier\rvijf"]


def test_many_values_are_listed_up_to_fifty(mini):
    rows = "".join(f"r{i},ja,waarde {i}\x01\n" for i in range(60))
    with pytest.raises(DataError) as caught:
        load_responses(f"response_id,consent,why\n{rows}".encode(), mini, name="veel.csv")
    problems = caught.value.problems
    assert len(problems) == 51 and [p.row for p in problems[:50]] == list(range(2, 52))
    assert problems[-1].message == "10 more values hold a control character"
    assert str(caught.value).endswith("(and 50 more problems)")


def test_a_value_repeated_in_many_rows_is_named_at_its_first_row(mini):
    content = b"response_id,consent,why\nr1,ja,goed\nr2,ja,fout\x02\nr3,ja,goed\nr4,ja,fout\x02\n"
    with pytest.raises(DataError) as caught:
        load_responses(content, mini, name="herhaald.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "why")]
