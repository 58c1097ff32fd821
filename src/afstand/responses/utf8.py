"""A CSV file that is not UTF-8: where it is not (row and column), for the message.

Excel's default CSV in a Dutch locale is Windows-1252; afstand reads UTF-8 ("CSV UTF-8") and
refuses anything else with the row (and column) of the first cell that is not.
"""

from __future__ import annotations

import re

import pyarrow as pa

from afstand.errors import Problem

#: Excel's default CSV in a Dutch locale is Windows-1252; its "CSV UTF-8" is what afstand reads.
NOT_UTF8 = "the file is not UTF-8 text (from Excel: save it as 'CSV UTF-8')"


def not_utf8(label: str, buffer: pa.Buffer, err: Exception, header: list[str]) -> Problem:
    """The problem for a file pyarrow found not to be UTF-8: with the row of the first bytes that
    are not, and the column when pyarrow names it ("In CSV column #1")."""
    found = _COLUMN.search(str(err))
    column = header[int(found.group(1))] if found and int(found.group(1)) < len(header) else None
    return Problem(label, NOT_UTF8, row=first_bad_row(buffer), column=column)


_COLUMN = re.compile(r"CSV column #(\d+)")


def first_bad_row(buffer: pa.Buffer) -> int | None:
    """The line (1 = the header) of the first bytes that are not UTF-8 (for the message only)."""
    data = buffer.to_pybytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return data.count(b"\n", 0, err.start) + 1
    return None
