"""What kind of file a form is, by its bytes, and the legacy .xls workbook as .xlsx.

A form's file name says what it should be; its first bytes say what it is, and they decide how
it is read (a workbook saved under another name is still read). A text file renamed ``.xlsx``, a
zip that holds no workbook, or a form in Windows-1252 is refused here with a line that says so,
instead of whatever pyxform's reader happens to raise on it.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import zipfile

from afstand.errors import InstrumentError

#: The files a form may come in (XLSForm's workbooks and pyxform's Markdown and CSV forms; a LimeSurvey
#: survey structure, converted to an XLSForm by :mod:`afstand.instrument.limesurvey_form`).
FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".md", ".csv", ".lss")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .xls (BIFF) container
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .xlsm are zip files holding xl/workbook.xml


def file_kind(raw: bytes, file_type: str | None, label: str) -> tuple[bytes, str | None]:
    """The form's bytes and the file type to read them as, decided by the bytes: a workbook is read
    as one whatever its name (an .xls saved as .xlsx, an .xlsx named .md), a text form as Markdown
    or CSV by its table rows, without a byte order mark. :class:`InstrumentError` when the bytes
    are no form file at all, or not the workbook the name promises. ``file_type`` ``None`` (bytes
    without a name): a text form is left to pyxform to recognise."""
    if not raw:
        raise InstrumentError(f"{label}: the file is empty")
    if raw.startswith(ZIP_MAGIC):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            raise InstrumentError(f"{label}: a damaged Excel workbook (the zip cannot be read)") from None
        if "xl/workbook.xml" not in names:
            raise InstrumentError(f"{label}: a zip file, but not an Excel workbook (it has no xl/workbook.xml)")
        return raw, ".xlsm" if file_type == ".xlsm" else ".xlsx"
    if raw.startswith(OLE_MAGIC):
        return raw, ".xls"
    if file_type in (".xlsx", ".xlsm", ".xls"):
        raise InstrumentError(f"{label}: not an Excel workbook ({file_type}) but {_what(raw)}")
    if file_type in (".md", ".csv"):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = len(_LINE_BREAK.findall(raw, 0, err.start)) + 1
            raise InstrumentError(f"{label}: line {line} is not UTF-8 text (save the file as UTF-8)") from None
        raw = raw.removeprefix(codecs.BOM_UTF8)  # Excel's "CSV UTF-8" starts with one; pyxform reads it as part of the first cell
        table = any(line.lstrip().startswith("|") for line in text.splitlines())  # Markdown's table rows (a CSV row never starts so)
        return raw, ".md" if table else ".csv"
    return raw, file_type


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _what(raw: bytes) -> str:
    if raw.startswith(ZIP_MAGIC):
        return "a zip file"
    try:
        raw[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "a file of another kind"
    return "a text file"


def xls_to_xlsx(raw: bytes, label: str) -> bytes:
    """A legacy .xls workbook rewritten as .xlsx, read with python-calamine (maintained; xlrd is not).

    Cell values are kept as they are (whole-number floats become integers, as spreadsheet readers
    show them), so pyxform sees the same form and the version id does not change."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = [(name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in workbook.sheet_names]
    except Exception as err:  # calamine raises its own error types on damaged files
        raise InstrumentError(f"{label}: not a readable .xls workbook: {type(err).__name__}: {err}") from None
    out = openpyxl.Workbook(write_only=True)
    for name, rows in sheets:
        sheet = out.create_sheet(name[:31])
        for row in rows:
            sheet.append([int(v) if isinstance(v, float) and v.is_integer() else (None if v == "" else v) for v in row])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def unstored_formula(raw: bytes) -> tuple[str, str, str] | None:
    """The first cell of an .xlsx workbook that holds a formula without its result: (sheet, cell,
    formula); None when every formula has its result (or the workbook has none).

    Excel and LibreOffice store each formula's last result beside it, and pyxform reads only those
    results. A workbook written by a program that does not calculate (openpyxl, many exporters)
    stores none, so pyxform sees an empty cell: a ``required`` of ``=TRUE()`` would silently become
    "not required", a name ``=A1`` "a question with no name". Read from the sheets' XML (a cell
    ``<c>`` with an ``<f>`` and an empty or no ``<v>``, unless its result is text, which may be empty).
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        sheets = _sheet_files(book)
        for path, name in sheets:
            xml = book.read(path)
            if b"<f" not in xml:
                continue
            for attributes, body in _CELL.findall(xml):
                if not _FORMULA.search(body):
                    continue
                value = _VALUE.search(body)
                kind = _TYPE.search(attributes)
                if (value is None or not value.group(1)) and (kind is None or kind.group(1) not in (b"str", b"inlineStr")):
                    where = _REF.search(attributes)
                    formula = _FORMULA.search(body).group(1) or b""
                    text = html.unescape(formula.decode("utf-8", "replace"))
                    return name, where.group(1).decode() if where else "?", f"={text}" if text else "a shared formula"
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_TYPE = re.compile(rb'\bt="([^"]*)"')
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')


def _sheet_files(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Each worksheet's file in the zip and its name, in the workbook's order."""
    workbook = book.read("xl/workbook.xml")
    rels = book.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in book.namelist() else b""
    targets = {}
    for tag in re.findall(rb"<Relationship\b[^>]*>", rels):
        rid, target = re.search(rb'\bId="([^"]*)"', tag), re.search(rb'\bTarget="([^"]*)"', tag)
        if rid and target:
            path = target.group(1).decode().lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    out = []
    for tag in re.findall(rb"<sheet\b[^>]*>", workbook):
        name, rid = re.search(rb'\bname="([^"]*)"', tag), re.search(rb'\br:id="([^"]*)"', tag)
        if name and rid and targets.get(rid.group(1)) in book.namelist():
            out.append((targets[rid.group(1)], html.unescape(name.group(1).decode("utf-8", "replace"))))
    return out
