"""Intervals and short-scale reliability against independent implementations.

* Wilson: statsmodels ``proportion_confint(method="wilson")``, to 1e-6.
* Newcombe's hybrid score interval: written out from Newcombe (1998), method 10, with the
  Wilson limits taken from statsmodels, and checked on his published example.
* Polychoric correlation: a brute-force maximum likelihood written here with scipy's
  ``multivariate_normal.cdf`` (Genz's algorithm, not Owen's T as in the code under test) and
  a grid search, and recovery of a known ρ from discretised normal data. (semopy's
  ``polychoric_corr`` was tried as the reference; it no longer runs on SciPy ≥ 1.15.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from afstand.analysis import intervals
from afstand.analysis.reliability import ordinal_alpha, polychoric, polychoric_matrix, spearman_brown


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=st.integers(1, 400), data=st.data())
def test_wilson_equals_statsmodels(n, data):
    count = data.draw(st.integers(0, n))
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    ours = intervals.wilson(count, n)
    assert ours[0] == pytest.approx(low, abs=1e-6) and ours[1] == pytest.approx(high, abs=1e-6)
    pct = intervals.wilson_percent(count, n)
    assert pct[0] == pytest.approx(100 * low, abs=1e-4) and pct[1] == pytest.approx(100 * high, abs=1e-4)


def test_wilson_interval_always_holds_its_estimate():
    """At 0% and 100% the bound is exactly the estimate (a float remainder once drew a negative error bar)."""
    for n in range(1, 401):
        assert intervals.wilson(0, n)[0] == 0.0 and intervals.wilson(n, n)[1] == 1.0
        for count in range(n + 1):
            low, high = intervals.wilson_percent(count, n)
            assert low <= 100 * count / n <= high, (count, n)


def newcombe_by_formula(x1, n1, x2, n2):
    """Newcombe (1998) method 10, from the paper's formulas, Wilson limits from statsmodels."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = proportion_confint(x1, n1, alpha=0.05, method="wilson")
    l2, u2 = proportion_confint(x2, n2, alpha=0.05, method="wilson")
    delta = math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    epsilon = math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return p1 - p2, p1 - p2 - delta, p1 - p2 + epsilon


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n1=st.integers(1, 300), n2=st.integers(1, 300), data=st.data())
def test_newcombe_by_formula(n1, n2, data):
    x1, x2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    assert intervals.newcombe(x1, n1, x2, n2) == pytest.approx(newcombe_by_formula(x1, n1, x2, n2), abs=1e-6)


def test_newcombe_published_example():
    # Newcombe (1998), Table II, example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339
    d, low, high = intervals.newcombe(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-5) and high == pytest.approx(0.3339, abs=5e-5)


def test_undefined_without_respondents():
    assert intervals.wilson(0, 0) is None and intervals.newcombe(1, 2, 0, 0) is None
    assert intervals.mean_interval(np.array([3.0])) is None


def test_mean_interval_is_the_t_interval():
    from scipy import stats

    values = np.array([1.0, 2.0, 2.5, 3.0, 4.5, np.nan])
    clean = values[~np.isnan(values)]
    expected = stats.t.interval(0.95, len(clean) - 1, loc=clean.mean(), scale=stats.sem(clean))
    assert intervals.mean_interval(values) == pytest.approx(list(expected), abs=1e-9)


def discretised(rho, n, cuts_x, cuts_y, seed=1):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return np.digitize(z[:, 0], cuts_x), np.digitize(z[:, 1], cuts_y)


def brute_force_polychoric(table):
    from scipy import optimize, stats

    def cuts(margin):
        inner = stats.norm.ppf(np.cumsum(margin)[:-1] / margin.sum())
        return np.concatenate([[-np.inf], inner, [np.inf]])

    tx, ty = cuts(table.sum(axis=1)), cuts(table.sum(axis=0))

    def loglik(rho):
        dist = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]])
        total = 0.0
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                if table[i, j]:
                    p = dist.cdf([tx[i + 1], ty[j + 1]], lower_limit=[tx[i], ty[j]])
                    total += table[i, j] * np.log(max(p, 1e-300))
        return total

    grid = np.linspace(-0.95, 0.95, 39)
    best = grid[np.argmax([loglik(r) for r in grid])]
    res = optimize.minimize_scalar(lambda r: -loglik(r), bounds=(best - 0.05, best + 0.05), method="bounded", options={"xatol": 1e-7})
    return res.x


@pytest.mark.parametrize("rho", [-0.4, 0.0, 0.35, 0.7])
def test_polychoric_equals_brute_force(rho):
    x, y = discretised(rho, 300, [-0.8, 0.1, 0.9], [-0.3, 0.6], seed=int(10 * rho) + 5)
    table = np.zeros((x.max() + 1, y.max() + 1))
    np.add.at(table, (x, y), 1)
    assert polychoric(table) == pytest.approx(brute_force_polychoric(table), abs=1e-3)


def test_polychoric_recovers_a_known_correlation():
    x, y = discretised(0.6, 20000, [-1.0, 0.0, 1.2], [-0.5, 0.5], seed=7)
    table = np.zeros((4, 3))
    np.add.at(table, (x, y), 1)
    assert polychoric(table) == pytest.approx(0.6, abs=0.02)


def test_ordinal_alpha_from_the_polychoric_matrix():
    rng = np.random.default_rng(3)
    factor = rng.normal(size=2000)
    items = np.column_stack([np.digitize(0.8 * factor + 0.6 * rng.normal(size=2000), [-1, 0, 1]) + 1.0 for _ in range(3)])
    corr = polychoric_matrix(items)
    assert ordinal_alpha(items) == pytest.approx(3 / 2 * (1 - 3 / corr.sum()))
    # latent item correlation 0.64: the standardised α of three such items is 3·0.64 / (1 + 2·0.64)
    assert ordinal_alpha(items) == pytest.approx(3 * 0.64 / (1 + 2 * 0.64), abs=0.03)


def test_spearman_brown_two_items():
    rng = np.random.default_rng(4)
    a = rng.normal(size=200)
    data = np.column_stack([a + rng.normal(size=200), a + rng.normal(size=200)])
    result = spearman_brown(data)
    r = np.corrcoef(data, rowvar=False)[0, 1]
    assert result["value"] == pytest.approx(2 * r / (1 + r))
    low, high = result["ci"]
    assert low < result["value"] < high
    z = math.atanh(r)
    assert low == pytest.approx(2 * math.tanh(z - 1.959964 / math.sqrt(197)) / (1 + math.tanh(z - 1.959964 / math.sqrt(197))), abs=1e-5)


def test_bootstrap_effect_interval_contains_the_estimate():
    table = np.array([[5, 10, 20, 15], [15, 20, 10, 5]])
    low, high = intervals.bootstrap_effect(table, intervals.rank_biserial_many)
    from afstand.analysis.ranktests import mann_whitney

    u1, _ = mann_whitney(table)
    r = 2 * u1 / (50 * 50) - 1
    assert low < r < high and high - low < 0.6
    assert intervals.rank_biserial_many(table[None])[0] == pytest.approx(r)
    assert intervals.bootstrap_effect(table, intervals.rank_biserial_many) == [low, high]  # seeded: reproducible


def test_newcombe_paired_without_correlation_is_the_independent_interval():
    # ad − bc = 6·6 − 6·6 = 0: φ = 0, and the paired interval is the one for two samples of n
    d, low, high = intervals.newcombe_paired(6, 6, 6, 6)
    assert (d, low, high) == pytest.approx(intervals.newcombe(12, 24, 12, 24), abs=1e-12)
    assert intervals.newcombe_paired(0, 0, 0, 0) is None


@pytest.mark.parametrize("n", [26, 228])
def test_newcombe_paired_covers_the_true_difference(n):
    """Simulated pairs of strongly correlated answers (the same respondents): the 95% interval holds the
    true difference about 95% of the time, and is narrower than the interval that ignores the pairing."""
    rng = np.random.default_rng(20210 + n)
    cells = np.array([0.25, 0.05, 0.25, 0.45])  # both, only the first, only the second, neither: p1 = 0.30, p2 = 0.50
    truth = (cells[0] + cells[1]) - (cells[0] + cells[2])
    covered, narrower, runs = 0, 0, 3000
    for table in rng.multinomial(n, cells, size=runs):
        a, b, c, d = (int(x) for x in table)
        _, low, high = intervals.newcombe_paired(a, b, c, d)
        covered += low <= truth <= high
        _, low_i, high_i = intervals.newcombe(a + b, n, a + c, n)
        narrower += (high - low) < (high_i - low_i)
    assert 0.93 <= covered / runs <= 0.98
    assert narrower / runs > 0.95
