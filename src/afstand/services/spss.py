"""The web app's door to the SPSS/Stata writers of :mod:`afstand.formats.statfiles` (which own the format)."""

from __future__ import annotations

from typing import BinaryIO, Sequence

from afstand.formats.statfiles import build_table, write_dta
from afstand.formats.statfiles import write_sav as _write_sav
from afstand.instrument.model import Instrument


def write_sav(header: list[str], rows: list[list[str]], versions: Instrument | Sequence[Instrument], out: BinaryIO) -> None:
    """``versions``: every version of the instrument, oldest first (or a single instrument)."""
    _write_sav(build_table(header, rows, _versions(versions), package="spss"), out)


def write_stata(header: list[str], rows: list[list[str]], versions: Instrument | Sequence[Instrument], out: BinaryIO) -> None:
    write_dta(build_table(header, rows, _versions(versions), package="stata"), out)


def _versions(versions) -> list[Instrument]:
    return [versions] if isinstance(versions, Instrument) else list(versions)
