"""The first line of a CSV file (where it ends, the header it holds), and, once pyarrow has refused
a file, where and why its structure breaks: the row, the lines of the file it spans, the cell.

Lines count as a text editor counts them: a line feed, a carriage return and the pair of them each
end one. Rows count as every other message counts them: the header is row 1, and lines that are
empty or hold only spaces and tabs are no rows (pyarrow skips empty lines; afstand skips the others
too, :func:`afstand.responses.readers._parse`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass


def line_end(data: bytes) -> int:
    """Where the first line ends: at a line feed or a lone carriage return (as pyarrow reads it); −1: no end."""
    ends = [at for at in (data.find(b"\n"), data.find(b"\r")) if at >= 0]
    return min(ends) if ends else -1


def split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])


#: Lines before the header that are empty or hold only spaces and tabs.
BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\r|\n))*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def blank(text: str | bytes) -> bool:
    """Whether a line holds nothing but spaces, tabs and its line end (it is then no row)."""
    return not text.strip(" \t\r\n" if isinstance(text, str) else b" \t\r\n")


@dataclass(frozen=True)
class Uneven:
    """A row whose number of cells differs from the header's, and what explains it."""

    row: int  # the header is row 1
    line: int  # the line of the file the row starts on
    last_line: int  # … and ends on
    cells: list[str]
    #: a quoted value that runs over line breaks (the likely cause when the count is off): its cell and the line it opens on
    quoted: tuple[int, int] | None = None
    at_end: bool = False  # the file ends inside that quoted value: its quote is never closed
    #: the row is cut short by a line break in a value without quotes (the next line holds the rest): the break
    cut_by: str | None = None
    odd_quotes: bool = False  # the row's text holds an odd number of quotes (")


def first_uneven_row(lines, delimiter: str, width: int) -> Uneven | None:
    """The first record whose number of cells differs from ``width`` (the header's).
    ``lines``: the file's text as an iterable of lines (``newline=""``). None: every record has
    ``width`` cells (or the text is not CSV that Python's reader follows)."""
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=delimiter)
    row = last = 0  # last: the line the previous record ended on
    try:
        for cells in reader:
            text = source.take()
            first, last = last + 1, reader.line_num
            if not cells or (width > 1 and first == last and blank(text)):
                continue
            row += 1
            if row == 1 or len(cells) == width:
                continue
            following = _next(reader)
            quoted = next((i for i, cell in enumerate(cells) if "\n" in cell or "\r" in cell), None)
            if quoted is not None:
                at_end = quoted == len(cells) - 1 and following is None and _unclosed(text, delimiter)
                return Uneven(row, first, last, cells, quoted=(quoted, _opens(first, cells, quoted)), at_end=at_end)
            cut = len(cells) < width and bool(following) and reader.line_num == last + 1 and len(cells) + len(following) - 1 == width
            return Uneven(
                row, first, last, cells, cut_by=text[len(text.rstrip("\r\n")) :] if cut else None, odd_quotes=text.count('"') % 2 == 1
            )
    except csv.Error:
        return None
    return None


def ends_inside_quotes(lines, delimiter: str) -> tuple[int, int, list[str]] | None:
    """When the text ends inside a quoted value (its quote is never closed, and pyarrow reads the
    rest of the file into it): the last record's row number, the line its last value opens on and
    its cells. None: it does not."""
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=delimiter)
    row = last = 0
    found = None
    try:
        for cells in reader:
            text = source.take()
            first, last = last + 1, reader.line_num
            if cells and not (first == last and blank(text)):
                row += 1
                found = (row, first, cells, text)
    except csv.Error:
        return None
    if found is None or not _unclosed(found[3], delimiter):
        return None
    row, first, cells, _ = found
    return row, _opens(first, cells, len(cells) - 1), cells


def _next(reader) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error:
        return None


def _opens(first: int, cells: list[str], index: int) -> int:
    """The line a record's cell opens on, from the line the record starts on."""
    return first + sum(len(_LINE_BREAK.findall(cell)) for cell in cells[:index])


def _unclosed(record: str, delimiter: str) -> bool:
    """Whether a record's text ends inside a quoted value (Python's strict reader says exactly
    that: "unexpected end of data"; an odd number of quotes is the quick test)."""
    if record.count('"') % 2 == 0:
        return False
    try:
        for _ in csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


class _Lines:
    """The lines of a text, keeping those read since :meth:`take` (one record's)."""

    def __init__(self, lines) -> None:
        self._lines = iter(lines)
        self._parts: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._parts.append(line)
        return line

    def take(self) -> str:
        text = "".join(self._parts)
        self._parts = []
        return text
