"""Exports of other tools that mix form versions (a Kobo export whose ``__version__`` holds two
versions, an ODK Central CSV whose ``FormVersion`` varies): each row is read as its own version
asked it when the versions are known (the study's forms, ``--version-form``), and refused with an
error naming file, row, column and value when one is not — never read as another version. The
files are written here, in each tool's layout."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from afstand.analysis.summary import analyze
from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.conftest import run_cli
from tests.helpers import md_form

KOBO_V1, KOBO_V2 = "vGm4bQ2xZk", "vT9pLw3cRn"  # KoboToolbox's version uids, as its versioned forms carry them


def form(version: str) -> str:
    """Version 1, or version 2: "years" dropped, a number "hours" and a statement s3 added, and in the
    agree list "Eens" now names a new choice (helemaal_eens) while eens reads "Een beetje eens".
    Both carry Kobo's calculate ``__version__`` with the version uid."""
    two = version == "2"
    rows = [
        "| | select_one yn | consent | Doe je mee? | | ja |",
        "| | begin_group | g | Vragen | ${consent} = 'ja' | |",
        "| | integer | age | Leeftijd | | |",
        "" if two else "| | decimal | years | Jaren | | |",
        "| | integer | hours | Uren | | |" if two else "",
        "| | select_one agree | s1 | Stelling 1 | | |",
        "| | select_one agree | s2 | Stelling 2 | | |",
        "| | select_one agree | s3 | Stelling 3 | | |" if two else "",
        "| | select_multiple fruit | fruit | Fruit | | |",
        "| | text | why | Waarom? | | |",
        "| | end_group | | | | |",
    ]
    agree = ["| | agree | oneens | Oneens |", "| | agree | neutraal | Neutraal |"] + (
        ["| | agree | eens | Een beetje eens |", "| | agree | helemaal_eens | Eens |"] if two else ["| | agree | eens | Eens |"]
    )
    uid = KOBO_V2 if two else KOBO_V1
    return "\n".join(
        ["| survey |", "| | type | name | label | relevant | consent_choice | calculation |"]
        + [r + " |" for r in rows if r]  # the calculation column, empty
        + [f"| | calculate | __version__ | | | | '{uid}' |", "| choices |", "| | list_name | name | label |"]
        + ["| | yn | ja | Ja |", "| | yn | nee | Nee |"]
        + agree
        + ["| | fruit | appel | Appel |", "| | fruit | peer | Peer |", "| | fruit | kers | Kers |"]
        + ["| settings |", "| | form_title | form_id | version |", f"| | Mini | mini | {version} |", ""]
    )


@pytest.fixture
def forms(tmp_path):
    return load_instrument(md_form(tmp_path, form("1"), "v1.md")), load_instrument(md_form(tmp_path, form("2"), "v2.md"))


# (version, consent, age, years, hours, s1, s2, s3, fruit): answers as each version asked them
ROWS = [
    (1, "ja", "30", "2.5", "", "eens", "oneens", "", "appel"),
    (1, "ja", "40", "", "", "oneens", "eens", "", ""),
    (1, "ja", "50", "1", "", "eens", "neutraal", "", "peer kers"),
    (2, "ja", "35", "", "20", "helemaal_eens", "oneens", "eens", "appel"),
    (2, "ja", "45", "", "", "neutraal", "helemaal_eens", "", ""),
    (2, "nee", "", "", "", "", "", "", ""),
]


def _odk_central(path, versions=("1", "2")):
    """ODK Central's CSV: SubmissionDate first, group paths joined by '-', FormVersion among the metadata at the end."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["SubmissionDate", "consent", "g-age", "g-years", "g-hours", "g-s1", "g-s2", "g-s3", "g-fruit", "g-why",
                      "meta-instanceID", "KEY", "ReviewState", "FormVersion"])  # fmt: skip
        for n, (version, consent, age, years, hours, s1, s2, s3, fruit) in enumerate(ROWS, 1):
            out.writerow(["2024-05-01T10:00:00.000Z", consent, age, years, hours, s1, s2, s3, fruit, "",
                          f"uuid:{n}", f"uuid:{n}", "", versions[version - 1]])  # fmt: skip
    return path


def _labels(form, name: str, value: str, multiple=False) -> str:
    choices = form.items[name].choice_list
    return " ".join(choices.get(v).label("Nederlands (nl)") for v in value.split()) if value else ""


def _kobo_labels(path, v1, v2):
    """Kobo's "Labels" XLSX export: question labels as headers, answers as choice labels of the row's
    version, the select_multiple also as 0/1 columns, __version__ among the metadata at the end."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Doe je mee?", "Leeftijd", "Jaren", "Uren", "Stelling 1", "Stelling 2", "Stelling 3", "Fruit",
                  "Fruit/Appel", "Fruit/Peer", "Fruit/Kers", "_uuid", "__version__"])  # fmt: skip
    for n, (version, consent, age, years, hours, s1, s2, s3, fruit) in enumerate(ROWS, 1):
        form = (v1, v2)[version - 1]
        chosen = fruit.split()
        split = ["1" if f in chosen else "0" for f in ("appel", "peer", "kers")] if consent == "ja" else ["", "", ""]
        sheet.append([_labels(form, "consent", consent), age, years, hours, _labels(form, "s1", s1), _labels(form, "s2", s2),
                      _labels(v2, "s3", s3), _labels(form, "fruit", fruit), *split, f"u-{n}", (KOBO_V1, KOBO_V2)[version - 1]])  # fmt: skip
    book.save(path)
    return path


def _check_read_as_each_version(responses, v2):
    result = analyze(responses, name="mini")
    items = result["items"]
    assert responses.problems == [] and result["n_consented"] == 5
    s1 = items["s1"]  # "Eens" of a version 1 row is eens; of a version 2 row helemaal_eens
    assert (s1["counts"]["eens"], s1["counts"]["helemaal_eens"], s1["counts"]["oneens"], s1["counts"]["neutraal"]) == (2, 1, 1, 1)
    s3 = items["s3"]  # only version 2 asked it: the three version 1 rows are outside its base, not missing
    assert (s3["base"], s3["not_asked"], s3["counts"]["eens"], s3["missing"]) == (2, 3, 1, 1)
    assert (items["hours"]["n"], items["hours"]["not_asked"]) == (1, 3)
    assert items["fruit"]["counts"] == {"appel": 2, "peer": 1, "kers": 1}
    assert any("years" in note for note in result["data"]["notes"])  # a column of version 1 only: named, not analysed


def test_odk_central_formversion_rows_are_read_as_their_version(tmp_path, forms):
    v1, v2 = forms
    responses = load_responses(_odk_central(tmp_path / "central.csv"), v2, known_versions=[v1, v2])
    assert responses.layout == "odk-central"
    _check_read_as_each_version(responses, v2)


def test_kobo_labels_version_uids_read_each_row_with_its_own_labels(tmp_path, forms):
    v1, v2 = forms
    path = _kobo_labels(tmp_path / "kobo.xlsx", v1, v2)
    responses = load_responses(path, v2, versions=[v1])
    assert responses.layout == "kobo-labels"
    _check_read_as_each_version(responses, v2)


def test_a_version_that_is_not_known_is_refused_naming_file_row_column_and_value(tmp_path, forms):
    v1, v2 = forms
    central = _odk_central(tmp_path / "central.csv")
    with pytest.raises(DataError) as err:
        load_responses(central, v2)  # version 1 is not given
    named = [p for p in err.value.problems if p.column == "FormVersion"]
    first = named[0]
    assert (first.file, first.row, first.column, first.value) == (str(central), 2, "FormVersion", "1")
    assert first.message.startswith("unknown instrument version") and "--version-form" in first.message
    assert [p.row for p in named] == [2, 3, 4]  # every row of version 1, none of version 2
    assert any(p.column == "g-years" and p.row == 1 for p in err.value.problems)  # a column of version 1 only: no item of v2
    kobo = _kobo_labels(tmp_path / "kobo.xlsx", v1, v2)
    with pytest.raises(DataError) as err:
        load_responses(kobo, v2)
    first = next(p for p in err.value.problems if p.column == "M (__version__)")  # the sheet's column letter and header
    assert (first.file, first.row, first.value, first.sheet) == (str(kobo), 2, KOBO_V1, "Sheet")
    # two versions sharing a version setting cannot tell the rows apart: refused too
    same = load_instrument(md_form(tmp_path, form("1").replace("| Mini | mini | 1 |", "| Mini | mini | 2 |"), "same.md"))
    with pytest.raises(DataError, match="unknown instrument version"):
        load_responses(central, v2, known_versions=[same])


def test_a_single_version_file_that_names_no_known_version_is_read_as_the_instrument(tmp_path, forms):
    v1, v2 = forms
    rows = [r for r in ROWS if r[0] == 2]
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["SubmissionDate", "consent", "g-age", "g-hours", "g-s1", "g-s2", "g-s3", "g-fruit", "KEY", "FormVersion"])
        for n, (_, consent, age, _, hours, s1, s2, s3, fruit) in enumerate(rows, 1):
            out.writerow(["2024-05-01", consent, age, hours, s1, s2, s3, fruit, f"uuid:{n}", "v1"])  # a tool's own label
    responses = load_responses(path, v2, known_versions=[v1])
    assert responses.problems == [] and responses.n_consented == 2 and responses.n_asked("s3") == 2


def test_cli_reads_a_mixed_file_with_the_study_versions_or_refuses_with_exit_2(tmp_path, forms):
    v1, v2 = forms
    study = tmp_path / "studie"
    (study / "instruments").mkdir(parents=True)
    (study / "instruments" / "v1.md").write_text(form("1"), encoding="utf-8")
    (study / "instruments" / "v2.md").write_text(form("2"), encoding="utf-8")
    (study / "study.toml").write_text(
        '[study]\nid = "studie"\ntitle = "Studie"\n\n[instruments.mini]\nform = "instruments/v2.md"\nnext = "instruments/v1.md"\n',
        encoding="utf-8",
    )
    data = _odk_central(tmp_path / "central.csv")
    result = run_cli("analyze", "--study", str(study), "--instrument", "mini", "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["items"]["s3"]["not_asked"] == 3 and out["items"]["s1"]["counts"]["helemaal_eens"] == 1
    alone = run_cli("analyze", "--instrument", str(study / "instruments" / "v2.md"), "--data", str(data), "--json")
    assert alone.returncode == 2 and f"{data}, row 2, column 'FormVersion': unknown instrument version" in alone.stderr
    assert "(value '1')" in alone.stderr and "Traceback" not in alone.stderr
    given = run_cli("analyze", "--instrument", str(study / "instruments" / "v2.md"), "--version-form",
                    str(study / "instruments" / "v1.md"), "--data", str(data), "--json")  # fmt: skip
    assert given.returncode == 0 and json.loads(given.stdout)["items"]["s3"]["not_asked"] == 3
