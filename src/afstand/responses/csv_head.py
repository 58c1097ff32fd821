"""The first line of a CSV file: where it ends and the header it holds."""

from __future__ import annotations

import csv


def line_end(data: bytes) -> int:
    """Where the first line ends: at a line feed or a lone carriage return (as pyarrow reads it); −1: no end."""
    ends = [at for at in (data.find(b"\n"), data.find(b"\r")) if at >= 0]
    return min(ends) if ends else -1


def split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])


def first_uneven_row(lines, delimiter: str, width: int) -> tuple[int, int, list[str]] | None:
    """The first record whose number of cells differs from ``width`` (the header's): its row
    number (the header is row 1; blank lines are skipped, as pyarrow skips them), its number of
    cells and the cells. ``lines``: the file's text as an iterable of lines (``newline=""``).
    None: every record has ``width`` cells (or the text is not CSV that Python's reader follows)."""
    row = 0
    try:
        for cells in csv.reader(lines, delimiter=delimiter):
            if not cells:
                continue
            row += 1
            if len(cells) != width:
                return row, len(cells), cells
    except csv.Error:
        return None
    return None
