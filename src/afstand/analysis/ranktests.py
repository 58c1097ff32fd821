"""Rank tests computed from a groups × ordered-categories table of counts.

Likert answers take a handful of values, so mid-ranks follow from the pooled counts and
the tests need one pass over the data (``bincount``) instead of sorting every response.
The formulas are scipy's (``scipy.stats.kruskal``; ``scipy.stats.mannwhitneyu`` with
``method="asymptotic"``: normal approximation with tie and continuity correction), and the
tests in ``tests/analysis/test_ranktests.py`` check them against scipy on raw data.
"""

from __future__ import annotations

import math

import numpy as np

from afstand.analysis.distributions import chi2_sf, norm_sf


def midranks(table: np.ndarray) -> np.ndarray:
    """Mid-rank of each category (columns ordered low → high) in the pooled sample."""
    pooled = table.sum(axis=0).astype(float)
    before = np.concatenate([[0.0], np.cumsum(pooled)[:-1]])
    return before + (pooled + 1) / 2


def tie_term(table: np.ndarray) -> float:
    t = table.sum(axis=0).astype(float)
    return float((t**3 - t).sum())


def kruskal_wallis(table: np.ndarray) -> tuple[float, float, int]:
    """H (tie-corrected), p and degrees of freedom."""
    table = np.asarray(table, dtype=float)
    n_i = table.sum(axis=1)
    n = n_i.sum()
    ranks = table @ midranks(table)
    h = 12.0 / (n * (n + 1)) * float((ranks**2 / n_i).sum()) - 3 * (n + 1)
    correction = 1 - tie_term(table) / (n**3 - n)
    h = h / correction if correction > 0 else float("nan")
    df = table.shape[0] - 1
    return h, chi2_sf(h, df), df


def mann_whitney(table: np.ndarray) -> tuple[float, float]:
    """U of the first group and the two-sided asymptotic p (tie + continuity corrected)."""
    table = np.asarray(table, dtype=float)
    n1, n2 = table.sum(axis=1)
    n = n1 + n2
    r1 = float(table[0] @ midranks(table))
    u1 = r1 - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term(table) / (n * (n - 1))))
    if s == 0:
        return u1, 1.0
    z = (u - n1 * n2 / 2 - 0.5) / s
    return u1, float(min(1.0, 2 * norm_sf(z)))
