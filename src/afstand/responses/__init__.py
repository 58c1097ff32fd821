"""Load response data and check it against its instrument (pure core: no Django)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable

from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.layouts import LAYOUTS, apply_layout
from afstand.responses.memory import table_from_columns, table_from_json_answers, table_from_rows
from afstand.responses.readers import Grid, RawTable, file_bytes, read_csv, read_csv_grid, read_formsexport
from afstand.responses.validate import validate
from afstand.responses.versions import VERSION_COLUMN

__all__ = [
    "load_responses",
    "read_table",
    "ResponseSet",
    "MultiColumn",
    "RawTable",
    "Grid",
    "LAYOUTS",
    "read_csv",
    "read_formsexport",
    "validate",
    "table_from_columns",
    "table_from_rows",
    "table_from_json_answers",
]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
OTHER_SUFFIXES = (".zip", ".sav", ".zsav", ".dta")  # ODK Central's zip of CSV files; SPSS and Stata (afstand.responses.containers)
#: earlier names of two layouts, still accepted
_OLD_LAYOUT_NAMES = {"csv": "afstand", "formsexport": "ms-forms"}

Source = str | os.PathLike[str] | bytes | io.IOBase | RawTable


def read_table(
    source: str | os.PathLike[str] | bytes | io.IOBase,
    instrument: Instrument,
    *,
    layout: str | None = None,
    name: str | None = None,
    versions: Iterable[Instrument] = (),
) -> RawTable:
    """Read a response file of any known layout (see :mod:`afstand.responses.layouts`).

    The file type follows the suffix (``.csv``, ``.xlsx``, ``.zip``, ``.sav``, ``.dta``) of the
    path or of ``name``; for bytes or a stream without either, an ``.xlsx`` or ``.zip`` is
    recognised by its zip signature. A workbook or zip with several tables is read at the table
    that matches the instrument best (:mod:`afstand.responses.containers`).
    ``layout`` forces a layout. ``versions``: other versions of the instrument the rows may have
    answered (their questions are matched too; :mod:`afstand.responses.mixed`).
    """
    from afstand.responses import containers

    label = str(source) if isinstance(source, (str, os.PathLike)) else (name or "<data>")
    suffix = Path(label).suffix.lower()
    if not isinstance(source, (str, os.PathLike, bytes)):
        source = source.read()
    layout = _OLD_LAYOUT_NAMES.get(layout, layout)
    versions = list(versions)
    if suffix not in SPREADSHEET_SUFFIXES + TEXT_SUFFIXES + OTHER_SUFFIXES:
        if isinstance(source, bytes):
            suffix = (".xlsx" if containers.is_workbook(source) else ".zip") if source[:4] == b"PK\x03\x04" else ".csv"
        else:
            raise DataError(
                [
                    Problem(
                        label,
                        "unknown data format: expected a .csv, .xlsx, .zip (ODK Central), .sav or .dta file "
                        "(afstand, KoboToolbox, ODK Central, Microsoft Forms, SPSS or Stata)",
                    )
                ]
            )
    if suffix in SPREADSHEET_SUFFIXES:
        grid = containers.workbook_grid(source, label, instrument, layout, versions)
    elif suffix in (".zip",):
        grid = containers.zip_grid(file_bytes(source, label), label, instrument, layout, versions)
    elif suffix in (".sav", ".zsav", ".dta"):
        from afstand.formats.statread import read_stat_grid

        grid = read_stat_grid(file_bytes(source, label), label, suffix)
    else:
        grid = read_csv_grid(source, name=label)
    return apply_layout(grid, instrument, layout=layout, versions=versions)


def load_responses(
    source: Source,
    instrument: Instrument,
    *,
    lenient: bool = False,
    layout: str | None = None,
    missing: tuple[str, ...] | list[str] = (),
    name: str | None = None,
    versions: Iterable[Instrument] | None = None,
    columnar_cache: bool = False,
    known_versions: Iterable[Instrument] | None = None,
) -> ResponseSet:
    """Read and validate responses: a path, the bytes or a binary stream of a file in any known
    layout, or a :class:`RawTable` already in memory (:func:`table_from_columns`, :func:`table_from_rows`).

    ``layout`` forces one of :data:`LAYOUTS` (``afstand``, ``kobo-xml``, ``kobo-labels``,
    ``odk-central``, ``ms-forms``); by default it is detected and reported on the result.
    ``missing``: the study's missing-value codes (each item's own come from the XLSForm).
    ``name`` labels bytes and streams in messages (and its suffix gives their file type).
    ``versions``: other instrument versions the rows may have used (``instrument_version``
    column); items not in a row's version are not asked of it.
    ``columnar_cache``: for a CSV path, reuse or store a parsed copy (:mod:`afstand.responses.columnar`);
    the layout is detected on the cached columns as on a freshly read file.
    ``known_versions``: the versions the study has (its forms): a file whose version column
    (``instrument_version``, Kobo's ``__version__``, ODK Central's ``FormVersion``) names them is
    read row by row as each version asked; one that mixes versions none of these name is refused
    (:mod:`afstand.responses.mixed`). Unlike ``versions``, a file without a version column is fine.
    """
    if isinstance(source, RawTable):
        return validate(source, instrument, lenient=lenient, missing=missing, versions=versions)
    if isinstance(source, io.IOBase):
        source = source.read()
    others = list(versions) if versions is not None else list(known_versions or ())
    raw = None
    forced = _OLD_LAYOUT_NAMES.get(layout, layout)
    if versions is not None and (forced == "afstand" or (forced is None and columnar_cache)) and _is_csv(source, name):
        # rows of several versions in afstand's own layout, read as written (the columnar copy is
        # of the file as written), so that the columns of the other versions and the
        # instrument_version column reach the version check (responses.versions)
        if columnar_cache and isinstance(source, (str, os.PathLike)):
            from afstand.responses.columnar import read_csv_cached

            raw = read_csv_cached(source, instrument.version_id)
        else:
            raw = read_csv(source, name=name)
    elif columnar_cache and isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() == ".csv":
        from afstand.responses.columnar import read_csv_cached

        cached = read_csv_cached(source, instrument.version_id)
        if not cached.problems:  # e.g. repeated headers: read afresh so that the layout sees them all
            grid = Grid(file=cached.file, headers=list(cached.columns), columns=list(cached.columns.values()), n_rows=cached.n_rows)
            raw = apply_layout(grid, instrument, layout=_OLD_LAYOUT_NAMES.get(layout, layout), versions=others)
    if raw is None:
        raw = read_table(source, instrument, layout=layout, name=name, versions=others)
    if versions is None and raw.layout is not None and VERSION_COLUMN in raw.columns:
        versions = others  # the file names its rows' versions: each row is read as its version, or refused
    return validate(raw, instrument, lenient=lenient, missing=missing, versions=versions)


def _is_csv(source: str | os.PathLike[str] | bytes, name: str | None) -> bool:
    suffix = Path(str(source) if isinstance(source, (str, os.PathLike)) else (name or "")).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return True
    return suffix not in SPREADSHEET_SUFFIXES + OTHER_SUFFIXES and isinstance(source, bytes) and source[:4] != b"PK\x03\x04"
