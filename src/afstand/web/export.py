"""Stored responses → the canonical layout (CSV, XLSX), one row per stored response.

Columns: response_id (random, not the arrival order), instrument_version, submission_date, then
every item of the instrument's versions. No other metadata about a respondent leaves the server:
the recruitment channel is shown only as counts in the monitor. Files are written atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from afstand.errors import AfstandError
from afstand.fileio import atomic_write_bytes
from afstand.web import adapter
from afstand.web.models import InstrumentVersion, Response

META = ["response_id", "instrument_version", "submission_date"]


def rows(study_slug: str, name: str) -> tuple[list[str], list[list[str]]]:
    versions = list(InstrumentVersion.objects.filter(study__slug=study_slug, name=name).order_by("id"))
    if not versions:
        raise AfstandError(f"no instrument {name!r} in study {study_slug!r} in this database")
    items: list[str] = []
    for version in reversed(versions):  # the newest version's order first
        for item in adapter.instrument_for(version).items:
            if item not in items:
                items.append(item)
    header = META + items
    out = []
    for response in Response.objects.filter(instrument_version__in=versions).select_related("instrument_version").iterator():
        answers = response.answers
        out.append([response.public_id, response.instrument_version.version_id, response.submitted_on.isoformat()] + [answers.get(i, "") for i in items])
    return header, out


def write(header: list[str], data: list[list[str]], fmt: str, out, *, sheet: str = "responses", instrument=None) -> None:
    """Write rows as CSV, XLSX, SPSS .sav or Stata .dta to a binary file-like object (shared by CLI and web).

    ``instrument``: the instrument, or all its versions oldest first (codes and labels of the
    .sav/.dta then cover answers given to older versions).
    """
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(data)
        out.write(text.getvalue().encode("utf-8"))
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        ws = workbook.create_sheet(sheet)
        ws.append(header)
        for row in data:
            ws.append([_as_text(ws, v) if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row])
        workbook.save(out)
    elif fmt == "sav":
        from afstand.web.spss import write_sav

        write_sav(header, data, instrument, out)
    elif fmt == "dta":
        from afstand.web.spss import write_stata

        write_stata(header, data, instrument, out)
    else:
        raise AfstandError(f"--format {fmt}: not supported (csv, xlsx, sav, dta)")


FORMULA_STARTS = ("=", "+", "-", "@")


def _as_text(ws, value: str):
    """A cell that Excel shows as the text typed, never evaluates (an answer "=HYPERLINK(...)" stays text)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    return cell


def export(study_slug: str, name: str, fmt: str, target: Path) -> int:
    header, data = rows(study_slug, name)
    buffer = io.BytesIO()
    write(header, data, fmt, buffer, sheet=name, instrument=all_versions(study_slug, name))
    atomic_write_bytes(target, buffer.getvalue())
    return len(data)


def all_versions(study_slug: str, name: str) -> list:
    """Every stored version of an instrument, oldest first."""
    return [adapter.instrument_for(v) for v in InstrumentVersion.objects.filter(study__slug=study_slug, name=name).order_by("id")]


def latest_instrument(study_slug: str, name: str):
    version = InstrumentVersion.objects.filter(study__slug=study_slug, name=name).order_by("-id").first()
    return adapter.instrument_for(version) if version else None
