"""Load response data and check it against its instrument (pure core: no Django)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from afstand.errors import DataError, Problem
from afstand.instrument.model import Instrument
from afstand.responses.dataset import MultiColumn, ResponseSet
from afstand.responses.readers import RawTable, read_csv, read_formsexport
from afstand.responses.validate import validate

__all__ = ["load_responses", "ResponseSet", "MultiColumn", "RawTable", "read_csv", "read_formsexport", "validate"]


def load_responses(
    path: str | os.PathLike[str], instrument: Instrument, *, lenient: bool = False, layout: str | None = None,
    versions: Iterable[Instrument] | None = None,
) -> ResponseSet:
    """Read ``path`` (canonical ``.csv`` or forms-service ``.xlsx``) and validate it.

    ``layout`` forces ``"csv"`` or ``"formsexport"``; by default the file suffix decides.
    ``versions``: other instrument versions the rows may have used (``instrument_version``
    column); items not in a row's version are not asked of it.
    """
    suffix = Path(path).suffix.lower()
    layout = layout or ("formsexport" if suffix in (".xlsx", ".xlsm") else "csv" if suffix in (".csv", ".txt") else None)
    if layout == "csv":
        raw = read_csv(path)
    elif layout == "formsexport":
        raw = read_formsexport(path, instrument)
    else:
        raise DataError([Problem(str(path), "unknown data format: expected a .csv (canonical) or .xlsx (forms-service export) file")])
    return validate(raw, instrument, lenient=lenient, versions=versions)
