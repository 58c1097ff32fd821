"""The scipy.stats / statsmodels stand-ins give exactly the same numbers (compared with ==)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from afstand.analysis.distributions import chi2_contingency, chi2_sf, f_isf, holm, norm_cdf, norm_ppf, norm_sf, t_isf, t_ppf, t_sf


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("df", [1, 2, 3, 5, 11, 40])
def test_chi2_sf_is_scipys(df):
    for x in [-1.0, 0.0, 1e-12, 0.3, 1.0, 3.84, 7.5, 20.0, 150.0, 1e4, math.inf, math.nan]:
        assert same(chi2_sf(x, df), float(stats.chi2.sf(x, df))), x


def test_norm_sf_is_scipys():
    rng = np.random.default_rng(1)
    for z in [*rng.normal(0, 3, 200), 0.0, -0.0, 8.5, -40.0, 40.0, math.inf, -math.inf, math.nan]:
        assert same(norm_sf(z), float(stats.norm.sf(z))), z


def test_norm_cdf_is_scipys_for_scalars_and_arrays():
    rng = np.random.default_rng(2)
    points = np.array([*rng.normal(0, 3, 200), 0.0, -0.0, 8.0, -8.0, 40.0, -40.0, math.inf, -math.inf, math.nan])
    for z in points:
        assert same(float(norm_cdf(z)), float(stats.norm.cdf(z))), z
    ours, theirs = norm_cdf(points.reshape(-1, 1)), stats.norm.cdf(points.reshape(-1, 1))
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs, equal_nan=True)


def test_norm_ppf_is_scipys_for_scalars_and_arrays():
    rng = np.random.default_rng(3)
    points = np.array([*rng.uniform(0, 1, 200), 1e-12, 1 - 1e-12, 0.025, 0.975, 0.5, 0.0, 1.0, -0.1, 1.1, math.nan])
    for q in points:
        assert same(float(norm_ppf(q)), float(stats.norm.ppf(q))), q
    assert np.array_equal(norm_ppf(points), stats.norm.ppf(points), equal_nan=True)


def test_t_ppf_is_scipys():
    for q in [0.975, 0.025, 0.5, 0.9, 0.999, 0.0, 1.0, -0.5, 1.5, math.nan]:
        for df in [1, 2, 3, 9, 29, 299, 299_999, 0, -1]:
            assert same(t_ppf(q, df), float(stats.t.ppf(q, df))), (q, df)


def test_t_isf_and_t_sf_are_scipys():
    """What the trend's scale intervals and Welch's p use (Welch's df is not a whole number)."""
    for q in [0.025, 0.975, 0.5, 0.001, 0.0, 1.0, -0.5, 1.5, math.nan]:
        for df in [1, 2, 9, 29.5, 227.37, 299_999, 0, -1, math.nan]:
            assert same(t_isf(q, df), float(stats.t.isf(q, df))), (q, df)
    for x in [0.0, -0.0, 0.3, 1.96, 2.5, 12.0, -3.0, math.inf, -math.inf, math.nan]:
        for df in [1, 2, 9, 29.5, 227.37, 299_999, 0, -1, math.nan]:
            assert same(t_sf(x, df), float(stats.t.sf(x, df))), (x, df)


def test_norm_quantile_and_tail_of_the_proportions_are_scipys():
    from afstand.analysis.proportions import z_value, ztest_pooled

    for confidence in (0.9, 0.95, 0.99):
        assert z_value(confidence) == float(stats.norm.isf((1 - confidence) / 2))
    x1, n1, x2, n2 = np.array([3.0, 59, 0, 12]), np.array([30.0, 228, 100, 12]), np.array([7.0, 80, 0, 11]), np.array([40.0, 293, 120, 12])
    pooled = (x1 + x2) / (n1 + n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert np.array_equal(ztest_pooled(x1, n1, x2, n2), 2 * stats.norm.sf(np.abs(z)), equal_nan=True)


def test_f_isf_is_scipys():
    for q in [0.025, 1 - 0.025, (1 - 0.95) / 2, 1 - (1 - 0.95) / 2, 0.5, 0.0, 1.0]:
        for dfn, dfd in [(1, 1), (9, 27), (227, 681), (299_999, 1_199_996), (25, 75)]:
            assert same(f_isf(q, dfn, dfd), float(stats.f.isf(q, dfn, dfd))), (q, dfn, dfd)


def test_chi2_contingency_is_scipys():
    rng = np.random.default_rng(7)
    tables = [np.array([[12, 3], [17, 16]]), np.array([[5, 0], [3, 9]]), np.array([[1, 1], [1, 1]]), np.array([[10, 20, 30]])]
    for _ in range(300):
        rows, cols = rng.integers(1, 6, size=2)
        tables.append(rng.integers(0, rng.choice([5, 50, 5000, 300_000]), size=(rows, cols)) + 1)
    for table in tables:
        ours, theirs = chi2_contingency(table), stats.chi2_contingency(table)
        assert ours.statistic == float(theirs.statistic) and ours.dof == theirs.dof, table
        assert same(ours.pvalue, float(theirs.pvalue)), table
        assert np.array_equal(ours.expected_freq, theirs.expected_freq)


def test_chi2_contingency_refuses_empty_margins():
    with pytest.raises(ValueError):
        chi2_contingency(np.array([[0, 0], [1, 2]]))


def test_holm_is_statsmodels():
    rng = np.random.default_rng(3)
    cases = [[0.01, 0.04, 0.03, 0.005], [0.5], [0.2, 0.2, 0.2, 0.01], [1.0, 0.9, 0.99]]
    cases += [list(rng.uniform(0, 1, n) ** 3) for n in (2, 7, 60, 400)]
    cases += [list(np.round(rng.uniform(0, 0.1, 50), 3)) for _ in range(5)]  # many ties
    for p in cases:
        assert np.array_equal(holm(p), multipletests(p, method="holm")[1]), p


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.03 → ×3, ×2, ×1 → 0.03, 0.04, 0.04 (running maximum), back in the given order
    assert holm([0.03, 0.01, 0.02]).tolist() == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]
