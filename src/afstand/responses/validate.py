"""Check a :class:`RawTable` against its instrument and turn it into a :class:`ResponseSet`.

Every problem names file, row, column and value. In strict mode (the default) any
problem raises :class:`DataError` listing them all; with ``lenient=True`` the problems are
returned on the response set and the offending cells count as missing — they are
reported, never silently dropped or altered.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from afstand.errors import DataError, Problem
from afstand.instrument.expressions import Unsupported, numeric_predicate
from afstand.instrument.model import Instrument, Item
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.readers import ID_COLUMN, META_COLUMNS, RawTable

_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"
#: Problems listed per column at most; beyond that one summary problem says how many more.
MAX_LISTED_PER_COLUMN = 50


def validate(raw: RawTable, instrument: Instrument, *, lenient: bool = False) -> ResponseSet:
    problems = list(raw.problems)
    n = raw.n_rows
    rows = np.arange(n, dtype=np.int64) + 2  # spreadsheet row numbers

    for header in raw.columns:
        if header != ID_COLUMN and header not in META_COLUMNS and header not in instrument.items:
            problems.append(Problem(raw.file, f"no item of instrument {instrument.form_id!r} has this name", row=1, column=header))

    ids = _response_ids(raw, rows, problems)
    consented = np.ones(n, dtype=bool)
    notes: list[str] = []
    if instrument.consent_item:
        column = raw.columns.get(instrument.consent_item)
        if column is None:
            problems.append(Problem(raw.file, f"the consent column {instrument.consent_item!r} is missing", row=1))
            consented[:] = False
        else:
            consented = pc.fill_null(pc.equal(column, instrument.consent_choice), False).to_numpy(zero_copy_only=False)

    out = ResponseSet(
        instrument=instrument,
        source=raw.file,
        n_total=n,
        response_ids=ids[consented],
        file_rows=rows[consented],
        dropped_columns=list(raw.dropped),
    )
    for item in instrument.items.values():
        column = raw.columns.get(item.name)
        if column is None:
            out.not_asked.append(item.name)
            column = pa.nulls(n, pa.string())
        where = raw.headers.get(item.name, item.name)
        if item.kind == "select_one":
            out.single[item.name] = _select_one(item, column, rows, raw.file, where, problems)[consented]
        elif item.kind == "select_multiple":
            out.multi[item.name] = _select_multiple(item, column, rows, raw.file, where, problems).take(consented)
        elif item.kind == "number":
            out.numbers[item.name] = _number(item, column, rows, raw.file, where, problems, notes)[consented]
        else:
            out.texts[item.name] = column.filter(pa.array(consented))

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


def _response_ids(raw: RawTable, rows: np.ndarray, problems: list[Problem]) -> np.ndarray:
    if raw.id_column is None:
        return np.array([f"row-{r}" for r in rows], dtype=object)
    column = raw.columns[raw.id_column]
    header = raw.headers.get(raw.id_column, raw.id_column)
    ids = np.array(column.to_pylist(), dtype=object)
    for index in np.flatnonzero(pc.is_null(column).to_numpy(zero_copy_only=False))[:MAX_LISTED_PER_COLUMN]:
        problems.append(Problem(raw.file, "the response id is empty", row=int(rows[index]), column=header))
    counts = pc.value_counts(column.drop_null())
    duplicated = [v["values"].as_py() for v in counts if v["counts"].as_py() > 1]
    if duplicated:
        mask = pc.is_in(column, value_set=pa.array(duplicated, pa.string())).to_numpy(zero_copy_only=False)
        first_seen: dict[str, int] = {}
        for index in np.flatnonzero(mask):
            value = ids[index]
            if value in first_seen:
                problems.append(
                    Problem(raw.file, f"duplicate response id (first in row {first_seen[value]})", row=int(rows[index]), column=header, value=value)
                )
            else:
                first_seen[value] = int(rows[index])
    missing = pc.is_null(column).to_numpy(zero_copy_only=False)
    if missing.any():
        ids[missing] = [f"row-{r}" for r in rows[missing]]
    return ids


def _select_one(item: Item, column: pa.Array, rows, file, where, problems) -> np.ndarray:
    choices = pa.array(item.choice_list.names, pa.string())
    codes = pc.index_in(column, value_set=choices)
    bad = pc.and_(pc.is_valid(column), pc.is_null(codes)).to_numpy(zero_copy_only=False)
    _report(bad, column, rows, file, where, f"not a choice of item {item.name} (choices: {', '.join(item.choice_list.names)})", problems)
    return pc.fill_null(codes, -1).to_numpy(zero_copy_only=False).astype(np.int32)


def _select_multiple(item: Item, column: pa.Array, rows, file, where, problems) -> MultiColumn:
    n = len(column)
    choices = pa.array(item.choice_list.names, pa.string())
    lists = pc.split_pattern_regex(column, r"\s+")
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    codes = pc.index_in(flat, value_set=choices)
    valid = pc.is_valid(codes).to_numpy(zero_copy_only=False)
    if not valid.all():
        bad_rows = np.zeros(n, dtype=bool)
        bad_rows[parents[~valid]] = True
        flat_values = flat.to_numpy(zero_copy_only=False)
        first_bad = {}
        for p, v in zip(parents[~valid], flat_values[~valid]):
            first_bad.setdefault(int(p), v)
        listed = 0
        for index in np.flatnonzero(bad_rows):
            if listed == MAX_LISTED_PER_COLUMN:
                break
            problems.append(
                Problem(file, f"not a choice of item {item.name} (choices: {', '.join(item.choice_list.names)})", row=int(rows[index]), column=where, value=first_bad[int(index)])
            )
            listed += 1
        _summary(int(bad_rows.sum()), listed, file, where, problems)
        # lenient: a cell with an unknown choice counts as missing as a whole (reported above)
        keep = ~bad_rows[parents]
        parents, codes_np = parents[keep], pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)[keep]
    else:
        codes_np = codes.to_numpy(zero_copy_only=False)
    k = len(choices)
    combined = np.unique(parents.astype(np.int64) * k + codes_np.astype(np.int64))  # one per (row, choice)
    return MultiColumn(n, (combined // k).astype(np.int64), (combined % k).astype(np.int32), k)


def _number(item: Item, column: pa.Array, rows, file, where, problems, notes) -> np.ndarray:
    is_number = pc.match_substring_regex(column, _NUMBER)
    bad = pc.and_(pc.is_valid(column), pc.invert(pc.fill_null(is_number, False))).to_numpy(zero_copy_only=False)
    _report(bad, column, rows, file, where, "not a number", problems)
    clean = pc.if_else(pc.fill_null(is_number, False), pc.replace_substring(column, ",", "."), pa.scalar(None, pa.string()))
    values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
    if item.type == "integer":
        fractional = ~np.isnan(values) & (values != np.floor(values))
        _report(fractional, column, rows, file, where, "not a whole number", problems)
        values[fractional] = np.nan
    if item.constraint:
        try:
            allowed = numeric_predicate(item.constraint)
        except Unsupported:
            notes.append(f"constraint of {item.name} ({item.constraint}) is not checked on import")
        else:
            present = ~np.isnan(values)
            outside = present.copy()
            outside[present] = ~allowed(values[present])
            _report(outside, column, rows, file, where, f"outside the allowed range ({item.constraint})", problems)
            values[outside] = np.nan
    return values


def _report(bad: np.ndarray, column: pa.Array, rows, file, where, message, problems) -> None:
    indices = np.flatnonzero(bad)
    if not len(indices):
        return
    shown = indices[:MAX_LISTED_PER_COLUMN]
    values = column.take(pa.array(shown)).to_pylist()
    for index, value in zip(shown, values):
        problems.append(Problem(file, message, row=int(rows[index]), column=where, value=value))
    _summary(len(indices), len(shown), file, where, problems)


def _summary(total: int, listed: int, file, where, problems) -> None:
    if total > listed:
        problems.append(Problem(file, f"{total - listed} more problems of this kind in this column", column=where))


def _answers_without_consent(raw: RawTable, instrument: Instrument, consented: np.ndarray) -> int:
    if consented.all():
        return 0
    any_answer = np.zeros(raw.n_rows, dtype=bool)
    for name, column in raw.columns.items():
        if name in instrument.items and name != instrument.consent_item:
            any_answer |= pc.is_valid(column).to_numpy(zero_copy_only=False)
    return int((any_answer & ~consented).sum())
