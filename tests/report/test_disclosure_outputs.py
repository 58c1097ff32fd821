"""Disclosure control holds in every format of the report, on 200 generated skewed data sets.

The mini study (tests/studies/mini) has four breakdowns of every kind a study can declare and a
report that prints its groups in every way the template functions allow: counts, percentages
with intervals, sums of choices, rankings, figures with their tables, the comparison, scale and
test tables. For every generated data set the report is built (HTML and Word; no drawings, which
add no number) and an attacker reads what each format prints — the JSON as published, and the
text and tables of the HTML and the Word file — and asks an integer program for the smallest
and largest size of every group and every union of groups that is in truth small (1 … 9). None
may be pinned to one value, and none may be shown to be small, unless the whole characteristic
has fewer answers than the threshold (then everything about it is hidden). The PDF is attacked
on a smaller sample (docs/disclosure-control.md says why).
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings

from afstand.report.build import build_report
from afstand.responses import load_responses
from afstand.study import Study
from tests.helpers import MINI_STUDY, attack, attack_text, mini_datasets, printed, true_cells, write_mini_csv

MIN = 10
SETTINGS = dict(
    derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
PDF_SAMPLE = 12  # PDFs (with their vector figures) of as many more data sets


@pytest.fixture(scope="module")
def mini():
    study = Study.load(MINI_STUDY)
    assert study.min_group_size == MIN
    return study


def _check(study, path, out, formats) -> None:
    instrument = study.instrument("mini")
    responses = load_responses(path, instrument)
    published = json.loads((out / "cijfers.json").read_text(encoding="utf-8"))["mini"]
    n = published["n_consented"]
    breakdowns = study.breakdowns("mini")
    for name, bounds in attack(published, breakdowns):  # the JSON, as in tests/analysis/test_disclosure.py
        breakdown = next(b for b in breakdowns if b.name == name)
        truth, _ = true_cells(responses, breakdown)
        everything_hidden = not published["comparisons"]["breakdowns"][name]["groups"]
        for key, (low, high) in bounds.items():
            value = sum(truth[g] for g in key.split("|"))
            assert low <= value <= high, ("json", name, key, value, low, high)
            if 0 < value < MIN and not (everything_hidden and len(key.split("|")) == len(truth)):
                assert low < high and (everything_hidden or high >= MIN), ("json", name, key, value, low, high)
    shown = printed(out, formats)
    for fmt, (rows, text) in shown.items():
        assert str(n) in text, fmt
        for breakdown in breakdowns:
            truth, labels = true_cells(responses, breakdown)
            item = instrument.items[breakdown.item]
            item_labels = {c.name: c.label() for c in item.choice_list.choices} if item.choice_list else {}
            entry = published["comparisons"]["breakdowns"][breakdown.name]
            everything_hidden = not entry["groups"]
            groups = list(truth)
            small = [
                list(s)
                for size in range(1, len(groups) + 1)
                for s in itertools.combinations(groups, size)
                if 0 < sum(truth[g] for g in s) < MIN and not (everything_hidden and size == len(groups))
            ]
            printed_as_count = {c.name for c in item.choice_list.choices} if item.choice_list else set()  # "Label: count ("
            counted = [[g["name"]] for g in entry["groups"] if g["name"] in printed_as_count]
            found = attack_text((rows, text), n, labels, item_labels, small + counted)
            for subset, (low, high) in zip(small + counted, found):
                value = sum(truth[g] for g in subset)
                assert low <= value <= high, (fmt, breakdown.name, subset, value, low, high)  # the attacker's model is right
                if subset in counted:
                    assert low == high == value, (fmt, breakdown.name, subset, low, high)  # it does read what is printed
                else:
                    assert low < high, f"{fmt}: {breakdown.name}: {subset} = {value} recovered exactly"
                    assert everything_hidden or high >= MIN, f"{fmt}: {breakdown.name}: {subset} = {value} shown to be small (≤ {high})"


@settings(max_examples=200, **SETTINGS)
@given(data=mini_datasets())
def test_html_and_docx_let_no_small_group_be_recovered(mini, tmp_path_factory, data):
    n, seed, shares = data
    folder = tmp_path_factory.mktemp("mini")
    path = write_mini_csv(folder / "mini.csv", n, seed, shares)
    build_report(mini, {"mini": path}, folder / "out", formats=("html", "docx"), workers=1, drawings="none")
    _check(mini, path, folder / "out", ("html", "docx"))


@settings(max_examples=PDF_SAMPLE, **SETTINGS)
@given(data=mini_datasets())
def test_pdf_lets_no_small_group_be_recovered(mini, tmp_path_factory, data):
    n, seed, shares = data
    folder = tmp_path_factory.mktemp("mini-pdf")
    path = write_mini_csv(folder / "mini.csv", n, seed, shares)
    build_report(mini, {"mini": path}, folder / "out", formats=("pdf",), workers=1, drawings="vector")
    _check(mini, path, folder / "out", ("pdf",))
