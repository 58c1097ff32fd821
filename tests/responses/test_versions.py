"""A dataset mixing instrument versions: items not in a row's version are "not asked"."""

from __future__ import annotations

import numpy as np
import pytest

from afstand.analysis.summary import analyze
from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.conftest import cli_json, run_cli
from tests.helpers import MINI_FORM, md_form

# version 2: "years" dropped, a new statement s3 and a new number "hours"
V2 = MINI_FORM.replace(
    "| | decimal | years | Jaren | Years | | | | | | |\n",
    "| | integer | hours | Uren | Hours | | | | | | |\n| | select_one agree | s3 | Stelling 3 | Statement 3 | | | | | | |\n",
).replace("| Mini | mini | 1 |", "| Mini | mini | 2 |")


@pytest.fixture
def forms(tmp_path):
    return load_instrument(md_form(tmp_path, MINI_FORM, "v1.md")), load_instrument(md_form(tmp_path, V2, "v2.md"))


def _data(tmp_path, v1, v2, rows: list[str], header="response_id,instrument_version,consent,age,years,hours,s1,s2,s3,fruit,why"):
    text = header + "\n" + "\n".join(r.replace("V1", v1.version_id).replace("V2", v2.version_id) for r in rows) + "\n"
    path = tmp_path / "mixed.csv"
    path.write_text(text, encoding="utf-8")
    return path


ROWS = [
    "R1,V1,ja,30,2.5,,eens,oneens,,appel,",
    "R2,V1,ja,40,,,oneens,eens,,,",
    "R3,V1,ja,50,1,,eens,eens,,peer,",
    "R4,V2,ja,35,,20,eens,oneens,eens,appel,",
    "R5,V2,ja,45,,,neutraal,eens,,,",
    "R6,V2,nee,,,,,,,,",
]


def test_not_asked_is_outside_the_base_and_not_missing(tmp_path, forms):
    v1, v2 = forms
    responses = load_responses(_data(tmp_path, v1, v2, ROWS), v2, versions=[v1])
    assert responses.n_consented == 5 and responses.problems == []
    assert responses.n_asked("s3") == 2 and responses.n_not_asked("s3") == 3 and responses.n_asked("s1") == 5
    result = analyze(responses, name="mini")
    s3 = result["items"]["s3"]
    assert (s3["base"], s3["missing"], s3["not_asked"], s3["counts"]["eens"], s3["percent"]["eens"]) == (2, 1, 3, 1, 50.0)
    s1 = result["items"]["s1"]
    assert s1["base"] == 5 and "not_asked" not in s1
    hours = result["items"]["hours"]
    assert (hours["n"], hours["missing"], hours["not_asked"]) == (1, 1, 3)
    likert = result["likert"]["s3"]
    assert (likert["base"], likert["missing"], likert["not_asked"]) == (2, 1, 3)
    assert analyze(responses, name="mini", base="valid")["items"]["s3"]["base"] == 1
    assert any("years" in note for note in result["data"]["notes"])  # the v1-only column is named, not dropped silently
    # without version 1 the rows of version 1 are not read as version 2 (their s3 would count as missing): refused
    with pytest.raises(DataError) as err:
        load_responses(_strip_years(tmp_path, v1, v2), v2)
    first = err.value.problems[0]
    assert (first.row, first.column, first.value) == (2, "instrument_version", v1.version_id)
    assert "unknown instrument version (known: " + v2.version_id + " (version 2))" in first.message


def _strip_years(tmp_path, v1, v2):
    rows = []
    for row in ROWS:
        cells = row.split(",")
        del cells[4]
        rows.append(",".join(cells))
    return _data(tmp_path, v1, v2, rows, header="response_id,instrument_version,consent,age,hours,s1,s2,s3,fruit,why")


def test_subsets_keep_the_versions(tmp_path, forms):
    v1, v2 = forms
    responses = load_responses(_data(tmp_path, v1, v2, ROWS), v2, versions=[v1])
    part = responses.subset(np.array([True, False, False, True, True]))
    assert part.n_asked("s3") == 2 and part.n_not_asked("s3") == 1


def test_unknown_version_and_answer_not_asked_are_problems(tmp_path, forms):
    v1, v2 = forms
    rows = ROWS[:2] + ["R3,mini@0000,ja,50,1,,eens,eens,,peer,", "R4,V1,ja,35,,20,eens,oneens,eens,appel,"]
    path = _data(tmp_path, v1, v2, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, v2, versions=[v1])
    text = "\n".join(str(p) for p in err.value.problems)
    assert "row 4, column 'instrument_version': unknown instrument version" in text and "mini@0000" in text
    assert (
        f"row 5, column 's3': answer to an item that is not in this respondent's instrument version {v1.version_id} (value 'eens')" in text
    )
    assert "row 5, column 'hours'" in text
    lenient = load_responses(path, v2, versions=[v1], lenient=True)
    s3 = analyze(lenient, name="mini")["items"]["s3"]
    assert s3["counts"]["eens"] == 0 and s3["not_asked"] == 3  # the reported cell counts as not answered, never as an answer
    missing_column = tmp_path / "noversion.csv"
    missing_column.write_text("response_id,consent,s1\nR1,ja,eens\n", encoding="utf-8")
    with pytest.raises(DataError, match="'instrument_version' column is missing"):
        load_responses(missing_column, v2, versions=[v1])


def test_cli_analyze_with_version_forms(tmp_path, forms):
    v1, v2 = forms
    path = _data(tmp_path, v1, v2, ROWS)
    out = cli_json(
        "analyze", "--instrument", str(tmp_path / "v2.md"), "--data", str(path), "--version-form", str(tmp_path / "v1.md"), "--json"
    )
    assert out["items"]["s3"]["not_asked"] == 3 and out["items"]["s3"]["base"] == 2
    strict = run_cli("analyze", "--instrument", str(tmp_path / "v2.md"), "--data", str(path), "--json")
    # without version 1 its rows are refused (first: the row, the version column and the value), never read as version 2
    assert strict.returncode == 2 and "row 2, column 'instrument_version': unknown instrument version" in strict.stderr
    assert f"(value '{v1.version_id}')" in strict.stderr
