"""Load response data and check it against its instrument (pure core: no Django)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable

from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.memory import table_from_columns, table_from_json_answers, table_from_rows
from afstand.responses.readers import RawTable, read_csv, read_formsexport
from afstand.responses.validate import validate

__all__ = ["load_responses", "ResponseSet", "MultiColumn", "RawTable", "read_csv", "read_formsexport", "validate",
           "table_from_columns", "table_from_rows", "table_from_json_answers"]

Source = str | os.PathLike[str] | bytes | io.IOBase | RawTable


def load_responses(
    source: Source, instrument: Instrument, *, lenient: bool = False, layout: str | None = None, name: str | None = None,
    versions: Iterable[Instrument] | None = None, columnar_cache: bool = False,
) -> ResponseSet:
    """Read and validate responses: a path (canonical ``.csv`` or forms-service ``.xlsx``), the
    bytes or a binary stream of such a file, or a :class:`RawTable` already in memory
    (:func:`table_from_columns`, :func:`table_from_rows`).

    ``layout`` forces ``"csv"`` or ``"formsexport"``; for a path the suffix decides by default,
    for bytes or a stream the layout is CSV unless given. ``name`` labels bytes and streams in messages.
    ``versions``: other instrument versions the rows may have used (``instrument_version``
    column); items not in a row's version are not asked of it.
    ``columnar_cache``: for a CSV path, reuse or store a parsed copy (:mod:`afstand.responses.columnar`).
    """
    if isinstance(source, RawTable):
        return validate(source, instrument, lenient=lenient, versions=versions)
    if isinstance(source, (str, os.PathLike)):
        suffix = Path(source).suffix.lower()
        layout = layout or ("formsexport" if suffix in (".xlsx", ".xlsm") else "csv" if suffix in (".csv", ".txt") else None)
    else:
        layout = layout or "csv"
    if layout == "csv" and columnar_cache and isinstance(source, (str, os.PathLike)):
        from afstand.responses.columnar import read_csv_cached

        raw = read_csv_cached(source, instrument.version_id)
    elif layout == "csv":
        raw = read_csv(source, name=name)
    elif layout == "formsexport":
        raw = read_formsexport(source, instrument, name=name)
    else:
        label = str(source) if isinstance(source, (str, os.PathLike)) else name or "<data>"
        raise DataError([Problem(label, "unknown data format: expected a .csv (canonical) or .xlsx (forms-service export) file")])
    return validate(raw, instrument, lenient=lenient, versions=versions)
