"""Check a :class:`RawTable` against its instrument and turn it into a :class:`ResponseSet`.

Every problem names file, row, column and value. In strict mode (the default) any
problem raises :class:`DataError` listing them all; with ``lenient=True`` the problems are
returned on the response set and the offending cells count as missing — they are
reported, never silently dropped or altered.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Callable, Iterable, Mapping

import numpy as np

from afstand.errors import DataError, Problem
from afstand.instrument.expressions import Unsupported, numeric_predicate
from afstand.instrument.model import Instrument, Item
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.layouts import REPEAT_META
from afstand.responses.readers import ID_COLUMN, META_COLUMNS, Column, RawTable
from afstand.responses.row_filters import without_blank_rows
from afstand.responses.versions import asked_masks, blank_not_asked, version_map, version_only_columns

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
#: Problems listed per column at most; beyond that one summary problem says how many more.
MAX_LISTED_PER_COLUMN = 50


def validate(
    raw: RawTable,
    instrument: Instrument,
    *,
    lenient: bool = False,
    versions: Iterable[Instrument] | Mapping[str, Instrument] | None = None,
    missing: tuple[str, ...] | list[str] = (),
) -> ResponseSet:
    """``versions``: the instrument versions a mixed dataset holds (its ``instrument_version``
    column); items missing from a row's version are *not asked* of it (:mod:`.versions`).
    ``missing``: the study's missing-value codes, added to each item's own (XLSForm ``missing``)."""
    raw = without_blank_rows(raw)
    problems = list(raw.problems)
    n = raw.n_rows
    rows = raw.rows if raw.rows is not None else np.arange(n, dtype=np.int64) + 2  # spreadsheet row numbers

    asked: dict[str, np.ndarray] = {}
    other_version_columns: set[str] = set()
    if versions is not None:
        versions = version_map(instrument, versions)
        other_version_columns = version_only_columns(raw, instrument, versions)
        which: list[Problem] = []  # rows of an unknown version first: they explain the columns that match no item
        asked = asked_masks(raw, instrument, versions, which)
        problems[:0] = which
    for header in raw.columns:
        if (
            header != ID_COLUMN
            and header not in META_COLUMNS
            and header not in REPEAT_META
            and header not in instrument.items
            and header not in other_version_columns
        ):
            problems.append(Problem(raw.file, f"no item of instrument {instrument.form_id!r} has this name", row=1, column=header))

    ids = _response_ids(raw, rows, problems)
    consented = np.ones(n, dtype=bool)
    notes: list[str] = list(raw.notes)
    if instrument.consent_item:
        column = raw.columns.get(instrument.consent_item)
        if column is None:
            problems.append(Problem(raw.file, f"the consent column {instrument.consent_item!r} is missing", row=1))
            consented[:] = False
        else:
            consented = column.map(column.values == instrument.consent_choice, False).astype(bool)
    keep = None if consented.all() else np.flatnonzero(consented)  # positions of the rows analysed; None = all

    out = ResponseSet(
        instrument=instrument,
        source=raw.file,
        n_total=n,
        response_ids=lambda: ids()[consented],  # made on first use: 300k Python strings cost more than the analysis
        file_rows=rows[consented],
        dropped_columns=list(raw.dropped),
        # a table built in memory (or by read_csv) is afstand's own layout: its meta columns are in ``columns``
        layout=raw.layout or "afstand",
        metadata_columns=list(raw.metadata) if raw.layout else [h for h in raw.columns if h in META_COLUMNS],
        unused_columns=list(raw.unused),
    )

    tallies: dict[str, np.ndarray] = {}

    def check(item: Item) -> tuple[Column | None, dict[str, int], object, list[Problem], list[str]]:
        """One item's column checked and typed; its problems and notes apart, merged in item order below."""
        found: list[Problem] = []
        said: list[str] = []
        column = raw.columns.get(item.name)
        given = column
        if column is None:
            column = Column.empty(n)
        elif item.name in asked:
            column = blank_not_asked(column, asked[item.name])  # answers there were reported above
        codes = tuple(dict.fromkeys(tuple(item.missing) + tuple(missing)))
        counted: dict[str, int] = {}
        if codes and column.n_values:
            column, counted = _declared_missing(column, codes, consented)
        where = raw.headers.get(item.name, item.name)
        if item.kind == "select_one":
            typed = _select_one(item, column, rows, raw.file, where, found, keep)
            tallies[item.name] = _tally(typed, len(item.choice_list.names))  # here, on the checking threads, for the analysis
        elif item.kind == "select_multiple":
            typed = _select_multiple(item, column, rows, raw.file, where, found, keep)
        elif item.kind == "number":
            typed = _number(item, column, rows, raw.file, where, found, said, keep)
        else:
            typed = column if keep is None else column.take(keep)
        return given, counted, typed, found, said

    for item, (given, counted, typed, found, said) in zip(instrument.items.values(), _each(check, list(instrument.items.values()), n)):
        if given is None:
            out.not_asked.append(item.name)
        if counted:
            out.declared_missing[item.name] = counted
        {"select_one": out.single, "select_multiple": out.multi, "number": out.numbers}.get(item.kind, out.texts)[item.name] = typed
        if item.name in tallies:
            out.remember_choice_counts(item, tallies[item.name])
        problems += found
        notes += said

    out.asked = {name: mask[consented] for name, mask in asked.items()}
    if other_version_columns:
        notes.append(f"columns of another instrument version only, not analysed: {', '.join(sorted(other_version_columns))}")
    answered_without_consent = _answers_without_consent(raw, instrument, consented)
    if answered_without_consent:
        notes.append(f"{answered_without_consent} rows without consent hold answers; they are excluded from the analysis")
    if raw.sheet is not None:
        problems = [p if p.sheet is not None else replace(p, sheet=raw.sheet) for p in problems]
    out.problems = problems
    out.notes = notes
    if problems and not lenient:
        raise DataError(problems)
    return out


#: from this many rows on, the items are checked on two threads (numpy releases the GIL for most of it)
PARALLEL_FROM = 50_000


def _each(check: Callable, items: list, n: int) -> list:
    """``[check(item) for item in items]``, for large files on two threads (results in item order)."""
    if n < PARALLEL_FROM or len(items) < 2 or (os.cpu_count() or 1) < 2:
        return [check(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2, thread_name_prefix="afstand-validate") as pool:
        return list(pool.map(check, items))


def _declared_missing(column: Column, codes: tuple[str, ...], consented: np.ndarray) -> tuple[Column, dict[str, int]]:
    """Cells holding a declared missing-value code become empty; how often each code occurs
    among consenting respondents is returned (so the analysis can report it, never average it).

    A code matches the cell's text, or its number (``999`` matches ``999.0``); in a
    select_multiple cell a code among several choices is removed from the cell.
    """
    numeric = {}
    for code in codes:
        try:
            numeric[float(code.replace(",", "."))] = code
        except ValueError:
            pass

    def code_of(text: str) -> str | None:
        if text in codes:
            return text
        if numeric and _NUMBER.fullmatch(text):
            return numeric.get(float(text.replace(",", ".")))
        return None

    values = column.values.copy()
    hit_code: list[str | None] = []
    changed = False
    for v, text in enumerate(column.values):
        code = code_of(text)
        if code is None and " " in text:
            parts = text.split()
            kept = [p for p in parts if code_of(p) is None]
            if len(kept) != len(parts):
                code = next(code_of(p) for p in parts if code_of(p) is not None)
                values[v] = " ".join(kept)
                changed = True
        elif code is not None:
            values[v] = ""
            changed = True
        hit_code.append(code)
    if not changed:
        return column, {}
    counted: dict[str, int] = {}
    per_row = column.index[consented]
    tally = np.bincount(per_row[per_row >= 0], minlength=len(values))
    for v, code in enumerate(hit_code):
        if code is not None and tally[v]:
            counted[code] = counted.get(code, 0) + int(tally[v])
    empty = np.array([text == "" for text in values], dtype=bool)
    index = np.where((column.index >= 0) & empty[np.maximum(column.index, 0)], -1, column.index).astype(np.int32)
    return Column(values, index), counted


def _response_ids(raw: RawTable, rows: np.ndarray, problems: list[Problem]) -> Callable[[], np.ndarray]:
    """Checks the response ids now (empty, duplicate); returns a function that makes them."""
    if raw.id_column is None:
        return lambda: np.array([f"row-{r}" for r in rows], dtype=object)
    column = raw.columns[raw.id_column]
    header = raw.headers.get(raw.id_column, raw.id_column)
    missing = ~column.present
    for index in np.flatnonzero(missing)[:MAX_LISTED_PER_COLUMN]:
        problems.append(Problem(raw.file, "the response id is empty", row=int(rows[index]), column=header))
    counts = np.bincount(column.index + 1, minlength=column.n_values + 1)[1:]
    if (counts > 1).any():
        first_seen: dict[int, int] = {}
        for index in np.flatnonzero(column.map(counts > 1, False)):
            code = int(column.index[index])
            if code in first_seen:
                problems.append(
                    Problem(
                        raw.file,
                        f"duplicate response id (first in row {first_seen[code]})",
                        row=int(rows[index]),
                        column=header,
                        value=column.values[code],
                    )
                )
            else:
                first_seen[code] = int(rows[index])

    def make() -> np.ndarray:
        ids = column.map(column.values, None)
        if missing.any():
            ids[missing] = [f"row-{r}" for r in rows[missing]]
        return ids

    return make


def _select_one(item: Item, column: Column, rows, file, where, problems, keep) -> np.ndarray:
    """Choice codes of the kept rows; checked per distinct value, rows looked up only for problems."""
    lookup = {name: i for i, name in enumerate(item.choice_list.names)}
    per_value = np.array([lookup.get(v, -1) for v in column.values], dtype=np.int32)
    unknown = np.array([v not in lookup for v in column.values], dtype=bool)
    if unknown.any():
        _report(
            column.map(unknown, False),
            column,
            rows,
            file,
            where,
            f"not a choice of item {item.name} (choices: {', '.join(item.choice_list.names)})",
            problems,
        )
    return column.map(per_value, -1, keep)  # lenient: an unknown choice counts as missing (reported above)


def _tally(codes: np.ndarray, choices: int) -> np.ndarray:
    """Respondents per choice, ``[0]`` missing: :meth:`ResponseSet.choice_counts`, counted ahead.

    For a few choices, one comparison per choice (a vectorised pass each, no copy) is about twice
    as fast as ``bincount``, which first makes ``codes + 1`` and then a copy as ``intp``."""
    if choices > 16:
        return np.bincount(codes + 1, minlength=choices + 1)
    return np.array([np.count_nonzero(codes == code) for code in range(-1, choices)], dtype=np.intp)


def _select_multiple(item: Item, column: Column, rows, file, where, problems, keep) -> MultiColumn:
    names = item.choice_list.names
    lookup = {name: i for i, name in enumerate(names)}
    k = len(names)
    per_value = np.zeros((len(column.values) + 1, k), dtype=bool)  # last row: empty cell
    bad_value: dict[int, str] = {}
    for v, text in enumerate(column.values):
        for part in text.split():
            j = lookup.get(part)
            if j is None:
                bad_value.setdefault(v, part)
            else:
                per_value[v, j] = True
    bad = np.zeros(len(column.values) + 1, dtype=bool)
    bad[list(bad_value)] = True
    index = column.index  # −1 (empty cell) picks the last row of per_value and bad
    bad_rows = bad[index] if bad_value else None
    if bad_rows is not None and bad_rows.any():
        listed = 0
        for row in np.flatnonzero(bad_rows)[:MAX_LISTED_PER_COLUMN]:
            problems.append(
                Problem(
                    file,
                    f"not a choice of item {item.name} (choices: {', '.join(names)})",
                    row=int(rows[row]),
                    column=where,
                    value=bad_value[int(column.index[row])],
                )
            )
            listed += 1
        _summary(int(bad_rows.sum()), listed, file, where, problems)
        per_value[bad] = False  # lenient: a cell with an unknown choice counts as missing (reported above)
    return MultiColumn(per_value[index if keep is None else index[keep]])


def _number(item: Item, column: Column, rows, file, where, problems, notes, keep) -> np.ndarray:
    per_value = np.full(len(column.values), np.nan)
    not_number = np.zeros(len(column.values), dtype=bool)
    for v, text in enumerate(column.values):
        if _NUMBER.fullmatch(text):
            per_value[v] = float(text.replace(",", "."))
        else:
            not_number[v] = True
    if not_number.any():
        _report(column.map(not_number, False), column, rows, file, where, "not a number", problems)
    if item.type == "integer":
        fractional = ~np.isnan(per_value) & (per_value != np.floor(per_value))
        if fractional.any():
            _report(column.map(fractional, False), column, rows, file, where, "not a whole number", problems)
        per_value[fractional] = np.nan
    if item.constraint:
        try:
            allowed = numeric_predicate(item.constraint)
        except Unsupported:
            notes.append(f"constraint of {item.name} ({item.constraint}) is not checked on import")
        else:
            present = ~np.isnan(per_value)
            outside = present.copy()
            outside[present] = ~allowed(per_value[present])
            if outside.any():
                _report(column.map(outside, False), column, rows, file, where, f"outside the allowed range ({item.constraint})", problems)
            per_value[outside] = np.nan
    return column.map(per_value, np.nan, keep).astype(np.float64, copy=False)


def _report(bad: np.ndarray, column: Column, rows, file, where, message, problems) -> None:
    indices = np.flatnonzero(bad)
    if not len(indices):
        return
    shown = indices[:MAX_LISTED_PER_COLUMN]
    for index in shown:
        problems.append(Problem(file, message, row=int(rows[index]), column=where, value=column.cell(int(index))))
    _summary(len(indices), len(shown), file, where, problems)


def _summary(total: int, listed: int, file, where, problems) -> None:
    if total > listed:
        problems.append(Problem(file, f"{total - listed} more problems of this kind in this column", column=where))


def _answers_without_consent(raw: RawTable, instrument: Instrument, consented: np.ndarray) -> int:
    if consented.all():
        return 0
    others = np.flatnonzero(~consented)  # only these rows are looked at
    any_answer = np.zeros(len(others), dtype=bool)
    for name, column in raw.columns.items():
        if name in instrument.items and name != instrument.consent_item:
            any_answer |= column.map(np.ones(column.n_values, dtype=bool), False, others)
    return int(any_answer.sum())
