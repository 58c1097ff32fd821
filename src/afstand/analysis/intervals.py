"""Confidence intervals for the report's percentages, differences, means and effect sizes.

* :func:`wilson` — Wilson score interval for one proportion (as statsmodels
  ``proportion_confint(method="wilson")``); good coverage for small n and near 0 or 100%.
* :func:`newcombe` — Newcombe's hybrid score interval for the difference of two
  independent proportions (Newcombe 1998, method 10), built from the two Wilson intervals.
* :func:`mean_interval` — Student t interval for a mean.
* :func:`bootstrap_effect` — percentile bootstrap for an effect size computed from a
  groups × categories table of counts (each group resampled multinomially from its own
  answers; seeded, so the same data give the same interval).

Quantiles come from :mod:`afstand.analysis.distributions` (``scipy.special``, the same numbers
as ``scipy.stats``, without its start-up cost). All functions take counts, not raw data, and return ``None`` bounds when undefined (n = 0).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from afstand.analysis.distributions import norm_ppf, t_ppf


def wilson(count: int, n: int, *, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for ``count / n`` as proportions in [0, 1]; ``None`` when n = 0."""
    if n <= 0:
        return None
    z = float(norm_ppf(1 - (1 - confidence) / 2))
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at 0% (100%) the lower (upper) bound is exactly 0 (1); the float difference leaves ~1e-15 that would put
    # the interval beside its own estimate (a negative error bar)
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def wilson_percent(count: int, n: int) -> list[float] | None:
    """The 95% Wilson interval in percent, as JSON wants it (``[low, high]``)."""
    bounds = wilson(count, n)
    return None if bounds is None else [100 * bounds[0], 100 * bounds[1]]


def newcombe(count1: int, n1: int, count2: int, n2: int, *, confidence: float = 0.95) -> tuple[float, float, float] | None:
    """Difference p1 − p2 with Newcombe's hybrid score interval: ``(difference, low, high)``."""
    first, second = wilson(count1, n1, confidence=confidence), wilson(count2, n2, confidence=confidence)
    if first is None or second is None:
        return None
    p1, p2 = count1 / n1, count2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def newcombe_paired(
    both: int, first_only: int, second_only: int, neither: int, *, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """p1 − p2 of two yes/no answers of the same respondents (p1 = (both + first_only) / n, p2 =
    (both + second_only) / n) with Newcombe's (1998) score interval for paired data, method 10:
    the Wilson limits of both proportions combined with the correlation φ of the 2 × 2 table
    (φ's numerator ad − bc taken as 0 between 0 and n/2, and as ad − bc − n/2 above). With φ = 0
    it is the interval for independent samples."""
    a, b, c, d = both, first_only, second_only, neither
    n = a + b + c + d
    first, second = wilson(a + b, n, confidence=confidence), wilson(a + c, n, confidence=confidence)
    if first is None or second is None:
        return None
    p1, p2 = (a + b) / n, (a + c) / n
    (l1, u1), (l2, u2) = first, second
    cross = a * d - b * c
    numerator = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    phi = numerator / math.sqrt(margins) if margins else 0.0
    diff = p1 - p2
    low = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = diff + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return diff, low, high


def mean_interval(values: np.ndarray, *, confidence: float = 0.95) -> list[float] | None:
    """Student t interval for the mean of ``values`` (NaN ignored); ``None`` with fewer than 2 values."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = len(data)
    if n < 2:
        return None
    half = t_ppf(1 - (1 - confidence) / 2, n - 1) * float(data.std(ddof=1)) / math.sqrt(n)
    mean = float(data.mean())
    return [mean - half, mean + half]


def bootstrap_effect(
    table: np.ndarray, effect: Callable[[np.ndarray], np.ndarray], *, draws: int = 999, seed: int = 20210, confidence: float = 0.95
) -> list[float] | None:
    """Percentile bootstrap interval of ``effect`` over resampled tables.

    ``table`` is groups × categories; each group's row is redrawn multinomially with its own
    n and proportions. ``effect`` takes an array of tables (draws × groups × categories) and
    returns one value per draw (NaN when undefined).
    """
    table = np.asarray(table, dtype=np.int64)
    sizes = table.sum(axis=1)
    if (sizes == 0).any():
        return None
    rng = np.random.default_rng(seed)
    samples = np.stack([rng.multinomial(n, row / n, size=draws) for n, row in zip(sizes, table)], axis=1)
    values = np.asarray(effect(samples), dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < draws // 2:
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return [float(low), float(high)]


def midranks_many(tables: np.ndarray) -> np.ndarray:
    """Mid-ranks per category for a stack of tables (draws × groups × categories)."""
    pooled = tables.sum(axis=1).astype(float)
    before = np.cumsum(pooled, axis=1) - pooled
    return before + (pooled + 1) / 2


def rank_biserial_many(tables: np.ndarray) -> np.ndarray:
    """Rank-biserial r (first group higher → positive) for stacked two-group tables."""
    ranks = midranks_many(tables)
    n1, n2 = tables[:, 0].sum(axis=1).astype(float), tables[:, 1].sum(axis=1).astype(float)
    r1 = (tables[:, 0] * ranks).sum(axis=1)
    u1 = r1 - n1 * (n1 + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2 * u1 / (n1 * n2) - 1


def epsilon_squared_many(tables: np.ndarray) -> np.ndarray:
    """ε² = H / (n − 1) of the tie-corrected Kruskal–Wallis H, for stacked tables."""
    ranks = midranks_many(tables)
    n_i = tables.sum(axis=2).astype(float)
    n = n_i.sum(axis=1)
    rank_sums = (tables * ranks[:, None, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = 12.0 / (n * (n + 1)) * (rank_sums**2 / n_i).sum(axis=1) - 3 * (n + 1)
        pooled = tables.sum(axis=1).astype(float)
        correction = 1 - (pooled**3 - pooled).sum(axis=1) / (n**3 - n)
        h = np.where(correction > 0, h / correction, np.nan)
        return h / (n - 1)


def cramers_v_many(tables: np.ndarray) -> np.ndarray:
    """Cramér's V (no continuity correction) for stacked tables; columns empty in a draw are ignored."""
    tables = tables.astype(float)
    n = tables.sum(axis=(1, 2))
    rows = tables.sum(axis=2, keepdims=True)
    cols = tables.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = rows * cols / n[:, None, None]
        chi2 = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0).sum(axis=(1, 2))
        k = np.minimum(tables.shape[1], (cols[:, 0, :] > 0).sum(axis=1)) - 1
        return np.sqrt(chi2 / (n * k))
