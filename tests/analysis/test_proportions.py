"""Wilson/Newcombe intervals, the pooled z-test and Holm against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from afstand.analysis.proportions import holm, newcombe_diff, wilson, ztest_pooled

CASES = [(59, 228, 80, 293), (0, 228, 7, 293), (228, 228, 290, 293), (1, 12, 11, 12), (5, 40, 5, 40), (3, 30000, 17, 30000)]


@pytest.mark.parametrize("x1,n1,x2,n2", CASES)
def test_newcombe_and_ztest_equal_statsmodels(x1, n1, x2, n2):
    diff, low, high = newcombe_diff(x1, n1, x2, n2)
    ref_low, ref_high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert diff == pytest.approx(x1 / n1 - x2 / n2, abs=1e-12)
    assert low == pytest.approx(ref_low, abs=1e-9) and high == pytest.approx(ref_high, abs=1e-9)
    p = ztest_pooled(x1, n1, x2, n2)
    _, ref_p = proportions_ztest([x1, x2], [n1, n2])
    assert p == pytest.approx(ref_p, abs=1e-9)


def test_wilson_equals_statsmodels():
    low, high = wilson(np.array([0, 3, 59, 228]), np.array([228, 30, 228, 228]))
    for lo, hi, (x, n) in zip(low, high, [(0, 228), (3, 30), (59, 228), (228, 228)]):
        ref = proportion_confint(x, n, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-12)


def test_ztest_is_undefined_without_variance():
    assert np.isnan(ztest_pooled(0, 100, 0, 120))
    assert np.isnan(ztest_pooled(50, 50, 60, 60))


def test_holm_equals_statsmodels_and_skips_nan():
    rng = np.random.default_rng(3)
    p = rng.random(25) ** 3
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-12)
    with_nan = np.array([0.01, np.nan, 0.04, 0.03])
    out = holm(with_nan)
    assert np.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx(multipletests(with_nan[[0, 2, 3]], method="holm")[1])
