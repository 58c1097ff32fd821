"""Large files are validated and analysed on two threads: the output must be what one thread gives."""

from __future__ import annotations

import csv
import importlib
import json

import pytest

from afstand.analysis import summary
from afstand.analysis.summary import analyze
from afstand.errors import DataError
from afstand.responses import load_responses

validation = importlib.import_module("afstand.responses.validate")  # the module: the package exports its function by that name


@pytest.fixture(scope="module")
def damaged(demo_data, tmp_path_factory):
    """The demo workers with bad cells in several columns: problems of several items, in item order."""
    with open(demo_data["werkers"], newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row, column, value in [
        (3, "w_gender", "onbekend"),
        (5, "w_age", "oud"),
        (7, "w_advantages", "reistijd bogus"),
        (9, "w_wa_luisteren", "x"),
    ]:
        rows[row][header.index(column)] = value
    for row in range(20, 80):
        rows[row][header.index("w_org")] = "xx"
    path = tmp_path_factory.mktemp("parallel") / "werkers.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(path, study, *, lenient: bool) -> str:
    instrument = study.instrument("werkers")
    responses = load_responses(path, instrument, lenient=lenient, missing=study.missing_codes)
    return json.dumps(analyze(responses, name="werkers", study=study), ensure_ascii=False, allow_nan=False)


def test_two_threads_give_one_threads_output(demo_data, damaged, study, monkeypatch):
    one = {name: run(path, study, lenient=True) for name, path in (("demo", demo_data["werkers"]), ("damaged", damaged))}
    with pytest.raises(DataError) as strict_one:
        run(damaged, study, lenient=False)
    monkeypatch.setattr(validation, "PARALLEL_FROM", 1)
    monkeypatch.setattr(summary, "PARALLEL_FROM", 1)
    monkeypatch.setattr(validation.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(summary.os, "cpu_count", lambda: 2)
    two = {name: run(path, study, lenient=True) for name, path in (("demo", demo_data["werkers"]), ("damaged", damaged))}
    with pytest.raises(DataError) as strict_two:
        run(damaged, study, lenient=False)
    assert two == one
    listed = [p.as_dict() for p in strict_one.value.problems]
    assert [p.as_dict() for p in strict_two.value.problems] == listed and str(strict_two.value) == str(strict_one.value)
    assert [p["column"] for p in listed][:5] == ["w_gender", "w_age", "w_org", "w_org", "w_org"]
    assert json.loads(one["damaged"])["data"]["problems"]  # the problems are there, in the same order
