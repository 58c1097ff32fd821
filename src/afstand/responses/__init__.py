"""Load response data and check it against its instrument (pure core: no Django)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.layouts import LAYOUTS, apply_layout
from afstand.responses.memory import table_from_columns, table_from_json_answers, table_from_rows
from afstand.responses.readers import Grid, RawTable, read_csv, read_csv_grid, read_formsexport, read_xlsx_grid
from afstand.responses.validate import validate

__all__ = ["load_responses", "read_table", "ResponseSet", "MultiColumn", "RawTable", "Grid", "LAYOUTS",
           "read_csv", "read_formsexport", "validate", "table_from_columns", "table_from_rows", "table_from_json_answers"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
#: earlier names of two layouts, still accepted
_OLD_LAYOUT_NAMES = {"csv": "afstand", "formsexport": "ms-forms"}

Source = str | os.PathLike[str] | bytes | io.IOBase | RawTable


def read_table(
    source: str | os.PathLike[str] | bytes | io.IOBase, instrument: Instrument, *, layout: str | None = None,
    name: str | None = None,
) -> RawTable:
    """Read a response file of any known layout (see :mod:`afstand.responses.layouts`).

    The file type follows the suffix (``.csv`` or ``.xlsx``) of the path or of ``name``; for
    bytes or a stream without either, an ``.xlsx`` is recognised by its zip signature.
    ``layout`` forces a layout.
    """
    label = str(source) if isinstance(source, (str, os.PathLike)) else (name or "<data>")
    suffix = Path(label).suffix.lower()
    if not isinstance(source, (str, os.PathLike, bytes)):
        source = source.read()
    if suffix not in SPREADSHEET_SUFFIXES + TEXT_SUFFIXES:
        if isinstance(source, bytes):
            suffix = ".xlsx" if source[:4] == b"PK\x03\x04" else ".csv"
        else:
            raise DataError([Problem(label, "unknown data format: expected a .csv or .xlsx file "
                                            "(afstand, KoboToolbox, ODK Central or Microsoft Forms export)")])
    if suffix in SPREADSHEET_SUFFIXES:
        grid = read_xlsx_grid(source, name=label)
    else:
        grid = read_csv_grid(source, name=label)
    return apply_layout(grid, instrument, layout=_OLD_LAYOUT_NAMES.get(layout, layout))


def load_responses(
    source: Source, instrument: Instrument, *, lenient: bool = False, layout: str | None = None,
    missing: tuple[str, ...] | list[str] = (), name: str | None = None,
) -> ResponseSet:
    """Read and validate responses: a path, the bytes or a binary stream of a file in any known
    layout, or a :class:`RawTable` already in memory (:func:`table_from_columns`, :func:`table_from_rows`).

    ``layout`` forces one of :data:`LAYOUTS` (``afstand``, ``kobo-xml``, ``kobo-labels``,
    ``odk-central``, ``ms-forms``); by default it is detected and reported on the result.
    ``missing``: the study's missing-value codes (each item's own come from the XLSForm).
    ``name`` labels bytes and streams in messages (and its suffix gives their file type).
    """
    if isinstance(source, RawTable):
        return validate(source, instrument, lenient=lenient, missing=missing)
    raw = read_table(source, instrument, layout=layout, name=name)
    return validate(raw, instrument, lenient=lenient, missing=missing)
