"""Responses that are already in memory (a database, a test) as a :class:`RawTable`.

The same canonical layout as the CSV: a column per item named by the item, choice names as
values, select_multiple as space-separated names, ``None`` or ``""`` for unanswered; the
meta columns ``response_id``, ``instrument_version`` and ``submission_date`` may be given.
No file is written: the columns are dictionary-encoded directly by pyarrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

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
    return RawTable(file=name, n_rows=n_rows, columns=encoded, headers={h: h for h in encoded},
                    id_column=ID_COLUMN if ID_COLUMN in encoded else None)


def table_from_rows(header: Sequence[str], rows: Sequence[Sequence[object]], *, name: str = "<data>") -> RawTable:
    """A RawTable from a header and rows (as a CSV would hold them)."""
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise DataError([Problem(name, f"expected {len(header)} values, found {len(row)}", row=number)])
    return table_from_columns({h: [row[i] for row in rows] for i, h in enumerate(header)}, name=name)
