"""An XLSForm's sheets written as ``.xlsx`` bytes (openpyxl), the same bytes for the same sheets.

openpyxl stamps the time of saving into the workbook (the zip entries' times and the document's
modified date); these are fixed here, so a form generated twice (:mod:`afstand.instrument.limesurvey_form`)
has the same content hash and the loader's cache, keyed by content, finds it again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

_STAMP = (2000, 1, 1, 0, 0, 0)


def xlsx_bytes(sheets: list[tuple[str, list[str], list[dict]]]) -> bytes:
    """Each sheet (name, header, rows as dicts by header) as a worksheet; every value is text
    (one that begins with ``=`` stays text, never a formula); empty values leave the cell empty."""
    import openpyxl

    book = openpyxl.Workbook()
    for index, (title, header, body) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(header)
        for number, record in enumerate(body, start=2):
            for column, key in enumerate(header, start=1):
                value = record.get(key)
                if value not in (None, ""):
                    sheet.cell(row=number, column=column, value=str(value)).data_type = "s"
    book.properties.created = book.properties.modified = dt.datetime(*_STAMP)
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes the time of saving here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_STAMP), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
