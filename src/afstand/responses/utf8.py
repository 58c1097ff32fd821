"""A CSV file that is not UTF-8: where it is not (row and column), for the message.

Excel's default CSV in a Dutch locale is Windows-1252; afstand reads UTF-8 ("CSV UTF-8") and
refuses anything else with the row (and column) of the first cell that is not.
"""

from __future__ import annotations

import csv
import re

import pyarrow as pa

from afstand.errors import Problem
from afstand.responses.csv_head import split_header

#: Excel's default CSV in a Dutch locale is Windows-1252; its "CSV UTF-8" is what afstand reads.
NOT_UTF8 = "the file is not UTF-8 text (from Excel: save it as 'CSV UTF-8')"


def not_utf8(label: str, buffer: pa.Buffer, header: list[str], delimiter: str) -> Problem:
    """The problem for a file that is not UTF-8, with the row and the column of its first cell
    that is not (the line breaks and the separators before its first bad byte)."""
    data = buffer.to_pybytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
        row = len(_LINE_BREAK.findall(before, 0, line_start)) + 1
        partial = before[line_start:].decode("utf-8", errors="replace")
        try:
            fields = split_header(partial, delimiter) or [""]
        except csv.Error:
            fields = [""]
        at = len(fields) - 1 if partial else 0
        return Problem(label, NOT_UTF8, row=row, column=header[at] if row > 1 and at < len(header) else None)
    return Problem(label, NOT_UTF8)


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
