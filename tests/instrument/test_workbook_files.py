"""A form whose bytes are not what its name says is refused with a line that says what it is
(afstand.instrument.workbook_files), not with whatever pyxform's reader raises on it."""

from __future__ import annotations

import io
import zipfile

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
        ("ruis.xls", bytes(range(256)) * 40, "ruis.xls: not an Excel .xls workbook but a file of another kind"),
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
