"""The first line of a CSV file: where it ends and the header it holds."""

from __future__ import annotations

import csv


def line_end(data: bytes) -> int:
    """Where the first line ends: at a line feed or a lone carriage return (as pyarrow reads it); −1: no end."""
    ends = [at for at in (data.find(b"\n"), data.find(b"\r")) if at >= 0]
    return min(ends) if ends else -1


def split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])
