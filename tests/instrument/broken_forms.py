"""Hand-made XLSForms with the mistakes people and other tools make, built with openpyxl (or as
CSV text), each with the place its refusal must name: sheet, row, column (cell) and value.
Shared by the loader's, the CLI's and the web upload's tests."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Callable

import openpyxl

S = ["type", "name", "label"]
CHOICES = [["list_name", "name", "label"], ["yn", "ja", "Ja"], ["yn", "nee", "Nee"]]
#: what a refusal may never be: a message that does not say what is wrong or where
GENERIC = re.compile(r"could not read|cannot be used|Traceback|TypeError|KeyError|AttributeError|has no attribute|unexpected keyword")


@dataclass(frozen=True)
class Broken:
    name: str
    sheets: dict[str, list[list]]
    expected: str  # a regular expression the message must match (the place and the value)
    merge: tuple[str, str] | None = None  # (sheet, range) merged after writing
    text: bytes | None = None  # a CSV or Markdown form instead of a workbook
    suffix: str = ".xlsx"

    @property
    def filename(self) -> str:
        return f"{self.name}{self.suffix}"

    def content(self) -> bytes:
        if self.text is not None:
            return self.text
        return workbook(self.sheets, self.merge)


def workbook(sheets: dict[str, list[list]], merge: tuple[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if merge:
        book[merge[0]].merge_cells(merge[1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _esc(text: str) -> str:
    return re.escape(text)


BROKEN = [
    Broken(
        "missing_list",
        {"survey": [S, ["text", "a", "A"], ["select_one nolist", "q", "Q"]], "choices": CHOICES},
        _esc("sheet survey, row 3, column 'type' (cell A3), value 'select_one nolist'") + ".*List name not in choices sheet",
    ),
    Broken(
        "no_choices_sheet",
        {"survey": [S, ["select_one yn", "q", "Q"]]},
        _esc("sheet survey, row 2, column 'type' (cell A2), value 'select_one yn'") + ".*choices sheet",
    ),
    Broken(
        "choices_without_list_name",
        {"survey": [S, ["select_one yn", "q", "Q"]], "choices": [["name", "label"], ["ja", "Ja"]]},
        _esc("sheet choices: there is no column 'list_name' (row 1 has name, label)"),
    ),
    Broken(
        "survey_without_name",
        {"survey": [["type", "label"], ["text", "Leeftijd"]]},
        _esc("sheet survey: there is no column 'name' (row 1 has type, label)"),
    ),
    Broken(
        "survey_without_type",
        {"survey": [["name", "label"], ["age", "Leeftijd"]]},
        _esc("sheet survey: there is no column 'type' (row 1 has name, label)"),
    ),
    Broken(
        "duplicate_choice_names",
        {"survey": [S, ["select_one yn", "q", "Q"]], "choices": CHOICES + [["yn", "ja", "Ja!"]]},
        _esc("sheet choices, row 4, column 'name' (cell B4), value 'ja'") + ".*unique",
    ),
    Broken(
        "label_without_type",
        {"survey": [S, ["text", "a", "A"], [None, "b", "Waarom?"]]},
        _esc("sheet survey, row 3, column 'type' (cell A3): empty, but the row has name 'b', label 'Waarom?'"),
    ),
    Broken(
        "group_never_ends",
        {"survey": [S, ["text", "a", "A"], ["begin group", "g", "G"], ["text", "b", "B"]]},
        _esc("sheet survey, row 3, column 'type' (cell A3), value 'begin group'") + ".*Unmatched 'begin_group'",
    ),
    Broken(
        "end_without_begin",
        {"survey": [S, ["text", "a", "A"], ["end group", None, None]]},
        _esc("sheet survey, row 3, column 'type' (cell A3), value 'end group'"),
    ),
    Broken(
        "choices_from_a_missing_file",
        {"survey": [S, ["text", "a", "A"], ["select_one_from_file gemeenten.csv", "woonplaats", "Woonplaats"]]},
        _esc("sheet survey, row 3, column 'type' (cell A3), value 'select_one_from_file gemeenten.csv': question woonplaats"),
    ),
    Broken(
        "unknown_type",
        {"survey": [S, ["text", "a", "A"], ["txet", "b", "B"]]},
        _esc("sheet survey, row 3, column 'type' (cell A3), value 'txet'") + ".*Unknown question type",
    ),
    Broken(
        "list_name_with_a_space",
        {"survey": [S, ["select_one y n", "q", "Q"]], "choices": [["list_name", "name", "label"], ["y n", "ja", "Ja"]]},
        _esc("sheet survey, row 2, column 'type' (cell A2), value 'select_one y n'"),
    ),
    Broken(
        "or_other_with_choice_filter",
        {"survey": [S + ["choice_filter"], ["select_one yn or_other", "a", "A", "name != 'x'"]], "choices": CHOICES},
        _esc("sheet survey, row 2, column 'choice_filter' (cell D2), value \"name != 'x'\"") + ".*or_other",
    ),
    Broken(
        "number_as_name",
        {"survey": [S, ["text", 12, "A"]]},
        _esc("sheet survey, row 2, column 'name' (cell B2), value '12'") + ".*Names must begin with a letter",
    ),
    Broken(
        "date_as_choice_name",
        {"survey": [S, ["select_one yn", "q", "Q"]], "choices": CHOICES + [["yn", dt.datetime(2024, 2, 1), "1-2 keer"]]},
        _esc("sheet choices, row 4, column 'name' (cell B4): value '2024-02-01 00:00:00' is a date"),
    ),
    Broken(
        "number_as_column_name",
        {"survey": [S + [2024], ["text", "a", "A", "x"]]},
        _esc("sheet survey, cell D1: the column name '2024' is a number"),
    ),
    Broken(
        "merged_labels",
        {"survey": [S, ["text", "a", "Hoe oud?"], ["text", "b", None]]},
        _esc("sheet survey, cells C2:C3 are merged") + ".*'Hoe oud\\?'",
        merge=("survey", "C2:C3"),
    ),
    Broken(
        "choice_without_list_name",
        {"survey": [S, ["select_one yn", "q", "Q"]], "choices": CHOICES + [[None, "misschien", "Misschien"]]},
        _esc("sheet choices, row 4, column 'list_name' (cell A4): empty, but the row has name 'misschien', label 'Misschien'"),
    ),
    Broken(
        "two_rows_of_settings",
        {"survey": [S, ["text", "a", "A"]], "settings": [["form_id", "version"], ["f", "1"], ["f", "2"]]},
        _esc("sheet settings, row 3: a second row of settings (form_id 'f', version '2')"),
    ),
    Broken(
        "default_language_not_in_the_form",
        {
            "survey": [["type", "name", "label::Nederlands (nl)"], ["text", "a", "A"]],
            "settings": [["form_id", "default_language"], ["f", "English (en)"]],
        },
        _esc("sheet settings, row 2, column 'default_language' (cell B2), value 'English (en)'") + ".*none of the form's languages",
    ),
    Broken(
        "column_names_not_in_row_1",
        {"survey": [[None], [None], S, ["text", "a", "A"]]},
        _esc("sheet survey, row 1 is empty") + ".*first filled row is row 3",
    ),
    Broken(
        "no_survey_sheet",
        {"Vragen": [S, ["text", "a", "A"]], "choices": CHOICES},
        _esc("the workbook has no sheet named 'survey' (its sheets: 'Vragen', 'choices')"),
    ),
    Broken(
        "note_without_label",
        {"survey": [S, ["text", "a", "A"], ["note", "uitleg", None]]},
        _esc("sheet survey, row 3, column 'label' (cell C3)") + ".*'uitleg' has no label",
    ),
    Broken(
        "reference_to_no_question",
        {"survey": [S, ["text", "a", "Dag ${naam}"]]},
        _esc("sheet survey, row 2, column 'label' (cell C2), value 'Dag ${naam}'"),
    ),
    Broken(
        "rows_after_a_long_gap",
        {"survey": [S, ["text", "a", "A"]] + [[None]] * 61 + [["text", "b", "B"]]},
        _esc("sheet survey, row 64: this row comes after 60 or more empty rows"),
    ),
    Broken(
        "number_as_type",
        {"survey": [S, [5, "a", "A"]]},
        _esc("sheet survey, row 2, column 'type' (cell A2): value '5' is a number, not a question type"),
    ),
    Broken(
        "only_column_names",
        {"survey": [S]},
        _esc("sheet survey has no questions"),
    ),
    Broken(
        "csv_with_an_unknown_sheet",
        {},
        _esc("line 4: 'vragen' is no sheet XLSForm knows"),
        text=b"survey,,,\n,type,name,label\n,text,a,A\nvragen,,,\n,text,b,B\n",
        suffix=".csv",
    ),
    Broken(
        "markdown_with_an_empty_sheet",
        {},
        _esc("sheet settings is empty (not even column names)"),
        text=b"| survey |\n| | type | name | label |\n| | text | a | A |\n| settings |\n",
        suffix=".md",
    ),
    Broken(
        "markdown_with_a_column_twice",
        {},
        _esc("sheet survey, row 1: the column 'label' is there twice"),
        text=b"| survey |\n| | type | name | label | label |\n| | text | a | A | B |\n",
        suffix=".md",
    ),
    Broken(
        "markdown_row_wider_than_its_column_names",
        {},
        _esc("sheet survey, row 3: value 'verplicht' is in cell 4 of the row, beyond the 3 cells of row 1 (type, name, label)"),
        text=b"| survey |\n| | type | name | label |\n| | text | a | A |\n| | text | b | B | verplicht |\n",
        suffix=".md",
    ),
    Broken(
        "markdown_with_two_survey_tables",
        {},
        _esc("line 4: a second sheet named 'survey' (the first starts on line 1)"),
        text=b"| survey |\n| | type | name | label |\n| | text | a | A |\n| survey |\n| | type | name | label |\n| | text | b | B |\n",
        suffix=".md",
    ),
    Broken(
        "csv_row_wider_than_its_column_names",
        {},
        _esc("sheet survey, row 2: value 'yes' is in cell 4 of the row, beyond the 3 cells of row 1 (type, name, label)"),
        text=b"survey,,,\n,type,name,label\n,text,a,A,yes\n",
        suffix=".csv",
    ),
    Broken(
        "markdown_without_name_column",
        {},
        _esc("sheet survey: there is no column 'name' (row 1 has type, label)"),
        text=b"| survey |\n| | type | label |\n| | text | Leeftijd |\n",
        suffix=".md",
    ),
]

#: forms people make that are right: they load
FINE: dict[str, Callable[[], bytes]] = {
    "or_other.xlsx": lambda: workbook({"survey": [S, ["select_one yn or_other", "a", "A"]], "choices": CHOICES}),
    "capital_sheet_names.xlsx": lambda: workbook({"Survey": [S, ["select_one yn", "a", "A"]], "Choices": CHOICES}),
    "only_a_survey_sheet.xlsx": lambda: workbook({"survey": [S, ["text", "a", "A"]]}),
    "one_sheet_of_another_name.xlsx": lambda: workbook({"Blad1": [S, ["integer", "a", "A"]]}),
    "numbers_as_choice_names.xlsx": lambda: workbook(
        {"survey": [S, ["select_one n", "a", "A"]], "choices": [["list_name", "name", "label"], ["n", 1, "Een"], ["n", 2, "Twee"]]}
    ),
    "odd_settings.xlsx": lambda: workbook(
        {"survey": [S, ["text", "a", "A"]], "settings": [["form_id", "version", "style"], [12, 1.5, "pages"]]}
    ),
}

# -- expressions the web survey cannot evaluate: pyxform passes them, afstand's one check
# (afstand.instrument.form_logic) refuses them on the CLI, the upload page and `study create` alike
E = ["type", "name", "label", "relevant", "constraint", "choice_filter", "calculation"]
_CONSENT = ["select_one yn", "consent", "Doe je mee?", None, None, None, None]
_LOGIC_CHOICES = [["list_name", "name", "label", "age"], ["yn", "ja", "Ja", 20], ["yn", "nee", "Nee", 30]]


def _logic(*rows: list, survey: list | None = None) -> dict[str, list[list]]:
    return {"survey": [survey or E, _CONSENT, *rows], "choices": _LOGIC_CHOICES}


BROKEN_LOGIC = [
    Broken(
        "constraint_ends_after_and",
        _logic(["integer", "age", "Leeftijd", None, ". >= 16 and", None, None]),
        _esc(
            "sheet survey, row 3, column 'constraint' (cell E3), value '. >= 16 and': the expression ends after 'and': something must follow"
        ),
    ),
    Broken(
        "relevant_bracket_not_closed",
        _logic(["integer", "age", "Leeftijd", "(${consent} = 'ja'", None, None, None]),
        _esc("sheet survey, row 3, column 'relevant' (cell D3), value \"(${consent} = 'ja'\": a '(' is not closed"),
    ),
    Broken(
        "choice_filter_ends_after_operator",
        _logic(
            ["integer", "age", "Leeftijd", None, None, None, None], ["select_one yn", "again", "Nog eens?", None, None, "${age} >", None]
        ),
        _esc(
            "sheet survey, row 4, column 'choice_filter' (cell F4), value '${age} >': the expression ends after '>': something must follow"
        ),
    ),
    Broken(
        "group_relevant_double_equals",
        _logic(
            ["begin_group", "g", "Groep", "${consent} == 'ja'", None, None, None],
            ["integer", "age", "Leeftijd", None, None, None, None],
            ["text", "why", "Waarom?", None, None, None, None],
            ["end_group", None, None, None, None, None, None],
        ),
        _esc(
            "sheet survey, row 3, column 'relevant' (cell D3), value \"${consent} == 'ja'\": '==' is not written so in XLSForm: write '='"
        ),
    ),
    Broken(
        "calculation_unclosed_quote",
        _logic(["calculate", "c", None, None, None, None, "concat('a, ${consent})"]),
        _esc(
            "sheet survey, row 3, column 'calculation' (cell G3), value \"concat('a, ${consent})\": a text that starts with ' is not closed"
        ),
    ),
    Broken(
        "analysis_only_function_in_a_condition",
        _logic(["integer", "age", "Leeftijd", "sin(1) > 0", None, None, None]),
        _esc("sheet survey, row 3, column 'relevant' (cell D3), value 'sin(1) > 0': afstand's web survey does not evaluate sin()"),
    ),
    Broken(
        "two_mistakes_in_a_markdown_form",
        {},
        "sheet survey, row 3, column 'constraint', value '. > 3 4': '4' cannot follow '3': an operator .* is missing between them; "
        + _esc("sheet survey, row 4, column 'relevant', value '${age} = ja': 'ja' is not a reference"),
        text=(
            b"| survey |\n| | type | name | label | relevant | constraint |\n| | text | consent | Mee? | | |\n"
            b"| | integer | age | Leeftijd | | . > 3 4 |\n| | text | why | Waarom? | ${age} = ja | |\n"
        ),
        suffix=".md",
    ),
]
