"""The counts-based rank tests equal scipy's on the raw data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from afstand.analysis.ranktests import kruskal_wallis, mann_whitney


def table_of(samples, levels):
    return np.array([[np.sum(s == v) for v in levels] for s in samples])


@pytest.mark.parametrize("seed", range(8))
def test_against_scipy(seed):
    rng = np.random.default_rng(seed)
    levels = np.arange(1, rng.integers(3, 7) + 1)
    samples = [rng.choice(levels, size=rng.integers(9, 200), p=rng.dirichlet(np.ones(len(levels)))) for _ in range(rng.integers(2, 5))]
    table = table_of(samples, levels)
    h, p, df = kruskal_wallis(table)
    expected = stats.kruskal(*samples)
    assert h == pytest.approx(expected.statistic, rel=1e-10) and p == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert df == len(samples) - 1
    u, p = mann_whitney(table[:2])
    expected = stats.mannwhitneyu(samples[0], samples[1], method="asymptotic")
    assert u == pytest.approx(expected.statistic, rel=1e-12) and p == pytest.approx(expected.pvalue, rel=1e-9)


def test_all_equal_answers():
    u, p = mann_whitney(np.array([[10, 0], [12, 0]]))
    assert p == 1.0 and u == 60.0
