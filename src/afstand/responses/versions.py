"""Datasets that mix instrument versions: which items each respondent was asked.

A dataset exported from a study whose instrument changed during fieldwork holds rows of
several versions, named in the ``instrument_version`` column (the version's content hash).
An item that is not in a row's version was *not asked* of that respondent: it is outside the
base of that item, not a missing answer. :func:`asked_masks` works that out per item, over
the rows of the dataset; the analysis then counts ``not_asked`` apart from ``missing``.

An answer to an item the row's version does not have is a problem of the data (file, row,
column, value), as is a version the caller did not supply.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from afstand.errors import Problem
from afstand.instrument.model import Instrument
from afstand.responses.readers import Column, RawTable

VERSION_COLUMN = "instrument_version"
MAX_LISTED = 50


def version_map(instrument: Instrument, versions: Iterable[Instrument] | Mapping[str, Instrument]) -> dict[str, Instrument]:
    """version id → instrument, the analysis instrument included."""
    found = dict(versions) if isinstance(versions, Mapping) else {v.version_id: v for v in versions}
    found.setdefault(instrument.version_id, instrument)
    return found


def asked_masks(
    raw: RawTable, instrument: Instrument, versions: Mapping[str, Instrument], problems: list[Problem]
) -> dict[str, np.ndarray]:
    """Per item of ``instrument`` asked of only some rows: a boolean mask over all rows.

    Rows whose version is unknown or empty are reported and treated as asked everything
    (their answers are still checked against the analysis instrument).
    """
    column = raw.columns.get(VERSION_COLUMN)
    if column is None:
        problems.append(
            Problem(raw.file, f"the {VERSION_COLUMN!r} column is missing: it is needed to tell which version each respondent got", row=1)
        )
        return {}
    known = np.array([v in versions for v in column.values], dtype=bool)
    unknown = ~column.map(known, False)
    where = raw.headers.get(VERSION_COLUMN, VERSION_COLUMN)
    rows = np.flatnonzero(unknown)
    numbers = raw.rows if raw.rows is not None else np.arange(raw.n_rows, dtype=np.int64) + 2  # spreadsheet row numbers
    named = ", ".join(f"{v} (version {i.version})" if i.version else v for v, i in versions.items())
    for row in rows[:MAX_LISTED]:
        value = column.cell(int(row))
        message = (
            "no instrument version given (the file mixes versions: each row must say which it answered)"
            if value is None
            else f"unknown instrument version (known: {named}); give the XLSForm of this version "
            "(afstand analyze --version-form) so that its rows are read as it asked them"
        )
        problems.append(Problem(raw.file, message, row=int(numbers[row]), column=where, value=value))
    if len(rows) > MAX_LISTED:
        problems.append(Problem(raw.file, f"{len(rows) - MAX_LISTED} more problems of this kind in this column", column=where))
    masks = {}
    for name in instrument.items:
        in_version = np.array([name in versions[v].items if v in versions else True for v in column.values], dtype=bool)
        asked = column.map(in_version, True)
        if not asked.all():
            masks[name] = asked
            _answers_not_asked(raw, name, asked, column, problems)
    return masks


def _answers_not_asked(raw: RawTable, name: str, asked: np.ndarray, versions: Column, problems: list[Problem]) -> None:
    cells = raw.columns.get(name)
    if cells is None:
        return
    bad = np.flatnonzero(cells.present & ~asked)
    where = raw.headers.get(name, name)
    numbers = raw.rows if raw.rows is not None else np.arange(raw.n_rows, dtype=np.int64) + 2
    for row in bad[:MAX_LISTED]:
        problems.append(
            Problem(
                raw.file,
                f"answer to an item that is not in this respondent's instrument version {versions.cell(int(row))}",
                row=int(numbers[row]),
                column=where,
                value=cells.cell(int(row)),
            )
        )
    if len(bad) > MAX_LISTED:
        problems.append(Problem(raw.file, f"{len(bad) - MAX_LISTED} more problems of this kind in this column", column=where))


def blank_not_asked(cells: Column, asked: np.ndarray) -> Column:
    """The column with the cells of not-asked rows emptied (reported as problems before)."""
    return Column(cells.values, np.where(asked, cells.index, -1).astype(np.int32))


def version_only_columns(raw: RawTable, instrument: Instrument, versions: Mapping[str, Instrument]) -> set[str]:
    """Columns that are items of another supplied version but not of the analysis instrument."""
    others = {name for v in versions.values() for name in v.items}
    return {c for c in raw.columns if c not in instrument.items and c in others}
