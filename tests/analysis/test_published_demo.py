"""The "published numbers" of the seeded demo study, computed by independent code in this test
(the csv module and numpy on the demo CSV, not afstand's analysis) and compared with ``analyze()``.
As in the published report, every percentage has the consented respondents as its base.
The demo counterpart of tests/analysis/test_published.py: it runs without ../shared."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pytest


def consented_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows, [r for r in rows if r["consent"] == "ja"]


@pytest.mark.parametrize("name", ["werkers", "clienten"])
def test_respondent_counts(demo_data, demo_results, name):
    rows, consented = consented_rows(demo_data[name])
    result = demo_results[name]
    assert result["n_total"] == len(rows) and result["n_consented"] == len(consented) > 0


@pytest.mark.parametrize("name", ["werkers", "clienten"])
def test_choice_counts_and_bases(demo_data, demo_results, study, name):
    _, consented = consented_rows(demo_data[name])
    instrument = study.instrument(name)
    checked = 0
    for item, entry in demo_results[name]["items"].items():
        if "counts" not in entry:
            continue
        answers = [r[item] for r in consented if r.get(item, "") != ""]
        multiple = instrument.items[item].type == "select_multiple"
        expected = Counter(v for a in answers for v in (a.split() if multiple else [a]))
        got = {k: v for k, v in entry["counts"].items() if v}
        assert got == dict(expected), item
        assert entry["base"] == len(consented), item  # the study's base: every consented respondent
        checked += 1
    assert checked >= 10  # the loop really compared the study's choice questions


@pytest.mark.parametrize("name", ["werkers", "clienten"])
def test_means_of_numbers(demo_data, demo_results, name):
    _, consented = consented_rows(demo_data[name])
    checked = 0
    for item, entry in demo_results[name]["items"].items():
        if "mean" not in entry or entry["mean"] is None or "counts" in entry:
            continue
        values = np.array([float(r[item]) for r in consented if r.get(item, "") != ""])
        assert entry["mean"] == pytest.approx(values.mean(), rel=1e-9), item
        assert entry["max"] == pytest.approx(values.max()) and entry["min"] == pytest.approx(values.min()), item
        checked += 1
    assert checked >= 1


def test_likert_percentages_are_share_of_the_base(demo_data, demo_results):
    """Collapsed Likert percentages: 100 × (agree or strongly agree) / consented respondents, from the CSV."""
    _, consented = consented_rows(demo_data["werkers"])
    likert = demo_results["werkers"]["likert"]
    assert likert
    for item, entry in likert.items():
        answers = [r[item] for r in consented if r.get(item, "") != ""]
        agree = sum(a in ("eens", "helemaal_eens") for a in answers)
        assert entry["percent"]["eens"] == pytest.approx(100 * agree / len(consented)), item
