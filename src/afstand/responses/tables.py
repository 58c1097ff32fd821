"""Nested responses -> flat tables as KoboToolbox exports them: one table for the questions
outside any repeat, one table per repeat (one row per instance), joined by index.

Every table has an ``_index`` column (1, 2, … within the table); a repeat's table adds
``_parent_table_name`` and ``_parent_index`` (the ``_index`` of the row it belongs to), and the
main table's ``response_id`` is repeated as ``_submission_response_id`` so a repeat table can be
joined without the parent table too. Columns are the question keys (the name, or the full path
when a name occurs in more than one group), calculations included.

:func:`section` is the instrument seen from one table, so each table can be validated and
analysed with the ordinary tools (``afstand analyze --instrument FORM --repeat NAME``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Mapping

from afstand.errors import InstrumentError
from afstand.instrument.engine import engine_for
from afstand.instrument.model import Instrument
from afstand.responses.validate import REPEAT_META  # one definition, read by the validator too

MAIN = "main"


def table_items(instrument: Instrument, repeat: str | None) -> list[str]:
    """Question keys stored in the table of ``repeat`` (``None`` = main), in form order."""
    engine = engine_for(instrument)
    return [k for k in instrument.items if engine.repeat_of(k) == repeat]


def response_tables(
    instrument: Instrument, responses: Iterable[tuple[list[str], Mapping[str, Any]]], meta: list[str]
) -> dict[str, tuple[list[str], list[list[str]]]]:
    """``responses`` yields (meta values, nested answers); ``meta[0]`` is the response id column.

    Returns ``{table name: (header, rows)}``: ``main`` first, then one per repeat in form order."""
    engine = engine_for(instrument)
    repeats = [g for g in instrument.groups if g.repeat]
    main_items = table_items(instrument, None)
    tables: dict[str, tuple[list[str], list[list[str]]]] = {MAIN: (list(meta) + main_items + (["_index"] if repeats else []), [])}
    columns = {g.name: table_items(instrument, g.name) for g in repeats}
    for g in repeats:
        tables[g.name] = (columns[g.name] + list(REPEAT_META), [])
    counters = {g.name: 0 for g in repeats}

    def descend(container: Mapping[str, Any], parent: str, parent_index: int, response_id: str, parent_repeat: str | None) -> None:
        for g in repeats:
            if engine.repeat_of(g.name) != parent_repeat:
                continue
            instances = container.get(g.name)
            if not isinstance(instances, list):
                continue
            for instance in instances:
                if not isinstance(instance, Mapping):
                    continue
                counters[g.name] += 1
                index = counters[g.name]
                row = [_cell(instance.get(k, "")) for k in columns[g.name]] + [str(index), parent, str(parent_index), response_id]
                tables[g.name][1].append(row)
                descend(instance, g.name, index, response_id, g.name)

    for number, (values, answers) in enumerate(responses, start=1):
        row = list(values) + [_cell(answers.get(k, "")) for k in main_items]
        if repeats:
            row.append(str(number))
        tables[MAIN][1].append(row)
        if repeats:
            descend(answers, MAIN, number, str(values[0]) if values else "", None)
    return tables


def section(instrument: Instrument, repeat: str | None) -> Instrument:
    """The instrument as one table sees it: only the questions of ``repeat`` (``None`` = outside any repeat)."""
    if repeat is not None and not any(g.repeat and g.name == repeat for g in instrument.groups):
        known = ", ".join(g.name for g in instrument.groups if g.repeat) or "none"
        raise InstrumentError(f"{instrument.source}: no repeat {repeat!r} in this form (repeats: {known})")
    if repeat is None and not any(g.repeat for g in instrument.groups):
        return instrument
    keep = set(table_items(instrument, repeat))
    return replace(
        instrument,
        items={k: v for k, v in instrument.items.items() if k in keep},
        consent_item=instrument.consent_item if repeat is None else None,
        consent_choice=instrument.consent_choice if repeat is None else None,
    )


def _cell(value: Any) -> str:
    return "" if isinstance(value, (list, dict)) or value is None else str(value)
