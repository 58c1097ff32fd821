"""Forms and exports made by other tools (issue 16): a multilingual XLSForm with nested groups, a
repeat, or_other, a choice_filter cascade, calculate, rank, range, geopoint, media and more, and its
answers as KoboToolbox (formpack), ODK Central, Dutch Excel and SPSS write them.

The fixtures in ``data/foreign/`` are written by ``data/foreign/make_fixtures.py`` (run it to
regenerate them); ``expected.json`` holds the counts computed there from the answers themselves,
so every test compares afstand's reading with what was put in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afstand.analysis.summary import analyze
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from afstand.responses.tables import section
from tests.conftest import run_cli

DATA = Path(__file__).resolve().parent / "data" / "foreign"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

# export → the layout afstand must report
EXPORTS = {
    "kobo-xml-groups.csv": "kobo-xml",
    "kobo-xml-dots.xlsx": "kobo-xml",
    "kobo-labels-en-groups.xlsx": "kobo-labels",
    "kobo-labels-nl.csv": "kobo-labels",
    "kobo-labels-nl-dots.xlsx": "kobo-labels",
    "kobo-xml-repeat.xlsx": "kobo-xml",
    "odk-central.csv": "odk-central",
    "odk-central-nopaths.csv": "odk-central",
    "odk-central.zip": "odk-central",
    "excel-nl.csv": "kobo-xml",
}


@pytest.fixture(scope="module")
def form():
    return load_instrument(DATA / "thuiswerk.xlsx")


def _result(form, export, repeat=None):
    instrument = section(form, repeat)
    return analyze(load_responses(DATA / export, instrument), name="thuiswerk")


def test_the_form_keeps_languages_groups_and_features(form):
    assert form.form_id == "thuiswerk_extern" and form.version == "2025011501"
    assert form.default_language == "Dutch (nl)" and set(form.languages) == {"Dutch (nl)", "English (en)"}
    # the same name in two groups stays two questions, keyed by path
    assert {"werk/toelichting", "slot/toelichting"} <= set(form.items)
    assert form.items["gemeente"].choice_filter == "provincie=${regio}"
    assert [c.columns.get("provincie") for c in form.items["gemeente"].choice_list.choices][:2] == ["ut", "ut"]
    assert "other" in form.items["dagen"].choice_list.names and "dagen_other" in form.items
    assert form.items["leeftijd"].constraint_messages["English (en)"] == "Between 16 and 99"
    assert form.items["uren_week"].calculation == "${uren} * 5"
    assert form.items["kind_leeftijd"].repeat == "kinderen"
    assert form.items["cijfer"].parameters == {"start": "0", "end": "10", "step": "1"}


def test_the_old_xls_format_is_the_same_form(form):
    old = DATA / "thuiswerk.xls"
    if not old.exists():
        pytest.skip("thuiswerk.xls is written only where xlwt is installed")
    assert load_instrument(old).version_id == form.version_id


@pytest.mark.parametrize("export", list(EXPORTS))
def test_each_export_gives_the_counts_that_were_put_in(form, export):
    result = _result(form, export)
    assert result["data"]["problems"] == [] and result["data"]["layout"] == EXPORTS[export]
    assert result["n_total"] == EXPECTED["n_total"]
    items = result["items"]
    for name, want in EXPECTED["items"].items():
        got = items[name]
        if "counts" in want:
            assert {k: v for k, v in got["counts"].items() if v} == want["counts"], name
        if "answered" in want and "counts" in want:
            assert got["base"] - got["missing"] == want["answered"], name
        elif "answered" in want:
            assert got["answered"] == want["answered"], name
        if "mean" in want:
            assert got["n"] == want["n"] and got["mean"] == pytest.approx(want["mean"]), name
    assert result["data"]["not_asked"] == []  # every question's column was found


@pytest.mark.parametrize("export", ["kobo-xml-repeat.xlsx", "odk-central.zip"])
def test_a_repeat_is_read_from_its_own_sheet_or_file(form, export):
    result = _result(form, export, repeat="kinderen")
    want = EXPECTED["kinderen"]
    assert result["data"]["problems"] == []
    assert result["n_total"] == want["n_total"]
    assert {k: v for k, v in result["items"]["opvang"]["counts"].items() if v} == want["opvang"]
    assert result["items"]["kind_leeftijd"]["n"] == want["kind_leeftijd"]["n"]
    assert result["items"]["kind_leeftijd"]["mean"] == pytest.approx(want["kind_leeftijd"]["mean"])


def test_a_repeat_sheet_never_reads_the_submission_time_or_submitter(form):
    result = _result(form, "kobo-xml-repeat.xlsx", repeat="kinderen")
    assert {"_submission__submission_time", "_submission__submitted_by"} <= set(result["data"]["dropped_columns"])
    assert not any("submission_time" in c or "submitted_by" in c for c in result["data"]["metadata_columns"])


def test_spss_value_labels_and_user_missing_values(form):
    result = _result(form, "spss.sav")
    assert result["data"]["problems"] == [] and result["data"]["layout"] == "spss"
    assert result["n_total"] == EXPECTED["n_total"]
    for name in ("regio", "gemeente", "tevreden"):  # codes 1, 2, … are positions; the value labels say which choice
        assert {k: v for k, v in result["items"][name]["counts"].items() if v} == EXPECTED["items"][name]["counts"], name
    assert {k: v for k, v in result["items"]["middelen"]["counts"].items() if v} == EXPECTED["items"]["middelen"]["counts"]
    age = result["items"]["leeftijd"]  # 999 is a declared user-missing value: never in the mean
    assert age["n"] == EXPECTED["spss"]["leeftijd"]["n"] and age["mean"] == pytest.approx(EXPECTED["spss"]["leeftijd"]["mean"])
    assert result["items"]["uren"]["mean"] == pytest.approx(EXPECTED["items"]["uren"]["mean"])


def test_cli_reads_central_zip_repeat_and_kobo_labels(tmp_path):
    done = run_cli(
        "analyze", "--instrument", str(DATA / "thuiswerk.xlsx"), "--data", str(DATA / "odk-central.zip"), "--repeat", "kinderen", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n_total"] == EXPECTED["kinderen"]["n_total"]
    done = run_cli("analyze", "--instrument", str(DATA / "thuiswerk.xlsx"), "--data", str(DATA / "kobo-labels-en-groups.xlsx"), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["data"]["layout"] == "kobo-labels" and out["n_total"] == EXPECTED["n_total"]


def test_excel_ansi_csv_is_refused_naming_the_fix(form):
    from afstand.errors import DataError

    with pytest.raises(DataError) as err:
        load_responses(DATA / "excel-nl-ansi.csv", form)
    assert "excel-nl-ansi.csv" in str(err.value) and "CSV UTF-8" in str(err.value)


@pytest.mark.parametrize("package", ["spss", "stata"])
def test_afstands_own_sav_and_dta_read_back_to_the_same_analysis(form, package):
    """The statistics files afstand writes (renamed variables, ``dagen_other`` both a question and
    ``dagen``'s choice ``other``) read back by name, variable label and value label."""
    import io

    from afstand.formats.statfiles import build_table, write_dta, write_sav
    from afstand.responses import read_table

    main = section(form, None)
    raw = read_table(DATA / "kobo-xml-groups.csv", main)
    names = [n for n in main.items if n in raw.columns]
    cells = {n: raw.columns[n].to_pylist() for n in ["response_id"] + names}
    rows = [[cells[n][i] or "" for n in ["response_id"] + names] for i in range(raw.n_rows)]
    table = build_table(["response_id"] + names, rows, [main], package=package)
    assert ("dagen/other", "dagen_other_2") in table.renamed
    out = io.BytesIO()
    (write_sav if package == "spss" else write_dta)(table, out)
    again = analyze(load_responses(out.getvalue(), main, name="export" + (".sav" if package == "spss" else ".dta")))
    first = _result(form, "kobo-xml-groups.csv")
    assert again["data"]["problems"] == [] and again["data"]["not_asked"] == []
    assert again["n_total"] == first["n_total"] and again["items"] == first["items"]


def test_geopoint_parts_and_media_urls_are_kept_apart_or_joined(form):
    kobo = _result(form, "kobo-labels-en-groups.xlsx")["data"]["unused_columns"]
    assert "Closing/Photo of your workplace_URL" in kobo  # "include media URLs": not an answer
    assert "Closing/_Where do you work from home?_latitude" in kobo  # beside the geopoint's own column
    central = _result(form, "odk-central.csv")
    assert central["items"]["locatie"]["answered"] == EXPECTED["items"]["locatie"]["answered"]  # from its four parts


@pytest.mark.parametrize("export", ["kobo-xml-groups.csv", "kobo-labels-en-groups.xlsx", "odk-central.csv"])
def test_form_metadata_with_precise_times_is_never_read(form, export):
    data = _result(form, export)["data"]
    assert {"start", "end"} <= set(data["dropped_columns"])  # start/end of the interview: precise times
    assert "today" in data["unused_columns"]  # a day, not a time: listed, not analysed


def test_limesurvey_codes_and_y_columns(form):
    result = _result(form, "limesurvey.csv")
    assert result["data"]["problems"] == [] and result["data"]["layout"] == "limesurvey"
    assert "submitdate" in result["data"]["dropped_columns"]
    # the questions LimeSurvey had no column for are named, never counted as answered
    assert set(result["data"]["not_asked"]) == {"werk/toelichting", "slot/toelichting", "foto", "opname"}
    for name in ("regio", "gemeente", "tevreden", "dagen", "middelen"):
        assert {k: v for k, v in result["items"][name]["counts"].items() if v} == EXPECTED["items"][name]["counts"], name
    for name in ("leeftijd", "uren", "cijfer"):  # LimeSurvey writes 36.0000000000
        assert result["items"][name]["mean"] == pytest.approx(EXPECTED["items"][name]["mean"]), name


def _writer():
    """The fixture writer (data/foreign/make_fixtures.py), to write every combination of options."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("foreign_fixtures", DATA / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", [None, "Dutch (nl)", "English (en)"])
@pytest.mark.parametrize("sep", ["/", ".", "-", ":", "|"])
@pytest.mark.parametrize("multi", ["both", "summary", "details"])
def test_every_kobo_export_option_reads_the_same(tmp_path, form, lang, sep, multi):
    """formpack's options: language (None = XML values and headers), group separator, with and
    without group names, select_multiple as one column, split columns or both."""
    fixtures = _writer()
    people = fixtures.answers()
    for groups in (True, False):
        path = tmp_path / f"kobo-{groups}.csv"
        path.write_text(
            fixtures.csv_text(*fixtures.kobo_export(people, lang=lang, sep=sep, groups=groups, multi=multi), sep=";"), encoding="utf-8"
        )
        result = _result(form, path)
        assert result["data"]["problems"] == [] and result["data"]["not_asked"] == []
        assert result["data"]["layout"] == ("kobo-labels" if lang else "kobo-xml")
        for name in ("regio", "gemeente", "tevreden", "dagen", "middelen"):
            assert {k: v for k, v in result["items"][name]["counts"].items() if v} == EXPECTED["items"][name]["counts"], (name, groups)


@pytest.mark.parametrize("seed", range(4))
def test_column_order_does_not_matter_for_named_columns(tmp_path, form, seed):
    """Columns are matched by their full path, not by position: an export whose columns a
    researcher rearranged reads the same."""
    import csv
    import random

    rows = list(csv.reader((DATA / "kobo-xml-groups.csv").read_text(encoding="utf-8").splitlines(), delimiter=";"))
    order = list(range(len(rows[0])))
    random.Random(seed).shuffle(order)
    path = tmp_path / "shuffled.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[row[i] for i in order] for row in rows])
    assert _result(form, path)["items"] == _result(form, "kobo-xml-groups.csv")["items"]
