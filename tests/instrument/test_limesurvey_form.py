"""A LimeSurvey survey structure (.lss) becomes an afstand instrument: LimeSurvey 3.x (texts in the
rows, one row per language) and 5.x/6.x (texts in the *_l10ns tables), question types, languages,
relevance, warnings, the editable .xlsx, and clear refusals of what is no LimeSurvey survey."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from afstand.errors import InstrumentError
from afstand.instrument.export import export_xlsx
from afstand.instrument.limesurvey_form import convert, is_limesurvey
from afstand.instrument.loader import check_instrument, load_instrument

DATA = Path(__file__).parent / "data"
LSS6 = DATA / "limesurvey6_survey.lss"
LSS3 = DATA / "limesurvey3_survey.lss"
NL, EN = "Nederlands (nl)", "English (en)"


@pytest.fixture(scope="module")
def six():
    return load_instrument(LSS6)


@pytest.fixture(scope="module")
def three():
    return load_instrument(LSS3)


def choices(item) -> dict[str, dict[str, str]]:
    return {c.name: dict(c.labels) for c in item.choice_list.choices}


def test_limesurvey_6_questions_become_the_xlsform_types_with_limesurvey_codes_as_names(six):
    assert six.form_id == "limesurvey_424242" and six.title == "Werken op afstand (LimeSurvey)"
    assert six.languages == (NL, EN) and six.default_language == NL
    types = {name: item.type for name, item in six.items.items()}
    assert types == {
        "AGE": "integer",  # N with "integer only"
        "ORG": "select_one",
        "ORG_other": "text",
        "FRUIT": "select_multiple",
        "FRUIT_other": "text",
        "WHY": "text",
        "WORK": "select_one",
        "HOURS": "decimal",
        "MOOD": "select_one",
        "group_2/ST/SQ001": "select_one",  # SQ001 is a row of two arrays: its key is its path
        "SQ002": "select_one",
        "group_2/SCORE/SQ001": "select_one",
        "COMM": "select_one",
        "COMM_comment": "text",
        "PRIO": "rank",
        "NOTES": "text",
        "KA": "integer",
        "KB": "integer",
        "START": "date",
        "HELLO": "text",
        "DA_1": "select_one",  # a dual-scale array: each row twice, once per scale
        "DA_2": "select_one",
        "DB_1": "select_one",
        "DB_2": "select_one",
        "R1_C1": "integer",  # an array of numbers: one per row and column
        "R1_C2": "integer",
    }
    assert set(six.notes) == {"EXPL", "LANG"}
    assert six.items["AGE"].labels == {NL: "Wat is je leeftijd?", EN: "What is your age?"}  # the HTML is gone
    assert six.notes["EXPL"].labels[NL] == "Nu enkele stellingen over je werk."
    assert six.items["HOURS"].hints == {NL: "In hele uren", EN: "In whole hours"}
    assert six.items["AGE"].required and six.items["WORK"].required and not six.items["ORG"].required
    assert six.items["group_2/ST/SQ001"].required and not six.items["group_2/SCORE/SQ001"].required


def test_limesurvey_6_answer_options_subquestions_and_generated_lists(six):
    assert choices(six.items["ORG"]) == {
        "A1": {NL: "Reclassering Nederland", EN: "Probation Netherlands"},
        "A2": {NL: "Leger des Heils", EN: "Salvation Army"},
        "other": {NL: "Andere organisatie", EN: "Another organisation"},  # other_replace_text
    }
    assert list(choices(six.items["FRUIT"])) == ["SQ001", "SQ002", "other"]
    assert choices(six.items["FRUIT"])["SQ002"] == {NL: "Peer", EN: "Pear"}
    assert list(choices(six.items["SQ002"])) == ["1", "2", "3"]  # sortorder, not the order of the rows
    assert choices(six.items["WORK"]) == {"Y": {NL: "Ja", EN: "Yes"}, "N": {NL: "Nee", EN: "No"}}
    assert list(choices(six.items["MOOD"])) == ["1", "2", "3", "4", "5"]
    assert list(choices(six.items["group_2/SCORE/SQ001"])) == ["1", "2", "3", "4", "5"]
    assert choices(six.items["PRIO"])["R3"][NL] == "Contact met collega's"
    array = six.group("ST")
    assert array.labels == {NL: "Stellingen over je werk", EN: "Statements about your work"}
    assert array.elements == ("group_2/ST/SQ001", "SQ002") and array.parent == "group_2"
    assert six.group("group_1").labels == {NL: "Over jou", EN: "About you"}
    assert six.group("KM").elements == ("KA", "KB")
    assert six.group("DS").elements == ("DA_1", "DA_2", "DB_1", "DB_2")
    assert choices(six.items["DB_1"]) == {"A1": {NL: "Vaak", EN: "Often"}, "A2": {NL: "Zelden", EN: "Rarely"}}
    assert choices(six.items["DB_2"]) == {"B1": {NL: "Goed", EN: "Good"}, "B2": {NL: "Slecht", EN: "Bad"}}
    assert six.items["DA_1"].labels == {NL: "Bellen – Hoe vaak", EN: "Calls – How often"}  # the scale's header
    assert six.items["DA_2"].labels == {NL: "Bellen – 2", EN: "Calls – 2"}  # no header: the scale's number
    assert six.items["R1_C2"].labels == {NL: "Thuis – Dinsdag", EN: "At home – Tuesday"}


def test_simple_relevance_becomes_xpath_and_the_rest_is_a_warning(six):
    assert six.items["WHY"].relevant == "selected(${FRUIT}, 'SQ001')"
    assert six.items["HOURS"].relevant == "${WORK} = 'Y' and ${AGE} != ''"
    assert six.items["HELLO"].relevant == "${ORG} = 'other' or ${SQ002} = '3'"  # -oth- is the choice other
    assert six.items["ORG_other"].relevant == "selected(${ORG}, 'other')"
    assert six.group("group_2").relevant == "${WORK} = 'Y'"
    assert six.items["NOTES"].relevant is None  # count(…) is not converted: always shown …
    warnings = "\n".join(six.warnings)
    assert "question NOTES: relevance equation 'count(ST_SQ001.NAOK) > 0' was not converted" in warnings  # … and said
    assert "question HOURS: LimeSurvey settings not converted: max_num_value_n='80'" in warnings
    assert "question LANG" in warnings and "language switch" in warnings
    assert six.notes["LANG"].relevant == "false()"
    assert six.items["HELLO"].labels == {NL: "Je bent ${AGE} jaar. Nog iets?", EN: "You are ${AGE} years old. Anything else?"}
    assert all(w.startswith(f"{LSS6}: ") for w in six.warnings)


def test_limesurvey_3_rows_per_language_conditions_and_comments(three):
    assert three.languages == (EN, NL) and three.default_language == EN and three.title == "Tools at work"
    assert three.items["ROLE"].labels == {EN: "Your role", NL: "Je functie"} and three.items["ROLE"].hints[NL] == "Kies er een"
    assert choices(three.items["ROLE"])["A3"] == {EN: "Trainee", NL: "Stagiair"}
    assert choices(three.items["SEX"]) == {"F": {EN: "Female", NL: "Vrouw"}, "M": {EN: "Male", NL: "Man"}}
    assert list(choices(three.items["SKILL"])) == ["I", "S", "D"] and three.group("TRAIN").elements == ("SKILL",)
    assert list(choices(three.items["TOOLS"])) == ["SQ001", "SQ002", "other"]
    assert three.items["TOOLS_SQ002comment"].relevant == "selected(${TOOLS}, 'SQ002')"
    assert three.items["TOOLS_SQ002comment"].labels == {EN: "Phone – Comment", NL: "Telefoon – Toelichting"}
    assert three.items["TOOLS_othercomment"].relevant == "selected(${TOOLS}, 'other')"
    assert three.items["REMARK"].appearance == "multiline"
    # conditions: one field's values joined with "or", scenarios with "or"
    assert three.group("NAMES").relevant == "(${ROLE} = 'A1' or ${ROLE} = 'A2')"
    assert three.items["REMARK"].relevant == "selected(${TOOLS}, 'SQ002') or ${SEX} = 'F'"
    assert three.items["ABOUT"].relevant is None
    assert any("question ABOUT: relevance equation 'ROLE RX ^A' was not converted" in w for w in three.warnings)
    assert three.items["SCORE"].type == "hidden"  # an equation: its values come from LimeSurvey's exports
    assert any("question SCORE: an equation" in w for w in three.warnings)


def test_the_workbook_is_the_same_bytes_each_time_and_exports_to_the_same_instrument(tmp_path, six):
    raw = LSS6.read_bytes()
    first, second = convert(raw, "a.lss"), convert(raw, "b.lss")
    assert first.xlsx == second.xlsx and first.warnings == second.warnings
    out = tmp_path / "survey.xlsx"
    assert export_xlsx(LSS6, out) == six.version_id
    edited = load_instrument(out)
    assert edited.version_id == six.version_id and list(edited.items) == list(six.items)
    assert edited.warnings == ()  # the warnings belong to the conversion, not to the workbook


def test_unnamed_bytes_are_recognised_by_their_content():
    raw = LSS3.read_bytes()
    assert is_limesurvey(raw, None) and not is_limesurvey(raw, ".md") and is_limesurvey(b"", ".lss")
    assert load_instrument(raw).version_id == load_instrument(LSS3).version_id
    assert check_instrument(LSS3).accepted


def _lss(tmp_path, text: str, name: str = "bad.lss") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _replace(old: str, new: str, source: Path = LSS6) -> str:
    text = source.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "the file is empty"),
        ("| survey |\n| | type | name |", r"not a LimeSurvey survey structure file \(\.lss\): the XML cannot be read"),
        ("<?xml version='1.0'?><html><body/></html>", "an XML file, but not a LimeSurvey export"),
        (
            "<document><LimeSurveyDocType>Question</LimeSurveyDocType></document>",
            "a LimeSurvey export of type 'Question', not a survey: export the whole survey structure",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><document>&b;</document>',
            "refused: the XML declares entities or a DTD",
        ),
        (
            _replace("<type>D</type><title>START</title>", "<type>|</type><title>START</title>"),
            r"question START has type '\|' \(File upload\)",
        ),
        (
            _replace("<type>D</type><title>START</title>", "<type>W</type><title>START</title>"),
            "question START has type 'W' \\(unknown type\\)",
        ),
        (_replace("<title>KA</title>", "<title>1</title>"), "question KM .*subquestion code '1' does not begin with a letter"),
        (
            _replace("<parent_qid>111</parent_qid>", "<parent_qid>999</parent_qid>"),
            r"question SCORE \(type 'A', Array \(5 point choice\)\) has no subquestions",
        ),
        (
            _replace("<qid><![CDATA[112]]></qid>", "<qid><![CDATA[999]]></qid>"),
            r"question COMM \(type 'O', List with comment\) has no answer options",
        ),
        (_replace("<title>AGE</title>", "<title>AGE_1</title>"), "question code 'AGE_1' .* is not a LimeSurvey code"),
    ],
    ids=[
        "empty",
        "markdown",
        "html",
        "question-export",
        "entities",
        "file-upload",
        "unknown-type",
        "digit-code",
        "no-rows",
        "no-answers",
        "underscore",
    ],
)
def test_what_is_no_usable_limesurvey_survey_is_refused_naming_why(tmp_path, text, message):
    path = _lss(tmp_path, text)
    with pytest.raises(InstrumentError, match=message) as caught:
        load_instrument(path)
    assert str(caught.value).startswith(f"{path}: ")
    report = check_instrument(path)
    assert not report.accepted and re.search(message, report.errors[0])
