"""Loading XLSForms: the model, metadata columns, and clear errors for broken forms."""

from __future__ import annotations

import pytest

from afstand.errors import InstrumentError
from afstand.instrument.loader import load_instrument
from tests.helpers import MINI_FORM, md_form


def test_mini_form_model(tmp_path):
    form = load_instrument(md_form(tmp_path, MINI_FORM))
    assert form.form_id == "mini"
    assert list(form.items) == ["consent", "age", "years", "s1", "s2", "fruit", "why"]
    assert form.items["age"].kind == "number" and form.items["fruit"].kind == "select_multiple"
    assert form.items["s2"].key == -1 and form.items["s2"].dimension == "d"
    assert form.items["s1"].choice_list.get("eens").score == 3.0
    assert form.items["s1"].choice_list.collapsed() == ("oneens", "neutraal", "eens")
    assert form.items["age"].label("en") == "Age"
    assert form.groups[0].name == "g" and form.groups[0].relevant == "${consent} = 'ja'"
    assert form.dimensions() == {"d": [form.items["s1"], form.items["s2"]]}


def test_pyxform_message_is_passed_on(tmp_path):
    broken = MINI_FORM.replace("| | select_one agree | s1 |", "| | select_one nolist | s1 |")
    with pytest.raises(InstrumentError) as err:
        load_instrument(md_form(tmp_path, broken))
    text = str(err.value)
    assert "form.md" in text and "nolist" in text and "row" in text.lower()


def test_unknown_type_message(tmp_path):
    broken = MINI_FORM.replace("| | text | why |", "| | txet | why |")
    with pytest.raises(InstrumentError, match=r"form\.md: .*txet"):
        load_instrument(md_form(tmp_path, broken))


def test_bad_key_names_sheet_row_column_and_value(tmp_path):
    broken = MINI_FORM.replace("| d | -1 |", "| d | 2 |")
    with pytest.raises(InstrumentError) as err:
        load_instrument(md_form(tmp_path, broken))
    assert str(err.value) == "{}: sheet survey, row 7, column 'key' (item 's2'): value '2' must be 1 or -1".format(tmp_path / "form.md")


def test_bad_score_names_the_choice(tmp_path):
    broken = MINI_FORM.replace("| Agree | 3 | eens |", "| Agree | drie | eens |")
    with pytest.raises(InstrumentError, match=r"sheet choices, row 6, column 'score' \(choice agree/eens\): value 'drie' is not a number"):
        load_instrument(md_form(tmp_path, broken))


def test_consent_must_come_first(tmp_path):
    moved = MINI_FORM.replace("| | select_one yn | consent | Doe je mee? | Do you take part? | yes | | | ja | | |\n", "")
    moved = moved.replace(
        "| | text | why |", "| | select_one yn | consent | Doe je mee? | Do you take part? | yes | | | ja | | |\n| | text | why |"
    )
    with pytest.raises(InstrumentError, match="must be the first question"):
        load_instrument(md_form(tmp_path, moved))


@pytest.mark.parametrize("content", [b"", b"not a form at all", b"PK\x03\x04garbage"])
def test_garbage_is_a_clear_error(tmp_path, content):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InstrumentError, match=r"x\.xlsx: "):
        load_instrument(path)


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(InstrumentError, match="no such XLSForm file"):
        load_instrument(tmp_path / "nope.md")
    other = tmp_path / "form.txt"
    other.write_text("x")
    with pytest.raises(InstrumentError, match="not an XLSForm"):
        load_instrument(other)
