"""Control characters in response values: refused with row, column and value.

NUL, U+0001–U+0008, U+000B, U+000C, U+000E–U+001F and U+007F (:data:`afstand.responses.values.UNPRINTABLE`,
which the web form refuses too): no keyboard types them, XML (REFI-QDA, .docx, .xlsx) cannot hold
them, and reports show them as nothing or break on them. Tab, line feed and carriage return are text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from afstand.errors import DataError, Problem
from afstand.responses.column import Column
from afstand.responses.values import UNPRINTABLE

#: Bytes of the control characters :data:`UNPRINTABLE` refuses (in UTF-8 they are single bytes:
#: no other character's encoding holds a byte below 128).
_CONTROL_BYTE = np.array([UNPRINTABLE.match(chr(b)) is not None for b in range(128)] + [False] * 128)
MAX_LISTED = 50


def refuse_control_characters(label: str, headers: list[str], columns: list[Column]) -> None:
    """A :class:`DataError` naming row, column and value of each distinct value that holds a
    control character, at the first row it is in (the header is row 1).

    Checked once per distinct value, as bytes while the values are still Arrow's: for a clean
    file a scan of each column's distinct values, no Python string made."""
    problems: list[Problem] = []
    more = 0
    for header, column in zip(headers, columns):
        for value in _with_control_characters(column):
            if len(problems) == MAX_LISTED:
                more += 1
                continue
            at = int(np.flatnonzero(column.index == value)[0])
            text = column.values[value]
            code = ord(UNPRINTABLE.search(text).group())
            problems.append(
                Problem(
                    label,
                    f"the value holds a control character (U+{code:04X}) that reports and exports cannot hold: remove it",
                    row=at + 2,
                    column=header,
                    value=text,
                )
            )
    if more:
        problems.append(Problem(label, f"{more} more values hold a control character"))
    if problems:
        raise DataError(problems)


def _with_control_characters(column: Column) -> list[int]:
    """The positions of the column's distinct values that hold a control character."""
    dictionary = column._dictionary  # the distinct values while they are Arrow's (Python strings are made on demand)
    if dictionary is not None and pa.types.is_string(dictionary.type):
        if not len(dictionary) or dictionary.buffers()[2] is None:
            return []
        ends = np.frombuffer(dictionary.buffers()[1], dtype=np.int32, count=dictionary.offset + len(dictionary) + 1)
        if not _control_bytes(np.frombuffer(dictionary.buffers()[2], dtype=np.uint8)[ends[dictionary.offset] : ends[-1]]):
            return []
    elif not column.n_values or UNPRINTABLE.search("\n".join(v for v in column.values if v)) is None:
        return []
    return [i for i, text in enumerate(column.values) if text and UNPRINTABLE.search(text)]


def _control_bytes(data: np.ndarray) -> bool:
    """Whether UTF-8 text holds a control character (two comparisons over the bytes; the table
    only for the few below 32, tabs and line breaks among them)."""
    low = data < 32
    return bool(low.any() and _CONTROL_BYTE[data[low]].any()) or bool((data == 127).any())
