"""Fixtures of the response-reader tests."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture(scope="module")
def werkers(demo_data) -> tuple[list[str], list[list[str]]]:
    """The demo study's worker responses as header and rows; no value holds a line break, so a
    row's line in the file is its row number."""
    raw = demo_data["werkers"].read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert b"\r" not in raw and raw.count(b"\n") == len(rows)
    return rows[0], rows[1:]
