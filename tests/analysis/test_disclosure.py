"""Disclosure control holds against an attacker who solves the published linear system.

A small study (tests/studies/mini: four characteristics — two select_one items, a select_multiple
with ``contains``, a number item in bands) gets generated, skewed data: many tiny groups, groups of
exactly the threshold, missing answers on the characteristic. The attacker reads only the
published result (:func:`afstand.analysis.disclosure.publish`) and, per characteristic,
writes down every equality it prints (shown groups, ``no_group``, the item's counts and
missing count, the number item's n, n_consented) with integer unknowns for what is hidden.
For every hidden cell and every union of hidden cells it asks an integer program for the
smallest and largest value consistent with all of it. It must never pin a small (1 … min−1)
cell or union to one value, and it must never be able to prove that a small hidden cell is
small (its upper bound reaches the threshold), unless the whole characteristic has fewer
answers than the threshold (then everything is hidden and only that public total is known).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from afstand.analysis.disclosure import publish
from afstand.analysis.summary import analyze
from afstand.analysis.suppression import suppress_cells
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from afstand.study import Study
from tests.helpers import MINI_STUDY, attack, mini_datasets, true_cells, write_mini_csv

MIN = 10


@pytest.fixture(scope="module")
def mini():
    study = Study.load(MINI_STUDY)
    assert study.min_group_size == MIN
    return study, load_instrument(MINI_STUDY / "mini.md"), MINI_STUDY


@settings(
    max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=mini_datasets())
def test_attacker_recovers_nothing(mini, tmp_path_factory, data):
    study, instrument, root = mini
    n, seed, shares = data
    path = tmp_path_factory.mktemp("data") / "mini.csv"
    write_mini_csv(path, n, seed, shares)
    responses = load_responses(path, instrument)
    raw = analyze(responses, name="mini", study=study)
    published = json.loads(json.dumps(publish(raw, study, "mini")))  # what a reader of cijfers.json gets
    breakdowns = study.breakdowns("mini")
    for name, bounds in attack(published, breakdowns):
        breakdown = next(b for b in breakdowns if b.name == name)
        truth, _ = true_cells(responses, breakdown)
        everything_hidden = not published["comparisons"]["breakdowns"][name]["groups"]
        for key, (low, high) in bounds.items():
            value = sum(truth[g] for g in key.split("|"))
            assert low <= value <= high, (name, key, value, low, high)  # the attacker's model is right
            if everything_hidden and len(key.split("|")) == len(truth):
                continue  # all groups together: the number who answered the characteristic, public anyway
            if 0 < value < MIN:
                assert low < high, f"{name}: {key} = {value} recovered exactly"
                if not everything_hidden:
                    assert high >= MIN, f"{name}: {key} = {value} shown to be small (at most {high})"
    # no group-level mean and no count of a hidden cell anywhere in the published result
    for test in published["comparisons"]["tests"]:
        assert all("mean" not in g for g in test["by_group"].values())
    for item, choices in published["disclosure"]["masked"].items():
        assert all(published["items"][item]["counts"][c] is None and published["items"][item]["percent"][c] is None for c in choices)


def test_rule_examples():
    assert suppress_cells({"a": 50, "b": 40, "c": 30}, 10) == set()
    assert suppress_cells({"a": 50, "b": 40, "c": 3}, 10) == {"c", "b"}  # one hidden: the smallest other one goes too
    assert suppress_cells({"a": 50, "b": 4, "c": 3}, 10) == {"a", "b", "c"}  # 4 + 3 = 7 would be known: add a
    assert suppress_cells({"a": 50, "b": 12, "c": 3}, 10) == {"b", "c"}  # 12 + 3 − 1 = 14 ≥ 10
    assert suppress_cells({"a": 50, "b": 40, "c": 0}, 10) == set()  # an empty group is shown as 0
    assert suppress_cells({"a": 5, "b": 0}, 10) == {"a", "b"}  # everything small: zeros hidden too


def test_issue_examples_are_protected():
    """The issue's two recoveries: a band of 5 next to no_group = 14, and two bands of 4 and 3."""
    hidden = suppress_cells({"0-5": 51, "5-10": 59, "10-20": 99, "20+": 5}, 10)
    assert "20+" in hidden and len(hidden) >= 2
    hidden = suppress_cells({"0-5": 51, "5-10": 59, "10-20": 4, "20+": 3}, 10)
    assert {"10-20", "20+"} < hidden  # 4 + 3 = 7 alone would be derivable: a third band is hidden


def test_trend_hides_per_wave_what_publish_hides(mini, tmp_path):
    """Two waves, one with an organisation of 2: the trend result masks in each wave exactly the cells
    that wave's published result masks, and gives no change or collapsed view of that item."""
    from afstand.analysis.disclosure import publish_trend
    from afstand.analysis.trend import Wave, trend

    study, instrument, _ = mini
    shares = {
        "org": [1.0, 1.0, 0.02, 1.0, 0.3],
        "sex": [1.0, 1.0, 0.0, 0.1],
        "role": [1.0, 1.0, 1.0, 0.1],
        "years": [1.0, 1.0, 1.0, 1.0, 0.1],
    }
    even = {**shares, "org": [1.0, 1.0, 1.0, 1.0, 0.1]}
    waves = {}
    for label, seed, s in (("2021", 1, even), ("2022", 2, shares)):
        path = tmp_path / f"{label}.csv"
        write_mini_csv(path, 120, seed, s)
        waves[label] = load_responses(path, instrument)
    raw = trend([Wave(label, r) for label, r in waves.items()], name="mini")
    out = json.loads(json.dumps(publish_trend(raw, waves, study, "mini")))
    masked_somewhere = False
    for label, responses in waves.items():
        published = publish(analyze(responses, name="mini", study=study), study, "mini")
        for item, entry in out["items"].items():
            expected = set(published["disclosure"]["masked"].get(item, ()))
            wave = entry["waves"][label]
            assert {c for c, v in wave["counts"].items() if v is None} == expected, (label, item)
            assert all(wave["percent"][c] is None and wave["ci"][c] is None for c in expected)
            if expected:
                masked_somewhere = True
                assert entry["change"] == {} and item not in out.get("likert", {})
    assert masked_somewhere and raw["items"]["org"]["change"]  # the skewed wave had something to hide
