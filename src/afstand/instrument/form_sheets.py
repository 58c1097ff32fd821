"""The sheets of an XLSForm as the spreadsheet shows them: row numbers as the spreadsheet shows
them (the column names are row 1), cell addresses, and each cell's value as stored (a number, a
date, a logical value), read where pyxform reads (the survey, choices and settings sheets, up to
the runs of empty columns and rows where pyxform stops).

:mod:`afstand.instrument.sheet_checks` finds the mistakes in them before pyxform runs;
:mod:`afstand.instrument.form_errors` uses them to put the place into pyxform's own messages.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

#: The sheets read here (pyxform's names; a workbook's sheet name is compared lower-case, as pyxform does).
SHEETS = ("survey", "choices", "settings")
_PYXFORM_SHEETS = {"survey", "choices", "settings", "external_choices", "osm", "entities"}
MAX_EMPTY_COLUMNS = 20  # pyxform stops reading column names after a run of this many empty ones
MAX_EMPTY_ROWS = 60  # and a sheet after a run of this many empty rows
MAX_UNNAMED = 3  # cells in columns without a name that are warned about

# the first part of a column name -> the column pyxform reads it as (pyxform.aliases, for the columns checked here)
_ALIASES = {
    "command": "type",
    "tag": "name",
    "value": "name",
    "caption": "label",
    "list name": "list_name",
    "relevance": "relevant",
    "calculate": "calculation",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "readonly": "read_only",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
}


@dataclass
class Sheet:
    """One sheet: its name as the workbook spells it, its columns and its filled rows."""

    key: str  # survey, choices or settings
    title: str
    headers: dict[int, Any] = field(default_factory=dict)  # column number (1 = A) -> the name in row 1, as written
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)  # row number -> {column number: value}, filled cells only
    merged: list[str] = field(default_factory=list)  # merged ranges ("C2:C3")
    skipped_column: int | None = None  # a column name after a run of empty ones, which pyxform does not read
    skipped_row: int | None = None  # a filled row after a run of empty rows, which pyxform does not read
    first_filled: int | None = None  # the first filled row when row 1 is empty
    empty: bool = False  # a Markdown or CSV sheet without even column names (pyxform fails on it)
    width: int = 0  # the cells of row 1 in a Markdown or CSV sheet (named or not)
    unnamed: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, column, value) in a column without a name
    overflow: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, cell, value) beyond the named columns
    cells: bool = True  # a workbook (cells have addresses), not Markdown or CSV

    def columns(self, name: str) -> list[int]:
        """The column numbers pyxform reads as ``name`` (``label``: every ``label::language`` column too)."""
        double = any(isinstance(h, str) and "::" in h for h in self.headers.values())
        return [n for n, h in self.headers.items() if isinstance(h, str) and canonical(h, double) == name]

    def column_name(self, number: int) -> str:
        return str(self.headers.get(number, ""))

    def value(self, row: int, name: str) -> Any:
        """The first filled cell of ``row`` in a column read as ``name`` (``None``: empty)."""
        cells = self.rows.get(row, {})
        return next((cells[n] for n in self.columns(name) if n in cells), None)

    def place(self, row: int | None = None, column: int | None = None) -> str:
        """``sheet survey, row 3, column 'label' (cell C3)`` (the parts that are known)."""
        text = f"sheet {self.title}"
        if row is not None:
            text += f", row {row}"
        if column is not None:
            text += f", column {self.column_name(column)!r}"
            if self.cells and row is not None:
                text += f" (cell {letter(column)}{row})"
        return text


@dataclass
class Book:
    sheet_names: list[str]
    sheets: dict[str, Sheet]
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, name): a CSV form's sheet names pyxform cannot take
    repeated: list[tuple[int, str, int]] = field(default_factory=list)  # (line, name, first line): a sheet started twice

    def find_row(self, key: str, match: dict[str, str], occurrence: int = 1) -> int | None:
        """The row number of the ``occurrence``-th row whose columns (by pyxform's names) hold ``match``."""
        sheet = self.sheets.get(key)
        if sheet is None:
            return None
        found = 0
        for number, _cells in sorted(sheet.rows.items()):
            if all(text(sheet.value(number, k)) == v for k, v in match.items()):
                found += 1
                if found == occurrence:
                    return number
        return None


def canonical(header: str, double_colon: bool) -> str:
    """The column pyxform reads a column name as, for the columns checked here (``List Name`` ->
    ``list_name``, ``label::English (en)`` -> ``label``, ``bind:relevant`` -> ``relevant``);
    other names lower-cased, as written."""
    parts = tokens(header, double_colon)
    first = "_".join(parts[0].split()).lower()
    if first in ("bind", "control", "body") and len(parts) > 1:
        first = "_".join(parts[1].split()).lower()
        first = {"jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message"}.get(first, first)
    return _ALIASES.get(first, _ALIASES.get(" ".join(parts[0].split()).lower(), first))


def tokens(header: str, double_colon: bool) -> list[str]:
    """A column name split as pyxform splits it (``::``, or ``:`` in forms that never use ``::``; ``jr:x`` kept whole)."""
    if double_colon:
        return [t.strip() for t in header.split("::")]
    parts = [t.strip() for t in header.split(":")]
    out: list[str] = []
    for part in parts:
        if out and out[-1] == "jr":
            out[-1] = f"jr:{part}"
        else:
            out.append(part)
    return out


def text(value: Any) -> str:
    """A cell as pyxform reads it (``TRUE``, ``3`` for 3.0, a date as Python writes it), stripped."""
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.isoformat()} 00:00:00"  # pyxform reads a date cell as a date and time
    return str(value).replace("\xa0", " ").strip()


def letter(column: int) -> str:
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- reading ---------------------------------------------------------------------------------


def read_book(raw: bytes, file_type: str | None) -> Book | None:
    """The survey, choices and settings sheets of a form; ``None`` when they cannot be read here
    (pyxform then says what is wrong with the file)."""
    try:
        if file_type in (".xlsx", ".xlsm", ".xls"):
            return _read_workbook(raw)
        if file_type in (".md", ".csv"):
            return _read_text(raw, file_type)
    except Exception:  # noqa: BLE001 - a file this reader cannot read is left to pyxform, which names the problem
        return None
    return None


def _wanted(names: list[str]) -> dict[str, str]:
    """Sheet name in the workbook -> survey/choices/settings (a single sheet of another name is the survey, as in pyxform)."""
    out = {name: name.lower() for name in names if name.lower() in SHEETS}
    if len(names) == 1 and names[0].lower() not in _PYXFORM_SHEETS:
        out[names[0]] = "survey"
    return out


def _read_workbook(raw: bytes) -> Book:
    """A workbook (.xlsx, .xlsm or .xls) read with python-calamine, which gives each cell's value
    as stored (numbers, dates, logical values) and the merged ranges, some 20 times faster than
    openpyxl (whose read-only mode parses every sheet whole to find its size)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    names = list(workbook.sheet_names)
    sheets = {}
    for name, key in _wanted(names).items():
        if key in sheets:
            continue
        found = workbook.get_sheet_by_name(name)
        sheet = _read_rows(key, name, iter(found.to_python(skip_empty_area=False)))
        ranges = found.merged_cell_ranges or []
        sheet.merged = [f"{letter(c0 + 1)}{r0 + 1}:{letter(c1 + 1)}{r1 + 1}" for (r0, c0), (r1, c1) in ranges]
        sheets[key] = sheet
    return Book(names, sheets)


def _read_rows(key: str, title: str, rows) -> Sheet:
    """Row 1 as the column names and the rows below, stopping where pyxform stops (a run of empty
    column names or rows); what lies beyond is noted, not read."""
    sheet = Sheet(key, title)
    header = next(rows, None) or ()
    empty = 0
    for number, value in enumerate(header, start=1):
        if _empty(value):
            if empty == MAX_EMPTY_COLUMNS:
                later = next((n for n, v in enumerate(header[number:], start=number + 1) if not _empty(v)), None)
                sheet.skipped_column = later
                break
            empty += 1
            continue
        empty = 0
        sheet.headers[number] = value
    empty = 0
    for number, row in enumerate(rows, start=2):
        if not sheet.headers:
            if any(not _empty(v) for v in row):
                sheet.first_filled = number  # the column names are not in row 1: nothing below is read
                break
            continue
        cells = {n: row[n - 1] for n in sheet.headers if n <= len(row) and not _empty(row[n - 1])}
        if len(sheet.unnamed) < MAX_UNNAMED and len(cells) < sum(1 for v in row if not _empty(v)):
            sheet.unnamed += [(number, n, v) for n, v in enumerate(row, start=1) if n not in sheet.headers and not _empty(v)][:1]
        if not cells:
            empty += 1
            continue
        if empty > MAX_EMPTY_ROWS:
            sheet.skipped_row = number
            break
        empty = 0
        sheet.rows[number] = cells
    return sheet


def _read_text(raw: bytes, file_type: str) -> Book:
    """A Markdown or CSV form: each sheet's rows as pyxform's own table reader splits them (every
    cell text; no cell addresses; rows numbered as pyxform numbers them, so a ``[row : N]`` of its
    messages and ours agree). Unlike pyxform's dictionaries, a column name that is there twice stays
    visible (pyxform keeps the last one silently)."""
    text = raw.decode("utf-8")
    if file_type == ".csv":
        tables, unknown, starts = _csv_tables(text)
        if unknown:  # pyxform would fail on them with a TypeError
            return Book([name for _line, name in unknown], {}, unknown)
    else:
        from pyxform.xls2json_backends import _md_table_to_ss_structure

        tables = {str(name): list(rows) for name, rows in _md_table_to_ss_structure(text).items() if name}
        starts = _md_sheet_starts(text)
    names = list(tables)
    first: dict[str, int] = {}
    repeated = []
    for line, name in starts:  # pyxform keeps only the last table of a name (Markdown) or mixes them (CSV)
        if name.lower() in first:
            repeated.append((line, name, first[name.lower()]))
        first.setdefault(name.lower(), line)
    if repeated:
        return Book(names, {}, repeated=repeated)
    sheets = {}
    for name, key in _wanted(names).items():
        if key not in sheets:
            sheets[key] = _table(key, name, tables[name], file_type)
    for name in names:  # pyxform fails on any sheet it reads that is empty in a Markdown form (IndexError)
        if file_type == ".md" and name.lower() in _PYXFORM_SHEETS and not tables[name]:
            sheets.setdefault(name.lower(), Sheet(name.lower(), name, cells=False, empty=True))
    return Book(names, sheets)


def _table(key: str, title: str, rows: list, file_type: str) -> Sheet:
    sheet = Sheet(key, title, cells=False)
    if not rows:
        sheet.empty = file_type == ".md"
        return sheet
    sheet.headers = {n: h for n, h in enumerate(rows[0], start=1) if not _empty(h)}
    width = sheet.width = len(rows[0])
    for index, row in enumerate(rows[1:]):
        cells = {n: row[n - 1] for n in sheet.headers if n <= len(row) and not _empty(row[n - 1])}
        if cells:
            sheet.rows[index + 2] = cells
        if len(sheet.unnamed) < MAX_UNNAMED:
            sheet.unnamed += [(index + 2, n, v) for n, v in enumerate(row[:width], start=1) if n not in sheet.headers and not _empty(v)][:1]
        sheet.overflow += [(index + 2, n, v) for n, v in enumerate(row[width:], start=width + 1) if not _empty(v)][:1]
    return sheet


def _md_sheet_starts(text: str) -> list[tuple[int, str]]:
    """The lines of a Markdown form that start a sheet (a name in the first column), as pyxform reads them."""
    from pyxform.xls2json_backends import MD_CELL, MD_COMMENT, MD_COMMENT_INLINE, MD_PIPE_OR_ESCAPE, MD_SEPARATOR

    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        if MD_COMMENT.match(line):
            continue
        inline = MD_COMMENT_INLINE.match(line)
        line = inline.groups()[0] if inline else line
        cells = MD_CELL.match(line)
        if cells and not MD_SEPARATOR.match(cells.groups()[0]):
            first = MD_PIPE_OR_ESCAPE.split(cells.groups()[0])[0].strip()
            if first:
                out.append((number, first))
    return out


def _csv_tables(text: str) -> tuple[dict[str, list], list[tuple[int, str]], list[tuple[int, str]]]:
    """A CSV form's sheets as pyxform reads them (the sheet names in the first column, a row whose
    other cells are all empty skipped), the sheet names pyxform does not know and every sheet's
    first line."""
    import csv

    reader = csv.reader(io.StringIO(text, newline=""))
    tables: dict[str, list] = {}
    unknown, starts = [], []
    current: list | None = None
    for row in reader:
        name = row[0].strip() if row else ""
        if name:
            if name.lower() not in _PYXFORM_SHEETS:
                unknown.append((reader.line_num, name))
            starts.append((reader.line_num, name))
            current = tables.setdefault(name, [])
        content = [v.strip() for v in row[1:]]
        if current is not None and any(content):
            current.append(content)
    return tables, unknown, starts
