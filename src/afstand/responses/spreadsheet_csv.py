"""The spreadsheet-safe CSV layout: the canonical layout with formula-looking cells protected.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice (CSV injection): ``=HYPERLINK(...)`` typed into an open answer would run
when a researcher opens the export. In this layout such a cell gets a ``'`` in front, unless it is
a plain number (``-5`` stays a number). A cell that starts with ``'`` gets one more, so the
transformation can be undone exactly. The file starts with a UTF-8 byte-order mark, which tells
Excel the encoding (Dutch ë) and tells afstand's reader which layout it has: a file with the mark
is read back with the protecting ``'`` removed, a file without it is canonical.
"""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def protect(value):
    """The cell as written in the spreadsheet layout (non-strings unchanged)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] == "'" or (value[0] in TRIGGERS and not NUMBER.fullmatch(value)):
        return "'" + value
    return value


def unprotect(value: str) -> str:
    """Undo :func:`protect`."""
    if len(value) > 1 and value[0] == "'" and (value[1] == "'" or value[1] in TRIGGERS):
        return value[1:]
    return value
