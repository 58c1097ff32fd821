"""Rows that are no responses: a row without any value (a spreadsheet's cleared cells)."""

from __future__ import annotations

import json

import numpy as np

from afstand.responses.column import Column
from afstand.responses.readers import RawTable
from afstand.responses.row_filters import blank_rows, row_list, without_rows
from tests.conftest import run_cli


def _table(cells: dict[str, list[str | None]], id_column: str | None = None) -> RawTable:
    columns = {name: Column.from_list(values) for name, values in cells.items()}
    n = len(next(iter(cells.values())))
    return RawTable(file="t.csv", n_rows=n, columns=columns, headers={k: k for k in columns}, id_column=id_column)


def test_rows_without_any_value_are_found_with_and_without_an_id_column():
    cells = {"response_id": ["a", None, "c", None, None], "q1": ["1", None, None, "2", None], "q2": [None, None, "x", None, " "]}
    assert blank_rows(_table(cells, "response_id")).tolist() == [1, 4]
    assert blank_rows(_table({k: v for k, v in cells.items() if k != "response_id"})).tolist() == [1, 4]


def test_without_rows_keeps_the_other_rows_their_numbers_and_says_which_went():
    table = _table({"q1": ["1", None, "3", None], "q2": ["x", None, "y", None]})
    kept = without_rows(table, np.array([1, 3]), "2 rows went")
    assert kept.n_rows == 2
    assert kept.columns["q1"].to_pylist() == ["1", "3"]
    assert kept.rows.tolist() == [2, 4]
    assert kept.notes == ["2 rows went: rows 3, 5"]
    assert without_rows(table, np.array([], dtype=int), "none") is table


def test_row_list_names_at_most_ten():
    assert row_list(np.array([7])) == "row 7"
    assert row_list(np.arange(2, 16)) == "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (14 in all)"


def test_a_spreadsheets_cleared_rows_are_no_responses(demo_data, tmp_path):
    """Excel leaves lines of only separators after cells are cleared: the analysis is the same
    as without them, and a note names the rows."""
    source = demo_data["werkers"].read_text(encoding="utf-8")
    lines = source.rstrip("\n").split("\n")
    empty = "," * lines[0].count(",")
    cleared = tmp_path / "cleared.csv"
    cleared.write_text("\n".join([*lines[:4], empty, *lines[4:], empty, empty]) + "\n", encoding="utf-8")
    plain = tmp_path / "plain.csv"
    plain.write_text(source, encoding="utf-8")
    before = json.loads(run_cli("analyze", "--instrument", "werkers", "--data", str(plain), "--json").stdout)
    out = run_cli("analyze", "--instrument", "werkers", "--data", str(cleared), "--json")
    after = json.loads(out.stdout)
    n = len(lines) - 1
    assert after["data"]["notes"] == [
        f"3 rows hold no value at all (a spreadsheet's cleared cells) and are no responses: rows 5, {n + 3}, {n + 4}"
    ]
    for result in (before, after):
        del result["data"]["notes"], result["data"]["source"]
    assert after == before
