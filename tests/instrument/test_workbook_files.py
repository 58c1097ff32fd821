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


def _form_with_formula(formula: str) -> bytes:
    """An XLSForm written by openpyxl (which stores no formula results), ``required`` of the one question a formula."""
    import openpyxl

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "required"])
    survey.append(["text", "why", "Waarom?", formula])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Formules", "formules", "1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(raw: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with one piece of the survey sheet's XML replaced (as Excel would have saved it)."""
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in data
                data = data.replace(old, new)
            target.writestr(item, data)
    return out.getvalue()


def test_a_formula_without_its_result_is_refused_by_sheet_cell_and_formula(tmp_path):
    """pyxform would read the cell as empty: the question silently not required."""
    path = tmp_path / "formules.xlsx"
    path.write_bytes(_form_with_formula("=TRUE()"))
    with pytest.raises(InstrumentError, match=r"sheet 'survey', cell D2 holds a formula \(=TRUE\(\)\) whose result is not stored"):
        load_instrument(path)


def test_a_formula_with_its_result_is_read_as_its_result(tmp_path):
    raw = _form_with_formula("=TRUE()")
    path = tmp_path / "opgeslagen.xlsx"
    path.write_bytes(_rewrite_sheet(raw, b'<c r="D2"><f>TRUE()</f><v></v></c>', b'<c r="D2" t="b"><f>TRUE()</f><v>1</v></c>'))
    assert load_instrument(path).items["why"].required


def test_a_formula_whose_text_result_is_empty_is_not_taken_for_a_missing_result(tmp_path):
    raw = _form_with_formula('=IF(FALSE(),"yes","")')
    path = tmp_path / "leeg.xlsx"
    path.write_bytes(_rewrite_sheet(raw, b'<c r="D2"><f>', b'<c r="D2" t="str"><f>'))  # Excel: a text result, here ""
    assert not load_instrument(path).items["why"].required
