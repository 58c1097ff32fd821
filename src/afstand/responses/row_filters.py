"""Rows of a read table that are no responses: left out before validation, with a note.

* A row without any value: what a spreadsheet leaves after its cells were cleared (a line of
  only separators in its CSV). It is no respondent, as an empty line is none.
* An unfinished response of a forms tool that exports them (LimeSurvey: "Date submitted"
  empty; its export option "Completion state: all responses"): the respondent never sent it.

Each is named in the analysis' notes with the rows it concerns; nothing is left out silently.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from afstand.responses.readers import RawTable

#: rows listed in a note at most
LISTED = 10


def blank_rows(raw: RawTable) -> np.ndarray:
    """Positions of the rows in which no column (items, id, the tool's own columns) holds a value.

    Starts from the rows without an id (none, for a file whose every row has one) and narrows
    them column by column: one pass over a column only while most rows are still candidates."""
    columns = list(raw.columns.values()) + list(raw.metadata.values())
    if not columns or not raw.n_rows:
        return np.zeros(0, dtype=np.int64)
    candidates = None
    if raw.id_column is not None:
        candidates = np.flatnonzero(~raw.columns[raw.id_column].present)
    else:
        candidates = np.arange(raw.n_rows)
    for column in columns:
        if not len(candidates):
            break
        if column.n_values:
            candidates = candidates[~column.map(np.ones(column.n_values, dtype=bool), False, candidates)]
    return candidates


def without_rows(raw: RawTable, drop: np.ndarray, note: str) -> RawTable:
    """The table without the rows at positions ``drop``; ``note`` (with the rows' numbers) added."""
    if not len(drop):
        return raw
    keep = np.ones(raw.n_rows, dtype=bool)
    keep[drop] = False
    rows = raw.rows if raw.rows is not None else np.arange(raw.n_rows, dtype=np.int64) + 2
    return replace(
        raw,
        n_rows=int(keep.sum()),
        columns={name: column.take(keep) for name, column in raw.columns.items()},
        metadata={name: column.take(keep) for name, column in raw.metadata.items()},
        rows=rows[keep],
        notes=[*raw.notes, f"{note}: {row_list(rows[drop])}"],
    )


def without_blank_rows(raw: RawTable) -> RawTable:
    drop = blank_rows(raw)
    what = "row holds no value at all (a spreadsheet's cleared cells) and is no response"
    if len(drop) != 1:
        what = "rows hold no value at all (a spreadsheet's cleared cells) and are no responses"
    return without_rows(raw, drop, f"{len(drop)} {what}")


def row_list(rows: np.ndarray) -> str:
    """``row 5`` / ``rows 5, 9, 12`` / ``rows 5, 9, … (14 in all)``."""
    shown = ", ".join(str(int(r)) for r in rows[:LISTED])
    if len(rows) > LISTED:
        shown += f", … ({len(rows)} in all)"
    return ("row " if len(rows) == 1 else "rows ") + shown
