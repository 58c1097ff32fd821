"""Read response files into a :class:`RawTable`: named string columns, nothing interpreted yet.

Two layouts are read:

* the canonical CSV (ODK/Kobo export convention): one row per response, a column per item
  named by the item, choice names as values, select_multiple as space-separated names;
* a hosted forms-service export (``.xlsx``): headers are question labels, answers are choice
  labels, several choices joined by ``;``. Columns are matched to items by label and
  answers translated to choice names here, so the validator sees the canonical layout.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from afstand.errors import DataError, Problem, not_a_file, unreadable
from afstand.instrument.model import Instrument
from afstand.responses.column import Column, convert_columns
from afstand.responses.control import refuse_control_characters
from afstand.responses.csv_head import BLANK_LINES, Uneven, blank, ends_inside_quotes, first_uneven_row
from afstand.responses.csv_head import line_end as _line_end
from afstand.responses.csv_head import split_header as _split_header
from afstand.responses.csv_source import CsvSource
from afstand.responses.spreadsheet_csv import BOM, unprotect
from afstand.responses.utf8 import NOT_UTF8, not_utf8

#: Columns of the canonical layout that are not items.
ID_COLUMN = "response_id"
META_COLUMNS = ("instrument_version", "submission_date", "channel", "wave")

#: Forms-service metadata columns (Dutch and English Microsoft Forms headers). ``Id`` becomes
#: the response id; the rest identify a person or a precise time and are never read in.
FORMS_ID_HEADERS = ("id", "nr", "nummer")
FORMS_DROPPED_HEADERS = (
    "begintijd",
    "tijd van voltooien",
    "e-mail",
    "email",
    "naam",
    "laatst gewijzigd",
    "laatste wijzigingstijd",
    "start time",
    "completion time",
    "name",
    "last modified time",
)


@dataclass
class RawTable:
    file: str
    n_rows: int
    columns: dict[str, Column]  # item name (or meta column) -> cells
    headers: dict[str, str]  # item name -> header as written in the file (for messages)
    id_column: str | None
    dropped: list[str] = field(default_factory=list)  # identifying columns not read
    problems: list[Problem] = field(default_factory=list)
    sheet: str | None = None  # for spreadsheets: the sheet that was read
    layout: str | None = None  # the export layout the columns were read as (see layouts.py)
    metadata: dict[str, Column] = field(default_factory=dict)  # the export tool's own columns, kept apart
    unused: list[str] = field(default_factory=list)  # form fields that are not analysed (notes, calculate, …)
    rows: np.ndarray | None = None  # spreadsheet row number per row (None: 2, 3, …)
    notes: list[str] = field(default_factory=list)  # rows left out as no responses (afstand.responses.row_filters)


@dataclass
class Grid:
    """A file as read, before any column is matched to the instrument: headers may repeat."""

    file: str
    headers: list[str]
    columns: list[Column]
    n_rows: int
    sheet: str | None = None
    rows: np.ndarray | None = None  # spreadsheet row number per row (None: 2, 3, …)
    #: a statistics file's value labels per column (code → label; None: none), :mod:`afstand.formats.statread`
    value_labels: list[dict[str, str] | None] | None = None
    column_labels: list[str | None] | None = None  # a statistics file's variable labels (renamed variables are found by them)

    def where(self, index: int) -> str:
        """How a column is named in messages: the header (CSV) or letter and header (sheet)."""
        if self.sheet is None:
            return self.headers[index]
        return _col_name(index + 1, self.headers[index])


def read_csv(source: str | os.PathLike[str] | bytes | io.IOBase, *, name: str | None = None) -> RawTable:
    """A CSV file in afstand's canonical layout (columns named by item), nothing interpreted."""
    grid = read_csv_grid(source, name=name)
    problems: list[Problem] = []
    columns: dict[str, Column] = {}
    for header, column in zip(grid.headers, grid.columns):
        if header in columns:  # of a duplicated header only the first column is read
            problems.append(Problem(grid.file, "the column appears twice", row=1, column=header))
        else:
            columns[header] = column
    return RawTable(
        file=grid.file,
        n_rows=grid.n_rows,
        columns=columns,
        headers={h: h for h in columns},
        id_column=ID_COLUMN if ID_COLUMN in columns else None,
        problems=problems,
    )


def read_csv_grid(source: str | os.PathLike[str] | bytes | io.IOBase, *, name: str | None = None) -> Grid:
    """A CSV file (``,`` or ``;`` separated, UTF-8) as headers and dictionary-encoded columns."""
    label = _label(source, name)
    data = CsvSource(source, label)
    start = data.head()
    head = start.removeprefix(BOM)
    if re.search(rb"\S", head) is None and (data.size <= len(head) + 3 or re.search(rb"\S", data.whole().to_pybytes()) is None):
        raise DataError([Problem(label, "the file is empty")])
    head, skip = _after_blank_lines(head)  # the header is the first line with text
    end = _line_end(head)
    if end < 0 and data.size > len(head):
        head, skip = _after_blank_lines(data.whole().to_pybytes().removeprefix(BOM))
        end = _line_end(head)
    try:
        first_line = (head if end < 0 else head[:end]).decode("utf-8")
    except UnicodeDecodeError:
        raise DataError([Problem(label, NOT_UTF8, row=1)]) from None
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        header = _split_header(first_line, delimiter)
    except csv.Error as err:
        raise DataError([Problem(label, f"the header row cannot be read: {err}", row=1)]) from None
    if end < 0:  # the header is all there is, without a line end (pyarrow would call the file empty)
        return Grid(file=label, headers=header, columns=[Column.empty(0) for _ in header], n_rows=0)
    importer = None
    if data.size > 1 << 24:  # 16 MB: what the conversion needs is imported while pyarrow parses (and releases the GIL)
        importer = threading.Thread(target=importlib.import_module, args=("pyarrow.compute",), name="import pyarrow.compute", daemon=True)
        importer.start()
    try:
        table = _parse_csv(data, header, delimiter, label, skip)
    finally:
        if importer is not None:
            importer.join()  # done before anything else imports: two threads importing at once could deadlock
    columns = convert_columns([table.column(i) for i in range(table.num_columns)], table.num_rows)
    refuse_control_characters(label, table.column_names, columns)
    if start.startswith(BOM):  # the spreadsheet-safe layout (afstand.responses.spreadsheet_csv)
        columns = [
            Column.from_list([None if c is None else unprotect(c) for c in column.to_pylist()])
            if any(v[:1] == "'" for v in column.values)
            else column
            for column in columns
        ]
    return Grid(
        file=label,
        headers=list(table.column_names),
        columns=columns,
        n_rows=table.num_rows,
    )


def xlsx_headers(source: str | os.PathLike[str] | bytes | io.IOBase, *, name: str | None = None) -> list[tuple[str, list[str]]]:
    """Every sheet of an ``.xlsx`` workbook with its header row (to choose the sheet to read)."""
    import openpyxl

    label = _label(source, name)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file_bytes(source, label)), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for broken files
        raise DataError([Problem(label, f"not a readable .xlsx file: {type(err).__name__}: {err}")]) from None
    try:
        out = []
        for title in workbook.sheetnames:
            first = next(workbook[title].iter_rows(values_only=True, max_row=1), ())
            out.append((title, ["" if h is None else _cell_text(h) for h in first]))
        return out
    finally:
        workbook.close()


def read_xlsx_grid(source: str | os.PathLike[str] | bytes | io.IOBase, *, name: str | None = None, sheet: str | None = None) -> Grid:
    """One sheet (default: the first) of an ``.xlsx`` workbook; entirely empty rows are skipped.

    Cells become text as a CSV export would hold them: whole numbers without ``.0``
    (so that a choice named ``1`` stored as a number still reads as ``1``), dates in ISO form.
    """
    import openpyxl  # imported here: only spreadsheet readers need it

    label = _label(source, name)
    data = file_bytes(source, label)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for broken files
        raise DataError([Problem(label, f"not a readable .xlsx file: {type(err).__name__}: {err}")]) from None
    try:
        sheet = workbook[sheet if sheet is not None else workbook.sheetnames[0]]
        rows = sheet.iter_rows(values_only=True)
        try:
            header_row = next(rows)
        except StopIteration:
            raise DataError([Problem(label, "the sheet is empty", sheet=sheet.title)]) from None
        headers = ["" if h is None else _cell_text(h) for h in header_row]
        cells: list[list[str | None]] = [[] for _ in headers]
        numbers: list[int] = []
        for row_number, row in enumerate(rows, start=2):
            if row is None or all(v is None or str(v).strip() == "" for v in row):
                continue
            numbers.append(row_number)
            for col in range(len(headers)):
                value = row[col] if col < len(row) else None
                cells[col].append(None if value is None else _cell_text(value))
            for col in range(len(headers), len(row)):
                if row[col] is not None and str(row[col]).strip():
                    raise DataError(
                        [
                            Problem(
                                label,
                                "a value in a column without a header",
                                sheet=sheet.title,
                                row=row_number,
                                column=_col_name(col + 1, ""),
                                value=row[col],
                            )
                        ]
                    )
        title = sheet.title
    finally:
        workbook.close()
    return Grid(
        file=label,
        headers=headers,
        columns=[Column.from_list(c) for c in cells],
        n_rows=len(numbers),
        sheet=title,
        rows=np.array(numbers, dtype=np.int64),
    )


def _cell_text(value) -> str:
    import datetime as dt

    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _after_blank_lines(head: bytes) -> tuple[bytes, int]:
    """The text from the header on, and how many lines of only spaces and tabs (and empty lines
    among them) pyarrow must skip before it (0: none; pyarrow skips empty lines by itself)."""
    before = BLANK_LINES.match(head).end()
    skipped = head[:before]
    return head[before:], (len(re.findall(rb"\r\n|\r|\n", skipped)) if skipped.strip(b"\r\n") else 0)


def _parse_csv(data: CsvSource, header: list[str], delimiter: str, label: str, skip: int = 0) -> pa.Table:
    """:func:`_parse`, refused as a whole when the file changed meanwhile (:meth:`CsvSource.check_unchanged`)."""
    try:
        table = _parse(data, header, delimiter, label, skip)
    except (DataError, OSError):
        data.check_unchanged()  # a changed file explains the failure better than pyarrow's message
        raise
    data.check_unchanged()
    return table


def _parse(data: CsvSource, header: list[str], delimiter: str, label: str, skip: int = 0) -> pa.Table:
    """Parse with pyarrow, every column as dictionary-encoded text.

    Multi-threaded parsing is fastest without ``newlines_in_values``; that is exact unless a
    value holds a line break, which shows as fewer rows than line breaks. Then the file is
    parsed again with line breaks in values allowed. The line breaks are counted in a thread
    while pyarrow parses (numpy and pyarrow both release the GIL).

    Blocks of 4 MB instead of pyarrow's 1 MB: a quarter of the chunks to unify and convert,
    with the same parse time (300k rows: 71 blocks, still plenty for two cores). An empty cell
    is read as ``""``, not as null: :meth:`Column.from_arrow` maps it to −1 with the cells that
    are empty after trimming, and there is no validity bitmap to convert.

    A line of only spaces and tabs is no row, as an empty line is none: when pyarrow refuses one
    (a row of one cell), the file is parsed once more, with such lines skipped (pyarrow asks about
    a line only when its number of cells is wrong); ``skip`` such lines come before the header.
    """
    kinds = {h: pa.dictionary(pa.int32(), pa.string()) for h in header}
    convert = pacsv.ConvertOptions(column_types=kinds, strings_can_be_null=False)
    read = pacsv.ReadOptions(use_threads=True, block_size=4 << 20, skip_rows=skip)
    ends_with_newline = data.last_byte() == b"\n"
    newlines: list[int] = []

    def count() -> None:
        try:
            newlines.append(data.count_newlines())
        except OSError:  # the file went away: pyarrow's read fails too, or the file's check below
            pass

    counter = threading.Thread(target=count, daemon=True)
    counter.start()
    failed: list[Exception] = []
    try:
        table = pacsv.read_csv(
            data.arrow_input(),
            read_options=read,
            convert_options=convert,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
        )
        counter.join()
        if newlines and table.num_rows == newlines[0] - 1 + (0 if ends_with_newline else 1):
            return table  # chunk dictionaries are unified per column (Column.from_arrow)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as err:
        failed.append(err)
    counter.join()

    def again(skip_blank: bool = False) -> pa.Table:
        options = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=_skip_blank if skip_blank else None)
        return pacsv.read_csv(data.arrow_input(), read_options=read, convert_options=convert, parse_options=options)

    # pyarrow decodes a row for the handler (and complains outside of Python's reach when it cannot): only for UTF-8
    skip_blank = bool(failed) and _blank_row(failed[0]) and _utf8(data.whole())
    try:
        try:
            table = again(skip_blank)
        except (pa.ArrowInvalid, pa.ArrowKeyError) as err:
            if skip_blank or not (_blank_row(err) and _utf8(data.whole())):
                raise
            table = again(skip_blank=True)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as err:
        if "invalid UTF8" in str(err):
            raise DataError([not_utf8(label, data.whole(), header, delimiter)]) from None
        raise DataError([_unreadable(label, data, delimiter, header, err)]) from None
    except UnicodeDecodeError:
        raise DataError([not_utf8(label, data.whole(), header, delimiter)]) from None
    if table.num_rows and any("\n" in v or "\r" in v for c in table.slice(table.num_rows - 1).columns for v in c.to_pylist() if v):
        # a quote never closed makes the rest of the file one value of the last row: pyarrow reads
        # that without complaint when the row's number of cells still fits
        found = ends_inside_quotes(_text(data), delimiter)
        if found is not None:
            row, opens, cells = found
            column = header[len(cells) - 1] if len(cells) <= len(header) else None
            raise DataError([Problem(label, _never_closed(opens), row=row, column=column, value=_short(cells[-1]))])
    return table  # chunk dictionaries are unified per column (Column.from_arrow)


def _blank_row(err: Exception) -> bool:
    """Whether pyarrow refused a line of only spaces and tabs (a row of one cell)."""
    found = re.search(r"Expected \d+ columns, got 1:(.*)\Z", str(err), re.S)
    return found is not None and blank(found.group(1))


def _skip_blank(row) -> str:
    """pyarrow's ``invalid_row_handler``: a line of only spaces and tabs is skipped, anything else refused."""
    return "skip" if blank(row.text) else "error"


def _utf8(buffer: pa.Buffer) -> bool:
    """Whether the bytes are UTF-8 (checked by pyarrow, without a copy: 0.1 s for 300 MB)."""
    text = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, buffer.size], dtype=np.int64)), buffer)
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def read_formsexport(source: str | os.PathLike[str] | bytes | io.IOBase, instrument: Instrument, *, name: str | None = None) -> RawTable:
    """A hosted forms-service export (``.xlsx``, Microsoft Forms): see :mod:`afstand.responses.layouts`."""
    from afstand.responses.layouts import apply_layout

    return apply_layout(read_xlsx_grid(source, name=name), instrument, layout="ms-forms")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _col_name(index: int, header: str) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters} ({_short(header)})"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unreadable(label: str, data: CsvSource, delimiter: str, header: list[str], err: Exception) -> Problem:
    """pyarrow's reason the file cannot be read; for a row with too few or too many cells, which
    row, on which lines of the file, and why when that can be told (pyarrow names its cells only)."""
    message = _arrow_message(err)
    if re.match(r"Expected \d+ columns, got \d+", message):
        found = first_uneven_row(_text(data), delimiter, len(header))
        if found is not None:
            return _uneven(label, header, delimiter, found)
    return Problem(label, f"not a readable CSV file: {message}")


_BREAKS = {"\r": "a carriage return (\\r)", "\n": "a line feed (\\n)", "\r\n": "a line break (\\r\\n)"}


def _uneven(label: str, header: list[str], delimiter: str, found: Uneven) -> Problem:
    width, cells = len(header), len(found.cells)
    if found.quoted is not None:
        at, opens = found.quoted
        column = header[at] if at < width else None
        if found.at_end:
            message = _never_closed(opens)
        else:
            message = (
                f"not a readable CSV file: the quoted value that opens on line {opens} runs on over line breaks, and the row "
                f"(lines {found.line}–{found.last_line} of the file) then has {_cells(cells)} where the header has {width}: "
                f'is its closing quote (") missing?'
            )
        return Problem(label, message, row=found.row, column=column, value=_short(found.cells[at]))
    if found.cut_by is not None:
        return Problem(
            label,
            f"not a readable CSV file: the row breaks off after {cells} of the {width} cells, at {_BREAKS.get(found.cut_by, 'a line break')} "
            f"in this value on line {found.line}, and line {found.line + 1} holds the rest of the row: "
            "a value that holds a line break must be in double quotes",
            row=found.row,
            column=header[cells - 1],
            value=_short(found.cells[-1]),
        )
    lines = f"line {found.line}" if found.line == found.last_line else f"lines {found.line}–{found.last_line}"
    return Problem(
        label,
        f"not a readable CSV file: the row ({lines} of the file) has {_cells(cells)} where the header has {width}"
        + (': it holds an odd number of quotes ("), is one missing?' if found.odd_quotes else ""),
        row=found.row,
        value=_short(delimiter.join(found.cells)),
    )


def _cells(n: int) -> str:
    return "1 cell" if n == 1 else f"{n} cells"


def _never_closed(line: int) -> str:
    return f'not a readable CSV file: the quoted value that opens on line {line} is never closed (its closing quote " is missing): the file ends inside it'


def _text(data: CsvSource) -> io.TextIOWrapper:
    """The file as lines of text (for the messages about its structure: only once it is refused)."""
    return io.TextIOWrapper(io.BytesIO(data.whole().to_pybytes()), encoding="utf-8-sig", errors="replace", newline="")


def _arrow_message(err: Exception) -> str:
    text = str(err).strip().splitlines()[0]
    return text.replace("CSV parse error: ", "")


def _label(source, name: str | None) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return name or "<data>"


def file_bytes(source, label: str) -> bytes:
    """All of a path's, bytes' or binary stream's bytes; a path that is no readable file is a :class:`DataError`."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError([Problem(label, not_a_file(path))])
        try:
            return path.read_bytes()
        except OSError as err:
            raise DataError([Problem(label, unreadable(err))]) from None
    if isinstance(source, bytes):
        return source
    return source.read()
