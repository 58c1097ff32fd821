"""Write an instrument as ``.xlsx`` for ODK Collect / KoboToolbox / Enketo users."""

from __future__ import annotations

import io
from pathlib import Path

from pyxform.xls2json_backends import md_table_to_workbook

from afstand.errors import InstrumentError
from afstand.fileio import atomic_write_bytes
from afstand.instrument.limesurvey_form import LSS_SUFFIX, convert
from afstand.instrument.loader import load_instrument


def xlsx_bytes(source: Path) -> bytes:
    """The form at ``source`` as XLSX bytes (markdown is converted by pyxform, a LimeSurvey .lss
    by :mod:`afstand.instrument.limesurvey_form`)."""
    suffix = source.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return source.read_bytes()
    if suffix == LSS_SUFFIX:
        return convert(source.read_bytes(), str(source)).xlsx
    if suffix != ".md":
        raise InstrumentError(f"{source}: only markdown (.md), .xlsx or LimeSurvey (.lss) forms can be exported to .xlsx")
    workbook = md_table_to_workbook(source.read_text(encoding="utf-8"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(source: Path, out: Path) -> str:
    """Write ``out`` and check that it reads back as the same instrument; return its version id."""
    data = xlsx_bytes(source)
    original = load_instrument(source)
    exported = load_instrument(data, name=str(out))
    if exported.version_id != original.version_id:
        raise InstrumentError(f"{out}: the exported form differs from {source} ({exported.version_id} != {original.version_id})")
    if out.suffix.lower() != ".xlsx":
        raise InstrumentError(f"{out}: the output file must end in .xlsx")
    atomic_write_bytes(out, data)
    return exported.version_id


__all__ = ["export_xlsx", "xlsx_bytes"]
