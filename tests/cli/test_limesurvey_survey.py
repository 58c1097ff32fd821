"""A researcher from LimeSurvey: the survey structure (.lss) is the instrument, LimeSurvey's response
exports of that survey are analysed with it (`afstand analyze`), and `afstand instrument export`
writes the XLSForm to edit, which analyses the same exports alike.

The exports are written here as LimeSurvey writes them for tests/instrument/data/limesurvey6_survey.lss
(its column codes ``Q``, ``Q[SQ001]``, ``Q[other]``, ``Q[comment]``, ``Q[1]``; "Answer codes" or "Full
answers" in English; CSV as CsvWriter writes it, or Excel) from the answers in :data:`ANSWERS`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.helpers import write_table

LSS = Path(__file__).resolve().parents[1] / "instrument" / "data" / "limesurvey6_survey.lss"

# LimeSurvey's column code, its full answer per answer code (English; a date in the survey's date format), and each
# respondent's answer code
OWN = [("id", {}, ["1", "2", "3", "4"]), ("submitdate", {}, ["2024-03-01 10:00:00"] * 4), ("lastpage", {}, ["2"] * 4),
       ("startlanguage", {}, ["nl", "en", "en", "nl"]), ("seed", {}, ["11", "12", "13", "14"])]  # fmt: skip
YES_NO = {"Y": "Yes", "N": "No"}
CHOSEN = {"Y": "Yes", "": "No"}
ORG = {"A1": "Probation Netherlands", "A2": "Salvation Army", "-oth-": "Other"}
AGREE = {"1": "Disagree", "2": "Neutral", "3": "Agree"}
PRIO = {"R1": "Quiet", "R2": "Time", "R3": "Contact with colleagues"}
ANSWERS = [
    ("AGE", {}, ["34", "51", "29", "40"]),
    ("ORG", ORG, ["A1", "-oth-", "A2", "A1"]),
    ("ORG[other]", {}, ["", "Eigen bureau", "", ""]),
    ("FRUIT[SQ001]", CHOSEN, ["Y", "", "Y", ""]),
    ("FRUIT[SQ002]", CHOSEN, ["", "Y", "Y", ""]),
    ("FRUIT[other]", {}, ["", "Mango", "", ""]),
    ("WHY", {}, ["lekker", "", "zoet", ""]),
    ("WORK", YES_NO, ["Y", "N", "Y", "Y"]),
    ("HOURS", {}, ["32", "", "40", "36"]),
    ("MOOD", {}, ["4", "2", "5", "3"]),
    ("ST[SQ001]", AGREE, ["3", "", "1", "3"]),
    ("ST[SQ002]", AGREE, ["2", "", "3", "3"]),
    ("SCORE[SQ001]", {}, ["5", "", "4", "3"]),
    ("COMM", {"A1": "Yes", "A2": "No"}, ["A1", "", "", "A2"]),
    ("COMM[comment]", {}, ["prima", "", "", ""]),
    ("PRIO[1]", PRIO, ["R2", "", "", "R3"]),
    ("PRIO[2]", PRIO, ["R1", "", "", "R2"]),
    ("PRIO[3]", PRIO, ["R3", "", "", "R1"]),
    ("NOTES", {}, ["", "", "druk", ""]),
    ("KM[KA]", {}, ["3", "", "5", "1"]),
    ("KM[KB]", {}, ["2", "", "0", "4"]),
    (
        "START",
        {"2024-01-15 00:00:00": "15-01-2024", "2023-12-01 00:00:00": "01-12-2023"},
        ["2024-01-15 00:00:00", "", "2023-12-01 00:00:00", ""],
    ),
    ("LANG", {}, ["nl", "en", "en", "nl"]),
    ("HELLO", {}, ["", "", "nee", ""]),
    ("DS[DA][1]", {"A1": "Often", "A2": "Rarely"}, ["A1", "", "A2", "A1"]),
    ("DS[DA][2]", {"B1": "Good", "B2": "Bad"}, ["B1", "", "B1", "B2"]),
    ("DS[DB][1]", {"A1": "Often", "A2": "Rarely"}, ["A2", "", "", "A2"]),
    ("DS[DB][2]", {"B1": "Good", "B2": "Bad"}, ["B2", "", "", "B2"]),
    ("AN[R1_C1]", {}, ["8", "", "4", "6"]),
    ("AN[R1_C2]", {}, ["0", "", "4", "2"]),
]


def lime_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """As LimeSurvey's CsvWriter writes it with ";": a byte-order mark, every field quoted, CRLF, a blank line at the end."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(b"\xef\xbb\xbf" + (buffer.getvalue() + "\r\n").encode("utf-8"))
    return path


def export(texts: bool) -> tuple[list[str], list[list[str]]]:
    """Headings "Question code"; answers as codes or, ``texts``, as LimeSurvey's full answers."""
    columns = OWN + ANSWERS
    header = [code for code, _, _ in columns]
    rows = []
    for n in range(4):
        not_shown = ANSWERS[7][2][n] == "N"  # WORK = N: the group of statements was not shown
        row = []
        for code, full, values in columns:
            value = values[n]
            if texts and code.startswith("FRUIT[") and code != "FRUIT[other]":
                value = CHOSEN[value]
            elif texts and value and full:
                value = full[value]
            row.append(
                ""
                if not_shown and code.split("[")[0] in ("ST", "SCORE", "COMM", "PRIO", "NOTES", "KM", "START", "HELLO", "DS", "AN")
                else value
            )
        rows.append(row)
    return header, rows


def analyze(instrument: Path, data: Path) -> dict:
    result = run_cli("analyze", "--instrument", str(instrument), "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def by_codes(tmp_path_factory):
    header, rows = export(texts=False)
    data = lime_csv(tmp_path_factory.mktemp("codes") / "results-survey424242.csv", header, rows)
    return analyze(LSS, data)


def test_a_limesurvey_export_of_the_survey_analyses_with_the_lss_as_instrument(by_codes):
    items = by_codes["items"]
    assert by_codes["instrument"] == "limesurvey_424242" and by_codes["data"]["layout"] == "limesurvey"
    assert by_codes["n_total"] == 4
    assert items["ORG"]["counts"] == {"A1": 2, "A2": 1, "other": 1}
    assert items["ORG_other"]["answered"] == 1
    assert items["FRUIT"]["counts"] == {"SQ001": 2, "SQ002": 2, "other": 1}
    assert items["WORK"]["counts"] == {"Y": 3, "N": 1}
    assert items["AGE"]["mean"] == pytest.approx((34 + 51 + 29 + 40) / 4)
    assert items["SQ002"]["counts"] == {"1": 0, "2": 1, "3": 2}  # ST[SQ002]: a row of the array
    assert items["group_2/ST/SQ001"]["counts"] == {"1": 1, "2": 0, "3": 2}
    assert items["group_2/SCORE/SQ001"]["counts"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert items["COMM"]["counts"] == {"A1": 1, "A2": 1} and items["COMM_comment"]["answered"] == 1
    assert items["PRIO"]["answered"] == 2 and items["START"]["answered"] == 2
    assert items["KA"]["mean"] == pytest.approx(3.0)
    assert items["DA_1"]["counts"] == {"A1": 2, "A2": 1} and items["DA_2"]["counts"] == {"B1": 2, "B2": 1}  # DS[DA][1], DS[DA][2]
    assert items["DB_2"]["counts"] == {"B1": 0, "B2": 2}
    assert items["R1_C1"]["mean"] == pytest.approx(6.0) and items["R1_C2"]["mean"] == pytest.approx(2.0)
    unused = by_codes["data"]["unused_columns"]
    assert unused == ["LANG"]  # the language switch is no question of the instrument
    assert "submitdate" in by_codes["data"]["dropped_columns"]


def test_full_answers_of_the_same_survey_give_the_same_analysis(by_codes, tmp_path):
    header, rows = export(texts=True)
    data = write_table(tmp_path / "results-survey424242.xlsx", header, rows)
    got = analyze(LSS, data)
    assert got["data"]["layout"] == "limesurvey-labels"
    assert got["items"] == by_codes["items"]


def test_the_exported_xlsform_is_the_same_instrument_for_the_same_export(by_codes, tmp_path):
    out = tmp_path / "werken-op-afstand.xlsx"
    result = run_cli("instrument", "export", str(LSS), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "NOTES: relevance equation 'count(ST_SQ001.NAOK) > 0' was not converted" in result.stderr
    shown = json.loads(run_cli("instrument", "show", str(out), "--json").stdout)
    assert shown["version_id"] == by_codes["data"]["instrument_version"]
    header, rows = export(texts=False)
    data = lime_csv(tmp_path / "results.csv", header, rows)
    assert analyze(out, data)["items"] == by_codes["items"]


def test_a_bad_lss_is_a_clear_error_with_status_2(tmp_path):
    bad = tmp_path / "survey.lss"
    bad.write_text(LSS.read_text(encoding="utf-8").replace("<type>D</type><title>START</title>", "<type>|</type><title>START</title>"))
    header, rows = export(texts=False)
    data = lime_csv(tmp_path / "results.csv", header, rows)
    for args in (["analyze", "--instrument", str(bad), "--data", str(data)], ["instrument", "show", str(bad)]):
        result = run_cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"{bad}: question START has type '|' (File upload)" in result.stderr


def test_a_limesurvey_3_survey_reads_its_comments_and_other_texts(tmp_path):
    """LimeSurvey 3.x: multiple choice with comments (``q[SQ001comment]``, ``q[othercomment]``) and
    "Other" (``q[other]``), an array of increase/same/decrease, multiple short texts, an equation."""
    lss3 = LSS.parent / "limesurvey3_survey.lss"
    header = ["id", "submitdate", "lastpage", "startlanguage", "SEX", "ROLE", "TOOLS[SQ001]", "TOOLS[SQ001comment]", "TOOLS[SQ002]",
              "TOOLS[SQ002comment]", "TOOLS[other]", "TOOLS[othercomment]", "TRAIN[SKILL]", "NAMES[N1]", "NAMES[N2]", "REMARK",
              "ABOUT", "SCORE"]  # fmt: skip
    rows = [
        ["1", "2024-03-01 10:00:00", "1", "en", "F", "A1", "Y", "for the files", "", "", "Tablet", "old", "I", "Ann", "Bob", "", "", "1"],
        ["2", "2024-03-01 10:00:00", "1", "nl", "M", "A3", "Y", "", "Y", "always on", "", "", "S", "", "", "ok", "", "2"],
        ["3", "2024-03-01 10:00:00", "1", "en", "F", "A2", "", "", "", "", "", "", "D", "Cem", "", "", "short", "0"],
    ]
    got = analyze(lss3, lime_csv(tmp_path / "results-survey531531.csv", header, rows))
    items = got["items"]
    assert got["data"]["layout"] == "limesurvey" and got["data"]["unused_columns"] == []
    assert items["TOOLS"]["counts"] == {"SQ001": 2, "SQ002": 1, "other": 1}
    assert items["TOOLS_other"]["answered"] == 1 and items["TOOLS_othercomment"]["answered"] == 1
    assert items["TOOLS_SQ001comment"]["answered"] == 1 and items["TOOLS_SQ002comment"]["answered"] == 1
    assert items["SKILL"]["counts"] == {"I": 1, "S": 1, "D": 1} and items["SEX"]["counts"] == {"F": 2, "M": 1}
    assert items["N1"]["answered"] == 2 and items["N2"]["answered"] == 1
