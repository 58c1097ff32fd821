"""Stored responses → the canonical layout (CSV, XLSX), one row per stored response.

Columns: response_id (random, not the arrival order), instrument_version, submission_date,
channel, then every item of the instrument's versions. Files are written atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from afstand.errors import AfstandError
from afstand.fileio import atomic_write_bytes
from afstand.web import adapter
from afstand.web.models import InstrumentVersion, Response

META = ["response_id", "instrument_version", "submission_date", "channel"]


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
        out.append([response.public_id, response.instrument_version.version_id, response.submitted_on.isoformat(),
                    response.channel] + [answers.get(i, "") for i in items])
    return header, out


def export(study_slug: str, name: str, fmt: str, target: Path) -> int:
    header, data = rows(study_slug, name)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(data)
        atomic_write_bytes(target, buffer.getvalue().encode("utf-8"))
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in data:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        atomic_write_bytes(target, buffer.getvalue())
    else:
        raise AfstandError(f"--format {fmt}: not supported (csv, xlsx)")
    return len(data)
