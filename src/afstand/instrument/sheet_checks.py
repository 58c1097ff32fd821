"""The mistakes found in an XLSForm's sheets before pyxform reads it (:func:`sheet_problems`,
which refuse the form) and the cells worth a warning (:func:`sheet_warnings`), each naming sheet,
row, column (and cell) and value. The sheets are read by :mod:`afstand.instrument.form_sheets`.

What is refused here pyxform either refuses without saying where (a row without a type, a
survey without a ``name`` column), says something else about (a choices sheet without a
``list_name`` column: "There should be a choices sheet"), fails on with a plain exception (a
number or date as a column name; an unknown sheet name in a CSV form) or passes silently (a
choice without a list name is dropped, a second row of settings and the rows after a long run of
empty ones are ignored, merged cells keep their text in the first cell only, a name or expression
the spreadsheet turned into a date is read as ``2024-02-01 00:00:00``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from afstand.instrument.form_sheets import MAX_EMPTY_COLUMNS, MAX_EMPTY_ROWS, SHEETS, Book, Sheet, canonical, letter, text, tokens

MAX_LISTED = 10  # problems listed in one message
_DATES = (dt.date, dt.time, dt.timedelta)  # dt.datetime is a dt.date


def sheet_problems(book: Book) -> list[str]:
    """Every mistake found in the sheets, one line each (empty: leave the form to pyxform)."""
    out: list[str] = []
    if book.unknown:
        return [
            f"line {line}: {name!r} is no sheet XLSForm knows (survey, choices, settings): a CSV form has only the sheet "
            "names in its first column, each on the line where its sheet starts (a Markdown form is a table: | survey |)"
            for line, name in book.unknown[:MAX_LISTED]
        ]
    if book.repeated:
        return [
            f"line {line}: a second sheet named {name!r} (the first starts on line {first}): XLSForm readers keep only one; "
            "put its rows in one table"
            for line, name, first in book.repeated[:MAX_LISTED]
        ]
    if "survey" not in book.sheets:
        listed = ", ".join(repr(n) for n in book.sheet_names) or "none"
        return [f"the workbook has no sheet named 'survey' (its sheets: {listed}); XLSForm reads the questions from that sheet"]
    for key in SHEETS:
        sheet = book.sheets.get(key)
        if sheet is not None:
            out += _layout(sheet)
    out += [_layout(s)[0] for s in book.sheets.values() if s.key not in SHEETS and s.empty]
    out += _survey(book.sheets["survey"])
    if "choices" in book.sheets:
        out += _choices(book.sheets["choices"])
    if "settings" in book.sheets:
        out += _settings(book.sheets["settings"])
    if len(out) > MAX_LISTED:
        out = out[:MAX_LISTED] + [f"and {len(out) - MAX_LISTED} more"]
    return out


def _layout(sheet: Sheet) -> list[str]:
    """Column names, merged cells, what lies beyond a gap, and cells the spreadsheet turned into dates."""
    out = []
    if sheet.empty:
        return [f"{sheet.place()} is empty (not even column names): give it its column names and rows, or delete it"]
    for row, cell, value in sheet.overflow:
        out.append(
            f"{sheet.place(row)}: value {text(value)!r} is in cell {cell} of the row, beyond the {sheet.width} cells of row 1 "
            f"({_listed(sheet)}): give that column a name in row 1, or remove the value"
        )
    if not sheet.headers and sheet.first_filled is not None:
        out.append(
            f"{sheet.place(1)} is empty, but XLSForm reads the column names (type, name, label …) from row 1 "
            f"(the first filled row is row {sheet.first_filled}): delete the empty rows above the column names"
        )
    seen: dict[str, int] = {}
    double = any(isinstance(h, str) and "::" in h for h in sheet.headers.values())
    for number, header in sheet.headers.items():
        if not isinstance(header, str):
            out.append(
                f"{sheet.place()}, {_cell(sheet, number, 1)}: the column name {text(header)!r} is {_kind(header)}; "
                "a column name is text (such as label or hint): type it as text, or delete the column"
            )
            continue
        key = "::".join([canonical(header, double)] + tokens(header, double)[1:])
        if key in seen:
            other = seen[key]
            out.append(
                f"{sheet.place()}, {_cells(sheet, other, number)}: the column {key!r} is there twice "
                f"({sheet.headers[other]!r} and {header!r}): keep one"
            )
        seen.setdefault(key, number)
    if sheet.skipped_column is not None:
        out.append(
            f"{sheet.place()}, {_cell(sheet, sheet.skipped_column, 1)}: this column comes after {MAX_EMPTY_COLUMNS} or more "
            "empty columns, where XLSForm readers stop reading column names, so it would be ignored: "
            "move it next to the other columns"
        )
    if sheet.skipped_row is not None:
        out.append(
            f"{sheet.place(sheet.skipped_row)}: this row comes after {MAX_EMPTY_ROWS} or more empty rows, where XLSForm readers "
            "stop reading, so it and every row after it would be ignored: delete the empty rows"
        )
    for merged in sheet.merged:
        problem = _merged(sheet, merged)
        if problem:
            out.append(problem)
    out += [_date(sheet, row, column, value) for row, column, value in _dates(sheet) if _structural(sheet, column)]
    return out


def sheet_warnings(book: Book) -> list[str]:
    """Cells the spreadsheet holds as dates or times in columns of text (a label, a hint, a setting):
    the form shows them as written here (``2024-02-01 00:00:00``), which may not be what was typed."""
    out = []
    for sheet in book.sheets.values():
        for row, column, value in sheet.unnamed:
            where = f"{sheet.place(row)} (cell {letter(column)}{row})" if sheet.cells else f"{sheet.place(row)}, cell {column}"
            out.append(
                f"{where}: value {text(value)!r} is in a column without a name in row 1, so XLSForm readers skip it: "
                "name the column in row 1 if it belongs to the form"
            )
        for row, column, value in _dates(sheet):
            time_default = isinstance(value, dt.time) and _name(sheet, column) == "default"  # 09:30:00 as typed
            if not _structural(sheet, column) and not time_default:
                out.append(_date(sheet, row, column, value) + " if it is not what you meant")
    return out


#: columns whose value is a name or an expression: a date or time there is always a mistake
_STRUCTURAL = {"type", "name", "list_name", "relevant", "constraint", "calculation", "choice_filter", "required", "read_only"}
_STRUCTURAL |= {"repeat_count", "trigger", "parameters", "appearance"}


def _dates(sheet: Sheet):
    for number, cells in sorted(sheet.rows.items()):
        for column, value in cells.items():
            if isinstance(value, _DATES):
                yield number, column, value


def _name(sheet: Sheet, column: int) -> str:
    header = sheet.headers.get(column)
    double = any(isinstance(h, str) and "::" in h for h in sheet.headers.values())
    return canonical(header, double) if isinstance(header, str) else ""


def _structural(sheet: Sheet, column: int) -> bool:
    return sheet.key != "settings" and _name(sheet, column) in _STRUCTURAL


def _date(sheet: Sheet, row: int, column: int, value: Any) -> str:
    return (
        f"{sheet.place(row, column)}: value {text(value)!r} is {_kind(value)} in the spreadsheet, and the form reads it as "
        "written here: the spreadsheet may have turned what was typed (such as 1-2 or 1:30) into one; "
        "format the cell as text and type the value again"
    )


def _merged(sheet: Sheet, ref: str) -> str | None:
    match = re.fullmatch(r"([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)", ref)
    if match is None:
        return None
    first_col, last_col = _column_number(match.group(1)), _column_number(match.group(3))
    first_row, last_row = int(match.group(2)), int(match.group(4))
    if (first_col, first_row) == (last_col, last_row):
        return None
    if not any(first_col <= n <= last_col for n in sheet.headers):
        return None  # beside the form's columns: pyxform reads none of it
    shown = sheet.rows.get(first_row, {}).get(first_col) if first_row > 1 else sheet.headers.get(first_col)
    start = f"{match.group(1)}{first_row}"
    return (
        f"{sheet.place()}, cells {ref} are merged: XLSForm readers find the text ({text(shown)!r}) only in {start} and "
        "the other cells empty: unmerge the cells and fill in each one"
    )


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _survey(sheet: Sheet) -> list[str]:
    out = []
    if not sheet.rows:
        if not sheet.empty and (sheet.headers or sheet.first_filled is None):
            out.append(f"{sheet.place()} has no questions (only {'its column names' if sheet.headers else 'empty rows'})")
        return out
    for needed, why in (("type", "every row needs a type (such as text or select_one list)"), ("name", "every question needs a name")):
        if not sheet.columns(needed):
            out.append(f"{sheet.place()}: there is no column {needed!r} (row 1 has {_listed(sheet)}): {why}")
    if out:
        return out
    type_columns = sheet.columns("type")
    for number, cells in sorted(sheet.rows.items()):
        value = sheet.value(number, "type")
        column = next((n for n in type_columns if n in cells), type_columns[0])
        if value is None:
            rest = ", ".join(f"{sheet.column_name(n)} {text(v)!r}" for n, v in cells.items())
            out.append(
                f"{sheet.place(number, column)}: empty, but the row has {rest}: give it a type "
                "(such as text, integer or select_one list) or delete the row"
            )
        elif not isinstance(value, str) and not isinstance(value, _DATES):
            out.append(f"{sheet.place(number, column)}: value {text(value)!r} is {_kind(value)}, not a question type")
    return out


def _choices(sheet: Sheet) -> list[str]:
    if not sheet.rows:
        return []
    out = []
    for needed in ("list_name", "name"):
        if not sheet.columns(needed):
            out.append(
                f"{sheet.place()}: there is no column {needed!r} (row 1 has {_listed(sheet)}): every choice needs a list name "
                "(the list that select_one or select_multiple in the survey names) and a name"
            )
    if out:
        return out
    list_column = sheet.columns("list_name")[0]
    for number, cells in sorted(sheet.rows.items()):
        if sheet.value(number, "list_name") is None:
            rest = ", ".join(f"{sheet.column_name(n)} {text(v)!r}" for n, v in cells.items())
            out.append(
                f"{sheet.place(number, list_column)}: empty, but the row has {rest}: XLSForm readers drop a choice "
                "without a list name: give the name of its list, or delete the row"
            )
    return out


def _settings(sheet: Sheet) -> list[str]:
    rows = sorted(sheet.rows)
    return [
        f"{sheet.place(number)}: a second row of settings ({_filled(sheet, number)}); XLSForm reads only row 2: "
        "put every setting in row 2, each in its own column"
        for number in rows[1:]
    ]


def _filled(sheet: Sheet, row: int) -> str:
    return ", ".join(f"{sheet.column_name(n)} {text(v)!r}" for n, v in sheet.rows[row].items())


def _listed(sheet: Sheet) -> str:
    names = [text(h) for h in sheet.headers.values()]
    return ", ".join(names) if names else "no column names"


def _cell(sheet: Sheet, column: int, row: int) -> str:
    return f"cell {letter(column)}{row}" if sheet.cells else f"column {sheet.column_name(column)!r}"


def _cells(sheet: Sheet, first: int, second: int) -> str:
    return f"cells {letter(first)}1 and {letter(second)}1" if sheet.cells else "row 1"


def _kind(value: Any) -> str:
    if value is True or value is False:
        return f"the logical value {text(value)}"
    if isinstance(value, dt.datetime) or isinstance(value, dt.date):
        return "a date"
    if isinstance(value, (dt.time, dt.timedelta)):
        return "a time"
    if isinstance(value, (int, float)):
        return "a number"
    return "not text"
