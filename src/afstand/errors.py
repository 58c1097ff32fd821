"""Errors and problem reports shared by the whole core.

Every error that reaches a user names where the problem is: the file, and where it
applies the sheet, row, column and offending value. The CLI prints ``str(error)`` as a
single line and exits with status 2; the web app shows the same text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input file.

    ``row`` counts like a spreadsheet: the header is row 1, the first response row 2.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None:
            text += f" (value {_short(self.value)!r})"
        return text

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "message": self.message,
        }


def _short(value: object, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AfstandError(Exception):
    """Base class for every error the core raises on bad input."""


class InstrumentError(AfstandError):
    """An XLSForm could not be read or is inconsistent."""


class StudyError(AfstandError):
    """A study folder or its configuration is missing or inconsistent."""


class DataError(AfstandError):
    """Response data does not fit its instrument.

    Holds every problem found; ``str()`` shows the first and how many more there are.
    """

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("DataError needs at least one problem")
        self.problems = list(problems)
        first = str(self.problems[0])
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""))


def not_a_file(path: str | os.PathLike[str]) -> str:
    """Why ``path`` cannot be read as a file (for a path where ``is_file()`` is false): it does
    not exist, it is a folder, or it is something else (a pipe, a device, a socket)."""
    path = Path(path)
    if path.is_dir():
        return "a folder, not a file"
    if path.exists():
        return "not a regular file (a pipe, device or socket): save the data to a file first"
    return "no such file"


def unreadable(err: OSError) -> str:
    """An error opening or reading a file, in words (without Python's ``[Errno …]``)."""
    reason = (err.strerror or type(err).__name__).lower()
    return f"the file cannot be read: {reason}"
