"""SPSS .sav, Stata .dta and .sps: written, then read back with pyreadstat."""

from __future__ import annotations

import io

import numpy as np
import pyreadstat
import pytest

from afstand.errors import AfstandError
from afstand.formats.statfiles import build_table, write_coded_csv, write_dta, write_sav, write_sps
from afstand.instrument.loader import load_instrument
from tests.helpers import md_form

V1 = """
| survey |
| | type | name | label | appearance | missing |
| | select_one yn | consent | Doe je mee? | | |
| | integer | age | Leeftijd | | 999 |
| | select_one score | grade | Cijfer | | 99 |
| | select_one fruit | fav | Lievelingsfruit | | |
| | select_one agree | s1 | Stelling | likert | |
| | select_multiple fruit | eats | Eet je | | |
| | text | eats_appel | Waarom appel? | | |
| | text | q-1 | Vraag min een | | |
| | text | q_1 | Vraag liggend streepje een | | |
| | decimal | weight | Gewicht | | |
| | text | why | Waarom? | | |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
| | score | 1 | Slecht |
| | score | 2 | Goed |
| | score | 99 | Weet niet |
| | fruit | appel | Appel |
| | fruit | peer | Peer |
| | fruit | kers | Kers |
| | agree | oneens | Oneens |
| | agree | eens | Eens |
| settings |
| | form_id | version |
| | stat | 1 |
"""
# version 2: "peer" is dropped, "banaan" added, "appel" relabelled
V2 = (
    V1.replace("| | fruit | peer | Peer |\n", "")
    .replace("| | fruit | appel | Appel |", "| | fruit | appel | Appel (rood of groen) |")
    .replace("| | fruit | kers | Kers |", "| | fruit | kers | Kers |\n| | fruit | banaan | Banaan |")
    .replace("| stat | 1 |", "| stat | 2 |")
)

HEADER = [
    "response_id",
    "instrument_version",
    "submission_date",
    "consent",
    "age",
    "grade",
    "fav",
    "s1",
    "eats",
    "eats_appel",
    "q-1",
    "q_1",
    "weight",
    "why",
]
ROWS = [
    ["r1", "stat@1", "2024-03-01", "ja", "34", "2", "peer", "eens", "appel peer", "", "a", "b", "", ""],  # answered to version 1
    ["r2", "stat@2", "2024-03-02", "ja", "999", "99", "banaan", "oneens", "banaan", "lekker", "", "", "", ""],
    ["r3", "stat@2", "2024-03-02", "nee", "", "", "", "", "", "", "", "", "", ""],
]


@pytest.fixture
def versions(tmp_path):
    return [load_instrument(md_form(tmp_path, V1, "v1.md")), load_instrument(md_form(tmp_path, V2, "v2.md"))]


def _read(tmp_path, table, writer, reader, suffix, **kwargs):
    buffer = io.BytesIO()
    writer(table, buffer)
    path = tmp_path / f"out{suffix}"
    path.write_bytes(buffer.getvalue())
    return reader(str(path), **kwargs)


def test_codes_are_numeric_names_or_stable_codes(versions):
    table = build_table(HEADER, ROWS, versions)
    assert table.codes["score"] == {"1": 1, "2": 2, "99": 99}  # numeric names are the codes
    assert table.codes["fruit"] == {"appel": 1, "peer": 2, "kers": 3, "banaan": 4}  # first appearance, oldest version first
    # recorded codes (kept by the study) are never renumbered; new choices get the next free code
    again = build_table(HEADER, ROWS, versions, recorded={"fruit": {"kers": 1, "appel": 7}})
    assert again.codes["fruit"] == {"kers": 1, "appel": 7, "peer": 8, "banaan": 9}


def test_sav_round_trip(tmp_path, versions):
    table = build_table(HEADER, ROWS, versions)
    frame, meta = _read(tmp_path, table, write_sav, pyreadstat.read_sav, ".sav", user_missing=True)
    assert len(frame) == 3
    # an answer valid only in version 1 keeps its code and label; labels come from the newest version with the choice
    assert frame["fav"].tolist()[:2] == [2.0, 4.0]
    assert meta.variable_value_labels["fav"] == {1.0: "Appel (rood of groen)", 2.0: "Peer", 3.0: "Kers", 4.0: "Banaan"}
    assert frame["grade"].tolist()[:2] == [2.0, 99.0]
    # declared missing values
    assert meta.missing_ranges["age"] == [{"lo": 999.0, "hi": 999.0}]
    assert meta.missing_ranges["grade"] == [{"lo": 99.0, "hi": 99.0}]
    plain, _ = pyreadstat.read_sav(str(tmp_path / "out.sav"))
    assert np.isnan(plain["age"][1]) and plain["age"][0] == 34
    # measurement levels
    measure = meta.variable_measure
    assert (measure["s1"], measure["fav"], measure["age"], measure["weight"], measure["eats_peer"]) == (
        "ordinal",
        "nominal",
        "scale",
        "scale",
        "nominal",
    )
    # types follow the instrument: an empty number column is numeric, an empty text column text
    assert meta.readstat_variable_types["weight"] == "double" and meta.readstat_variable_types["why"] == "string"
    assert frame["eats_banaan"].tolist()[:2] == [0.0, 1.0] and np.isnan(frame["eats_banaan"][2])


def test_names_are_unique_with_a_rename_table(tmp_path, versions):
    table = build_table(HEADER, ROWS, versions)
    names = [v.name for v in table.variables]
    assert len(names) == len({n.lower() for n in names})
    renamed = dict(table.renamed)
    # q-1 and q_1 would both be q_1; the select_multiple's 0/1 column eats_appel meets the text item eats_appel
    assert renamed["q-1"] == "q_1_2" or renamed.get("q_1") == "q_1_2"
    assert "eats/appel" in renamed and renamed["eats/appel"] != "eats_appel"
    frame, meta = _read(tmp_path, table, write_sav, pyreadstat.read_sav, ".sav")
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels[renamed["eats/appel"]] == "Eet je: Appel (rood of groen)"
    assert labels["eats_appel"] == "Waarom appel?" and frame["eats_appel"].tolist()[1] == "lekker"


def test_stata_round_trip(tmp_path, versions):
    table = build_table(HEADER, ROWS, versions, package="stata")
    assert all(len(v.name) <= 32 for v in table.variables)
    frame, meta = _read(tmp_path, table, write_dta, pyreadstat.read_dta, ".dta", user_missing=True)
    assert frame["fav"].tolist()[:2] == [2, 4]
    assert meta.variable_value_labels["fav"][1] == "Appel (rood of groen)"
    assert frame["age"].tolist()[:2] == [34, "a"]  # 999 declared missing: Stata's .a
    plain, _ = pyreadstat.read_dta(str(tmp_path / "out.dta"))
    assert np.isnan(plain["age"][1])
    assert meta.readstat_variable_types["why"] == "string"


def test_sps_labels_the_coded_csv(versions):
    table = build_table(HEADER, ROWS, versions)
    sps, data = io.BytesIO(), io.BytesIO()
    write_sps(table, "stat.csv", sps)
    write_coded_csv(table, data)
    text = sps.getvalue().decode("utf-8")
    assert "GET DATA /TYPE=TXT /FILE='stat.csv'" in text
    assert "  fav 'Lievelingsfruit'" in text and "    4 'Banaan'" in text
    assert "MISSING VALUES age (999)." in text and "MISSING VALUES grade (99)." in text
    assert "VARIABLE LEVEL s1 (ORDINAL)." in text
    assert "*   eats/appel -> " in text
    lines = data.getvalue().decode("utf-8").splitlines()
    header = lines[0].split(",")
    assert header == [v.name for v in table.variables]
    assert lines[1].split(",")[header.index("fav")] == "2"


def test_answer_of_no_version_is_an_error(versions):
    rows = [list(ROWS[0])]
    rows[0][HEADER.index("fav")] = "mango"
    with pytest.raises(AfstandError, match=r"row 2, column 'fav': 'mango' is a choice of no version"):
        build_table(HEADER, rows, versions)
