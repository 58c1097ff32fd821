"""Files that hold more than one table, and statistics files: which table a response file is.

* An ``.xlsx`` workbook (KoboToolbox writes one sheet per repeat, joined by ``_index`` and
  ``_parent_index``): the sheet whose columns match the instrument's questions best is read, so
  ``--repeat NAME`` (:func:`afstand.responses.tables.section`) reads the repeat's sheet and the
  main form the main sheet. The sheet read is named in messages.
* A ``.zip`` of CSV files (ODK Central's export: ``<form>.csv`` and ``<form>-<repeat>.csv`` with
  ``PARENT_KEY`` and ``KEY``): likewise the member that matches best; the file is named
  ``archive.zip:member.csv`` in messages.
* SPSS ``.sav``/``.zsav`` and Stata ``.dta`` (:mod:`afstand.formats.statread`): variables with
  their value labels, read in the ``spss`` layout.
"""

from __future__ import annotations

import io
import zipfile
from typing import Sequence

from afstand.bounded import check_zip
from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument
from afstand.responses.csv_head import split_header as _split_header
from afstand.responses.layouts import pick_table
from afstand.responses.readers import Grid, read_csv_grid, read_xlsx_grid, xlsx_headers

ZIP_SUFFIXES = (".zip",)


def is_workbook(data: bytes) -> bool:
    """An Office Open XML workbook rather than a zip of CSV files."""
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True  # let the workbook reader name the damage


def workbook_grid(source, label: str, instrument: Instrument, layout: str | None, versions: Sequence[Instrument]) -> Grid:
    sheets = xlsx_headers(source, name=label)
    if len(sheets) <= 1:
        return read_xlsx_grid(source, name=label)
    index = pick_table([h for _, h in sheets], instrument, layout=layout, versions=versions)
    return read_xlsx_grid(source, name=label, sheet=sheets[index][0])


def zip_grid(data: bytes, label: str, instrument: Instrument, layout: str | None, versions: Sequence[Instrument]) -> Grid:
    check_zip(data, label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise DataError([Problem(label, f"not a readable .zip file: {err}")]) from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv") and not m.startswith("__MACOSX/")]
        if not members:
            raise DataError([Problem(label, "the .zip file holds no .csv file (expected ODK Central's export)")])
        heads = []
        for member in members:
            with archive.open(member) as handle:
                first = handle.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").rstrip("\r\n")
            heads.append(_split_header(first, ";" if first.count(";") > first.count(",") else ","))
        index = 0 if len(members) == 1 else pick_table(heads, instrument, layout=layout, versions=versions)
        return read_csv_grid(archive.read(members[index]), name=f"{label}:{members[index]}")
