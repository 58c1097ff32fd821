"""Where in the sheets a refusal points: pyxform's messages given their place, and afstand's own
checks of a converted form that name sheet, row, column and value.

pyxform's message is passed on unchanged after the place it is about (``sheet survey, row 4,
column 'type' (cell A4), value 'select_one nolist': [row : 4] List name not in choices sheet:
nolist``): its own ``[row : N]`` when it gives one, found in the sheets (:mod:`afstand.instrument.form_sheets`)
when it names only a value (an unknown type, a question without label, a ``${name}`` that is no
question).
"""

from __future__ import annotations

import re
from typing import Any

from afstand.errors import InstrumentError
from afstand.instrument.form_sheets import Book, Sheet, canonical, text

_ROW = re.compile(r"^\[row : (\d+)\]\s*")
_SHEET_COLUMN = re.compile(r"On the '([^']+)' sheet, the '([^']+)' value")
# a message with a row but no sheet or column: the column it is about (on the survey sheet)
_COLUMN_OF = (
    ("Question with no type", "type"),
    ("Unmatched 'begin", "type"),
    ("Unmatched 'end", "type"),
    ("List name not in", "type"),
    ("Choice filter not supported with or_other", "choice_filter"),
    ("Question or group with no name", "name"),
    ("Audits must always be named", "name"),
    ("Missing calculation", "calculation"),
)
_UNKNOWN_TYPE = re.compile(r"Unknown question type '(.*)'\.")
_NO_LABEL = re.compile(r"The survey element named '(.*)' has no label or hint\.")
_NO_ELEMENT = re.compile(r"There is no survey element named '(.*)'\.")


def explain(message: str, book: Book | None) -> str:
    """pyxform's message with the place it is about in front (sheet, row, column, cell, value);
    unchanged when the place cannot be found. A dictionary pyxform prints after its message (the
    row as it read it) is left out: the place says which row."""
    first, *rest = message.strip().split("\n")
    message = "\n".join([first] + [line for line in rest if not line.lstrip().startswith("{")]).strip()
    if book is None:
        return message
    place = _place(message, book)
    return f"{place}: {message}" if place else message


def _place(message: str, book: Book) -> str | None:
    row_match = _ROW.match(message)
    if row_match:
        row = int(row_match.group(1))
        named = _SHEET_COLUMN.search(message)
        if named:
            return _at(book, named.group(1).lower(), row, named.group(2))
        column = next((c for start, c in _COLUMN_OF if message[row_match.end() :].startswith(start)), None)
        return _at(book, "survey", row, column)
    for pattern, column, key in ((_UNKNOWN_TYPE, "type", "type"), (_NO_LABEL, "label", "name")):
        found = pattern.search(message)
        if found:
            generated = re.fullmatch(r"generated_note_name_(\d+)", found.group(1))  # pyxform's name for a note without one
            row = int(generated.group(1)) if generated else None
            row = row or book.find_row("survey", {key: found.group(1)}) or _find_lower(book, key, found.group(1))
            return _at(book, "survey", row, column) if row else None
    found = _NO_ELEMENT.search(message)
    if found:
        return _reference(book, found.group(1))
    if message.startswith("There should be a choices sheet"):
        sheet = book.sheets.get("survey")
        for number in sorted(sheet.rows) if sheet else ():
            if text(sheet.value(number, "type")).lower().startswith(("select", "rank")):
                return _at(book, "survey", number, "type")
    return None


def _find_lower(book: Book, column: str, value: str) -> int | None:
    sheet = book.sheets.get("survey")
    wanted = " ".join(value.split()).lower()
    for number in sorted(sheet.rows) if sheet else ():
        if " ".join(text(sheet.value(number, column)).split()).lower() == wanted:
            return number
    return None


def _at(book: Book, key: str, row: int | None, column: str | None) -> str | None:
    sheet = book.sheets.get(key)
    if sheet is None:
        return None
    numbers = sheet.columns(canonical(column, False)) if column else []
    cells = sheet.rows.get(row, {}) if row else {}
    number = next((n for n in numbers if n in cells), numbers[0] if numbers else None)
    place = sheet.place(row, number)
    if column and number is None:
        place += f", column {column!r}"
    if number is not None and number in cells:
        place += f", value {text(cells[number])!r}"
    return place


def _reference(book: Book, name: str) -> str | None:
    """The first cell that refers to ``${name}``."""
    pattern = re.compile(r"\$\{\s*" + re.escape(name) + r"\s*\}")
    for sheet in book.sheets.values():
        for number, cells in sorted(sheet.rows.items()):
            for column, value in cells.items():
                if isinstance(value, str) and pattern.search(value):
                    return f"{sheet.place(number, column)}, value {text(value)!r}"
    return None


# -- afstand's own checks, with the place --------------------------------------------------------


def fail(label: str, book: Book | None, sheet: str, match: dict[str, str], column: str, value: Any, why: str, occurrence: int = 1) -> None:
    """Raise InstrumentError: ``label: sheet S, row R, column 'C' (cell X) (about): value V why``."""
    found = book.sheets.get(sheet) if book is not None else None
    row = book.find_row(sheet, match, occurrence) if book is not None else None
    if found is not None:
        numbers = found.columns(canonical(column, False))
        where = found.place(row, numbers[0]) if numbers else found.place(row) + f", column {column!r}"
    else:
        where = f"sheet {sheet}" + f", column {column!r}"
    about = f"choice {match.get('list_name')}/{match.get('name')}" if sheet == "choices" else f"item {match.get('name')!r}"
    raise InstrumentError(f"{label}: {where} ({about}): value {value!r} {why}")


def survey_rows(book: Book | None) -> dict[str, int]:
    """Each question's and group's path (``group/question``, as pyxform nests them) -> its row."""
    sheet = book.sheets.get("survey") if book is not None else None
    if sheet is None:
        return {}
    out: dict[str, int] = {}
    stack: list[str] = []
    for number in sorted(sheet.rows):
        kind = " ".join(text(sheet.value(number, "type")).lower().replace("_", " ").split())
        name = text(sheet.value(number, "name"))
        if kind.startswith("end "):
            if stack:
                stack.pop()
            continue
        if name:
            out.setdefault("/".join(stack + [name]), number)
        if kind.startswith("begin "):
            stack.append(name)
    return out


def choice_filter_warnings(book: Book | None, items, rows: dict[str, int]) -> list[str]:
    """A ``choice_filter`` reads ``name`` and the other columns of its list's choices. A bare name
    that is no such column is valid XPath (ODK reads it as an empty node; pyxform's own or_other
    example writes ``pastel=yes`` for ``pastel='yes'``), so the form is kept, with a warning that
    names the place: the name reads as empty for every choice."""
    from afstand.instrument.xpath import Unsupported, compile_expression

    out = []
    for item in items:
        if not item.choice_filter or item.choice_list is None:
            continue
        try:
            columns = compile_expression(item.choice_filter, columns=True).columns
        except (Unsupported, ValueError, RecursionError):
            continue  # the engine refuses it with its own message when the form is compiled
        readable = {"name"} | {k for c in item.choice_list.choices for k in c.columns}
        missing = sorted(columns - readable)
        if missing:
            out.append(
                f"{_item_place(book, rows, item, 'choice_filter')}, value {item.choice_filter!r}: "
                f"reads {', '.join(repr(m) for m in missing)}, which no choice of list {item.choice_list.name!r} has, so it "
                f"reads as empty for every choice (a choice_filter reads these columns of the choices sheet: "
                f"{', '.join(sorted(readable))}; a text is written in quotes: 'yes')"
            )
    return out


def check_default_language(label: str, book: Book | None, default: str | None, languages: list[str]) -> None:
    """The ``default_language`` setting must be one of the form's languages (else every text would
    silently come from the first language)."""
    if not default or default == "default" or not languages or default in languages:
        return
    sheet: Sheet | None = book.sheets.get("settings") if book is not None else None
    row = min(sheet.rows) if sheet is not None and sheet.rows else None
    where = _at(book, "settings", row, "default_language") if book is not None and row else "sheet settings"
    shown = ", ".join(repr(lang) for lang in languages)
    raise InstrumentError(
        f"{label}: {where or 'sheet settings'}: default_language {default!r} is none of the form's languages ({shown}): "
        "write it as in the label columns (label::Nederlands (nl) -> Nederlands (nl))"
    )


def _item_place(book: Book | None, rows: dict[str, int], item, column: str) -> str:
    sheet = book.sheets.get("survey") if book is not None else None
    row = rows.get(item.path or item.name)
    if sheet is None:
        return f"sheet survey, column {column!r} (item {item.name!r})"
    numbers = sheet.columns(column)
    return sheet.place(row, numbers[0] if numbers else None) + f" (item {item.name!r})"


def locate_support(support, book: Book | None) -> None:
    """Give each question of a support report (:func:`afstand.instrument.support.check_pyxform`)
    its row, its type's cell and the cells of the functions it calls, when the sheets are at hand."""
    rows = survey_rows(book)
    survey = book.sheets.get("survey") if book is not None else None
    for question in support.questions:
        if survey is None or question.path not in rows:
            continue
        row = rows[question.path]
        question.where = survey.place(row)
        question.type_cell = _cell(survey, row, "type")
        for function, (column, _expression) in question.sources.items():
            question.cells[function] = _cell(survey, row, column)


def expression_place(book: Book | None, rows: dict[str, int], path: str, column: str, source: str) -> str:
    """``sheet survey, row 5, column 'constraint' (cell I5), value '. >= 16 and'`` for an expression
    of the question or group at ``path`` (as the cell holds it); without the sheets, the question."""
    sheet = book.sheets.get("survey") if book is not None else None
    row = rows.get(path)
    if sheet is None or row is None:
        return f"sheet survey, question {path!r}, column {column!r}, value {source!r}"
    return _cell(sheet, row, column, source)


def _cell(sheet: Sheet, row: int, column: str, fallback: Any = None) -> str:
    """The place of the cell of ``column`` in ``row`` (the first filled one of that name) with its value."""
    numbers = sheet.columns(column)
    cells = sheet.rows.get(row, {})
    number = next((n for n in numbers if n in cells), numbers[0] if numbers else None)
    place = sheet.place(row, number) if number is not None else sheet.place(row) + f", column {column!r}"
    value = text(cells[number]) if number in cells else fallback
    return place + (f", value {value!r}" if value is not None else "")
