"""A form whose bytes are not what its name says is refused with a line that says what it is
(afstand.instrument.workbook_files), not with whatever pyxform's reader raises on it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from afstand.errors import InstrumentError
from afstand.instrument.loader import load_instrument
from tests.helpers import MINI_FORM


def _zip(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in (["type", "name", "label"], ["text", "a", "A"]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("tekst.xlsx", b"this is just a text file\nwith two lines\n", "tekst.xlsx: not an Excel workbook (.xlsx) but a text file"),
        ("geen-boek.xlsx", _zip(**{"hello.txt": "hi"}), "geen-boek.xlsx: a zip file, but not an Excel workbook"),
        ("kapot.xlsx", b"PK\x03\x04" + bytes(200), "kapot.xlsx: a damaged Excel workbook"),
        ("ruis.xls", bytes(range(256)) * 40, "ruis.xls: not an Excel workbook (.xls) but a file of another kind"),
        ("latin1.md", MINI_FORM.replace("Leeftijd", "Caf\u00e9").encode("latin-1"), "latin1.md: line 6 is not UTF-8 text"),
        ("leeg.md", b"", "leeg.md: the file is empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_saying_what_it_is(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    for source, options in ((path, {}), (content, {"name": name})):  # a file (the CLI), an upload's bytes and name (the web)
        with pytest.raises(InstrumentError) as refused:
            load_instrument(source, **options)
        message = str(refused.value).removeprefix(str(tmp_path) + "/")
        assert message.startswith(says), message
        assert "UnicodeDecodeError" not in message and "Argument 'definition'" not in message


def test_an_xlsx_saved_under_the_name_xls_is_read_as_what_it_is(tmp_path):
    path = tmp_path / "oud.xls"
    path.write_bytes(_xlsx())
    assert list(load_instrument(path).items) == ["a"] == list(load_instrument(_xlsx(), name="oud.xls").items)


XLS = Path(__file__).resolve().parents[1] / "responses" / "data" / "foreign" / "thuiswerk.xls"  # an XLSForm in the legacy format


@pytest.mark.parametrize("name", ["thuiswerk.xlsx", "thuiswerk.md", "thuiswerk.xlsm"])
def test_a_workbook_under_another_name_is_read_as_the_workbook_it_is(tmp_path, name):
    """The bytes decide: a legacy .xls workbook saved as .xlsx (or any other form name) is the same form."""
    path = tmp_path / name
    path.write_bytes(XLS.read_bytes())
    assert load_instrument(path).version_id == load_instrument(XLS).version_id


def test_markdown_and_csv_forms_are_told_apart_by_their_text_and_a_byte_order_mark_is_dropped(tmp_path):
    """A Markdown form named .csv, a CSV form named .md, and Excel's "CSV UTF-8" with its byte
    order mark read as the same form as the plain files."""
    markdown = MINI_FORM.strip() + "\n"
    rows = [line.strip().strip("|").split("|") for line in markdown.splitlines() if line.strip()]
    as_csv = "\n".join(",".join(cell.strip() for cell in row) for row in rows) + "\n"
    (tmp_path / "mini.md").write_text(markdown, encoding="utf-8")
    expected = load_instrument(tmp_path / "mini.md").version_id
    for name, text in (("mini.csv", markdown), ("als-csv.md", as_csv), ("bom.csv", "\ufeff" + as_csv), ("bom.md", "\ufeff" + markdown)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert load_instrument(path).version_id == expected, name
