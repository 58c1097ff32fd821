"""Group comparisons, checked against independent computations on the raw CSV (pandas + scipy)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from afstand.analysis.compare import compare
from afstand.analysis.suppression import HIDDEN, suppress
from afstand.responses import load_responses
from afstand.study import Breakdown

AGREE5 = {"helemaal_oneens": 1, "oneens": 2, "neutraal": 3, "eens": 4, "helemaal_eens": 5}


@pytest.fixture(scope="module")
def raw(demo_data):
    """The seeded demo workers as plain text: the tests recompute the statistics with scipy from these."""
    frame = pd.read_csv(demo_data["werkers"], dtype=str, keep_default_na=False)
    return frame[frame["consent"] == "ja"]


@pytest.fixture(scope="module")
def study_raw(study_files):
    """The study's consented respondents as plain text: the reference study's when ../shared is there, else the demo study's."""
    out = {}
    for name, path in study_files.items():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        out[name] = frame[frame["consent"] == "ja"]
    return out


def find(result, breakdown, item):
    return next(t for t in result["tests"] if t["breakdown"] == breakdown and t["item"] == item)


def test_kruskal_wallis_by_organisation(demo_results, raw):
    test = find(demo_results["werkers"]["comparisons"], "organisatie", "w_wa_luisteren")
    scores = raw["w_wa_luisteren"].map(AGREE5)
    samples = [scores[(raw["w_org"] == org) & scores.notna()] for org in ("ljr", "rn", "svg")]
    expected = stats.kruskal(*samples)
    assert test["test"] == "kruskal-wallis" and test["df"] == 2
    assert test["statistic"] == pytest.approx(expected.statistic) and test["p"] == pytest.approx(expected.pvalue)
    n = sum(len(s) for s in samples)
    assert test["effect"]["value"] == pytest.approx(expected.statistic / (n - 1))


def test_mann_whitney_and_rank_biserial_by_role(study_results, study_raw):
    """Two groups (supervisors and the others, a select_multiple breakdown): Mann-Whitney U and the rank-biserial r."""
    raw = study_raw["werkers"]
    test = find(study_results["werkers"]["comparisons"], "functie", "w_wa_privacy")
    scores = raw["w_wa_privacy"].map(AGREE5)
    has = raw["w_function"].str.split().apply(lambda v: "toezichthouder" in v)
    answered = raw["w_function"] != ""
    supervisors, others = scores[has].dropna(), scores[answered & ~has].dropna()
    assert test["test"] == "mann-whitney" and len(supervisors) >= 10 and len(others) >= 10
    assert test["p"] == pytest.approx(stats.mannwhitneyu(supervisors, others).pvalue)
    # rank-biserial r = P(toezichthouder > overig) − P(toezichthouder < overig), counted over all pairs
    greater = sum(a > b for a, b in itertools.product(supervisors, others))
    less = sum(a < b for a, b in itertools.product(supervisors, others))
    assert test["effect"]["value"] == pytest.approx((greater - less) / (len(supervisors) * len(others)))


def test_role_and_experience_breakdowns(demo_results, raw):
    breakdowns = demo_results["werkers"]["comparisons"]["breakdowns"]
    role = {g["name"]: g["n"] for g in breakdowns["functie"]["groups"]}
    has = raw["w_function"].str.split().apply(lambda v: "toezichthouder" in v)
    answered = raw["w_function"] != ""
    assert role == {"toezichthouder": int(has.sum()), "overig": int((answered & ~has).sum())}
    bands = {g["name"]: g["n"] for g in breakdowns["ervaring"]["groups"]}
    years = raw["w_experience_years"].astype(float)
    assert bands["0-5"] == int((years < 5).sum()) and bands["20+"] == int((years >= 20).sum())


def test_chi_square_and_cramers_v():
    from afstand.analysis.compare import _crosstab, _nominal_table_test  # noqa: PLC2701 - checked on a hand-made table

    answers = np.array([0] * 20 + [1] * 10 + [0] * 5 + [1] * 25 + [2] * 10 + [-1] * 3)  # −1: no answer
    codes = np.array([0] * 30 + [1] * 40 + [-1] * 3)  # −1: no group
    result = _nominal_table_test(_crosstab(codes + 1, 2, answers + 1, 3), {"a": 0, "b": 1})
    table = np.array([[20, 10, 0], [5, 25, 10]])
    chi2, p, dof, _ = stats.chi2_contingency(table)
    assert result["statistic"] == pytest.approx(chi2) and result["df"] == dof == 2
    assert result["effect"]["value"] == pytest.approx(math.sqrt(chi2 / (70 * 1)))


def test_holm_correction(demo_results):
    tests = demo_results["werkers"]["comparisons"]["tests"]
    p = np.array([t["p"] for t in tests])
    order = np.argsort(p)
    m = len(p)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    assert [t["p_holm"] for t in tests] == pytest.approx(adjusted.tolist())


def test_suppression_rule():
    hidden = HIDDEN.format(min_size=10)
    assert suppress({"a": 50, "b": 40, "c": 30}, 10) == {"a": None, "b": None, "c": None}
    # one reason for every hidden group: nobody can tell the small one from its protector
    assert suppress({"a": 50, "b": 40, "c": 3}, 10) == {"a": None, "b": hidden, "c": hidden}
    # two small groups (4 + 3 = 7) would be known together: a third one is hidden as well
    assert suppress({"a": 50, "b": 4, "c": 3}, 10) == {"a": hidden, "b": hidden, "c": hidden}
    # respondents without a group do not mask anything: their number is public (the item's missing count)
    assert suppress({"a": 50, "b": 40, "c": 3}, 10, unassigned=12)["b"] == hidden
    # an empty group is shown as 0 and triggers nothing
    assert suppress({"a": 50, "b": 40, "c": 0}, 10) == {"a": None, "b": None, "c": None}


def test_no_group_under_the_threshold_is_ever_shown(study_files, study_raw, study):
    responses = load_responses(study_files["werkers"], study.instrument("werkers"))
    for threshold in (10, 35, 60, 100, 250):
        result = compare(responses, study.breakdowns("werkers"), ["w_wa_*"], min_group_size=threshold)
        for name, breakdown in result["breakdowns"].items():
            assert all(g["n"] >= threshold or g["n"] == 0 for g in breakdown["groups"]), (threshold, name)  # empty: shown as 0
            shown = {g["name"] for g in breakdown["groups"]}
            for test in (t for t in result["tests"] if t["breakdown"] == name):
                assert set(test["by_group"]) <= shown
                assert all(v["n"] >= 1 for v in test["by_group"].values())
    # one organisation under the threshold: it is hidden, and the next smallest with it, so it cannot be
    # derived from the total (the reference study at 35: LJ&R (31) hidden, and SVG (87) with it)
    sizes = sorted((n, org) for org, n in study_raw["werkers"]["w_org"].value_counts().items() if org)
    assert len(sizes) == 3 and sizes[0][0] < sizes[1][0]
    result = compare(responses, [Breakdown("werkers", "org", "w_org")], ["w_wa_*"], min_group_size=sizes[0][0] + 1)
    assert [g["name"] for g in result["breakdowns"]["org"]["groups"]] == [sizes[2][1]]
    assert {s["name"] for s in result["breakdowns"]["org"]["suppressed"]} == {sizes[0][1], sizes[1][1]}
    assert result["tests"] == []


def test_clients_gender_breakdown_is_suppressed(study_results, study_raw):
    """A group under the minimum is hidden with a protector; with fewer than two groups left nothing is
    compared (the reference study: 20 men and 6 women, both hidden; the demo study: 22 and 2)."""
    breakdown = study_results["clienten"]["comparisons"]["breakdowns"]["geslacht"]
    counts = study_raw["clienten"]["c_gender"].value_counts()
    sizes = {g: int(counts.get(g, 0)) for g in [*(g["name"] for g in breakdown["groups"]), *(g["name"] for g in breakdown["suppressed"])]}
    small = {g for g, n in sizes.items() if 0 < n < 10}
    assert small  # this data has a group under the minimum of 10
    hidden = {g["name"] for g in breakdown["suppressed"]}
    assert small <= hidden and len(hidden) >= 2 and sum(sizes[g] for g in hidden) >= 10
    assert [(g["name"], g["n"]) for g in breakdown["groups"]] == [(g, n) for g, n in sizes.items() if g not in hidden]
    assert all(n == 0 or n >= 10 for g, n in sizes.items() if g not in hidden)
    assert sum(1 for g in breakdown["groups"] if g["n"] > 0) < 2  # in both studies: fewer than two groups left
    assert breakdown["not_tested"]
    assert not [t for t in study_results["clienten"]["comparisons"]["tests"] if t["breakdown"] == "geslacht"]
