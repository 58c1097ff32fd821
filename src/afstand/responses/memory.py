"""Responses that are already in memory (a database, a test) as a :class:`RawTable`.

The same canonical layout as the CSV: a column per item named by the item, choice names as
values, select_multiple as space-separated names, ``None`` or ``""`` for unanswered; the
meta columns ``response_id``, ``instrument_version`` and ``submission_date`` may be given.
No file is written: the columns are dictionary-encoded directly by pyarrow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.json as pajson

from afstand.errors import DataError, Problem
from afstand.responses.readers import ID_COLUMN, Column, RawTable


def table_from_columns(columns: Mapping[str, Sequence[object]], *, name: str = "<data>") -> RawTable:
    """A RawTable from named columns of equal length; values other than text are written as text."""
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise DataError([Problem(name, f"columns of different lengths: {sorted(lengths)}")])
    n_rows = lengths.pop() if lengths else 0
    encoded = {}
    for header, values in columns.items():
        cells = [v if isinstance(v, str) or v is None else str(v) for v in values]
        encoded[header] = Column.from_arrow(pa.array(cells, type=pa.string()))
    return RawTable(
        file=name, n_rows=n_rows, columns=encoded, headers={h: h for h in encoded}, id_column=ID_COLUMN if ID_COLUMN in encoded else None
    )


def table_from_rows(header: Sequence[str], rows: Sequence[Sequence[object]], *, name: str = "<data>") -> RawTable:
    """A RawTable from a header and rows (as a CSV would hold them)."""
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise DataError([Problem(name, f"expected {len(header)} values, found {len(row)}", row=number)])
    return table_from_columns({h: [row[i] for row in rows] for i, h in enumerate(header)}, name=name)


def table_from_json_answers(
    answers: Sequence[str] | Sequence[bytes],
    items: Sequence[str],
    *,
    meta: Mapping[str, Sequence[object]] | None = None,
    name: str = "<data>",
) -> RawTable:
    """A RawTable from one JSON object of answers per response (``{"item": "value", …}``, the
    canonical encoding, as a database stores it; as text or as UTF-8 bytes), plus meta columns
    given as lists.

    pyarrow parses the objects and builds the item columns in C (no Python object per answer);
    answers that are not text (an old number) are read through the slower ``json`` path instead."""
    meta = dict(meta or {})
    columns: dict[str, Column] = {
        h: Column.from_arrow(pa.array([None if v is None else str(v) for v in values], type=pa.string())) for h, values in meta.items()
    }
    if answers:
        schema = pa.schema([(item, pa.string()) for item in items])
        try:
            table = pajson.read_json(
                pa.py_buffer(b"\n".join(answers) if isinstance(answers[0], bytes) else "\n".join(answers).encode("utf-8")),
                parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
            )
            by_item = {item: table.column(item) for item in items}
        except pa.ArrowInvalid:  # a value that is not text
            decoded = [json.loads(text) for text in answers]
            by_item = {
                item: pa.array([None if (v := d.get(item)) is None else str(v) for d in decoded], type=pa.string()) for item in items
            }
        for item in items:
            columns[item] = Column.from_arrow(by_item[item])
    else:
        columns.update({item: Column.empty(0) for item in items})
    n_rows = len(answers)
    if any(len(c) != n_rows for c in columns.values()):
        raise DataError([Problem(name, "meta columns and answers differ in length")])
    return RawTable(
        file=name, n_rows=n_rows, columns=columns, headers={h: h for h in columns}, id_column=ID_COLUMN if ID_COLUMN in columns else None
    )
