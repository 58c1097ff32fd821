"""Reliability for short ordinal scales: polychoric correlations, ordinal α, Spearman–Brown.

* :func:`polychoric` — two-step maximum-likelihood polychoric correlation (Olsson 1979):
  thresholds from each item's cumulative proportions, then ρ maximising the likelihood of the
  cross table under a bivariate normal. The bivariate normal CDF is Owen's T formula
  (``scipy.owens_t``), exact and vectorised.
* :func:`ordinal_alpha` — Cronbach's α computed from the polychoric correlation matrix
  (Zumbo, Gadermann & Zeisser 2007), reported beside the Pearson α.
* :func:`spearman_brown` — for two-item scales, where α is a poor estimate, the
  Spearman–Brown coefficient 2r / (1 + r) of the inter-item (Pearson) correlation
  (Eisinga, te Grotenhuis & Pelzer 2013), with an interval from Fisher's z of r.
"""

from __future__ import annotations

import math

import numpy as np

from afstand.analysis.distributions import norm_cdf, norm_ppf
from afstand.analysis.minimize import minimize_bounded

BIG = 8.0  # stands in for ±∞ thresholds: Φ(8) = 1 − 6e−16


def _owen_bvn(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X ≤ h, Y ≤ k) for a standard bivariate normal with correlation ρ (Owen 1956)."""
    return _Bivariate(h, k).cdf(rho)


class _Bivariate:
    """:func:`_owen_bvn` at fixed (h, k) for many ρ: what does not depend on ρ is computed once.
    Each element goes through the same operations in the same order, so the values are the same."""

    def __init__(self, h: np.ndarray, k: np.ndarray) -> None:
        h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
        eps = 1e-12
        self.h, self.k = h, k
        self.hh = np.where(np.abs(h) < eps, eps, h)
        self.kk = np.where(np.abs(k) < eps, eps, k)
        self.base = 0.5 * (norm_cdf(self.hh) + norm_cdf(self.kk))
        self.beta = np.where((self.hh * self.kk > 0) | ((self.hh * self.kk == 0) & (self.hh + self.kk >= 0)), 0.0, 0.5)

    def cdf(self, rho: float) -> np.ndarray:
        h, k, hh, kk = self.h, self.k, self.hh, self.kk
        if abs(rho) >= 1:
            return norm_cdf(np.minimum(h, k)) if rho > 0 else np.maximum(0.0, norm_cdf(h) - norm_cdf(-k))
        root = math.sqrt(1 - rho * rho)
        a_h = (kk - rho * hh) / (hh * root)
        a_k = (hh - rho * kk) / (kk * root)
        from scipy.special import owens_t

        value = self.base - owens_t(hh, a_h) - owens_t(kk, a_k) - self.beta
        return np.clip(value, 0.0, 1.0)


def complete_rows(data: np.ndarray) -> np.ndarray:
    """The rows of an n × k matrix without NaN: ``data[~np.isnan(data).any(axis=1)]``, with the
    test made a column at a time (``any`` along rows of three items is five times slower)."""
    if data.ndim != 2 or not data.shape[1]:
        return data[~np.isnan(data).any(axis=1)]
    missing = np.isnan(data[:, 0])
    for j in range(1, data.shape[1]):
        missing |= np.isnan(data[:, j])
    return data[~missing] if missing.any() else data  # already complete: no copy


def thresholds(counts: np.ndarray) -> np.ndarray:
    """Category thresholds (−BIG, τ1, …, BIG) from one item's category counts."""
    cumulative = np.cumsum(counts)[:-1] / counts.sum()
    inner = norm_ppf(np.clip(cumulative, 1e-12, 1 - 1e-12))
    return np.concatenate([[-BIG], np.clip(inner, -BIG, BIG), [BIG]])


def polychoric(table: np.ndarray) -> float | None:
    """Polychoric correlation of an a × b table of counts (rows and columns ordered low → high)."""
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None
    tx, ty = thresholds(table.sum(axis=1)), thresholds(table.sum(axis=0))
    upper_x, lower_x = tx[1:][:, None], tx[:-1][:, None]
    upper_y, lower_y = ty[1:][None, :], ty[:-1][None, :]

    corners = _Bivariate(  # the four corners of every cell at once: upper-upper, lower-upper, upper-lower, lower-lower
        np.stack(np.broadcast_arrays(upper_x, lower_x, upper_x, lower_x)), np.stack(np.broadcast_arrays(upper_y, upper_y, lower_y, lower_y))
    )

    def negative_loglik(rho: float) -> float:
        at = corners.cdf(rho)
        p = at[0] - at[1] - at[2] + at[3]
        return -float((table * np.log(np.maximum(p, 1e-300))).sum())

    return minimize_bounded(negative_loglik, -0.9999, 0.9999, xatol=1e-10)  # as scipy's minimize_scalar(method="bounded")


def polychoric_matrix(matrix: np.ndarray, *, complete: bool = False, weights: np.ndarray | None = None) -> np.ndarray | None:
    """Polychoric correlations of the columns of an n × k matrix of ordinal scores (complete cases;
    ``complete``: the matrix holds only complete rows already, as from :func:`complete_rows`).

    ``weights``: how many respondents each row stands for (distinct answer patterns with their
    counts, :mod:`afstand.analysis.dimension_answers`); the cross tables are the same counts."""
    data = np.asarray(matrix, dtype=float)
    data = data if complete else complete_rows(data)
    k = data.shape[1]
    if (data.shape[0] if weights is None else int(np.sum(weights))) < 3:
        return None
    codes = [_levels(data[:, j]) for j in range(k)]
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            (a, ci), (b, cj) = codes[i], codes[j]
            table = np.bincount(ci * b + cj, weights=weights, minlength=a * b).reshape(a, b)
            rho = polychoric(table)
            if rho is None:
                return None
            out[i, j] = out[j, i] = rho
    return out


def _levels(column: np.ndarray) -> tuple[int, np.ndarray]:
    """The number of distinct values of a column and each row's rank among them (0, 1, …):
    ``np.unique(column, return_inverse=True)``, counted instead of sorted when the values are
    whole numbers in a short range (item scores: 1–5), which is ten times faster."""
    low, high = column.min(), column.max()
    if high - low <= 1000:
        shifted = column - low
        whole = shifted.astype(np.int64)
        if np.array_equal(whole, shifted):
            present = np.bincount(whole) > 0
            return int(present.sum()), (np.cumsum(present) - 1)[whole]
    levels, code = np.unique(column, return_inverse=True)
    return len(levels), code


def ordinal_alpha(matrix: np.ndarray, *, complete: bool = False, weights: np.ndarray | None = None) -> float | None:
    """α from the polychoric correlation matrix: k/(k−1) · (1 − k / ΣR)."""
    corr = polychoric_matrix(matrix, complete=complete, weights=weights)
    if corr is None or corr.shape[0] < 2:
        return None
    k = corr.shape[0]
    return float(k / (k - 1) * (1 - k / corr.sum()))


def spearman_brown(matrix: np.ndarray, *, confidence: float = 0.95, complete: bool = False) -> dict:
    """Spearman–Brown reliability of a two-item scale, with a Fisher-z interval of r."""
    data = np.asarray(matrix, dtype=float)
    data = data if complete else complete_rows(data)
    n = data.shape[0]
    if data.shape[1] != 2 or n < 4 or np.any(data.std(axis=0) == 0):
        return {"value": None, "ci": [None, None], "r": None, "n": int(n)}
    r = float(np.corrcoef(data, rowvar=False)[0, 1])
    z = math.atanh(max(min(r, 0.999999), -0.999999))
    half = norm_ppf(1 - (1 - confidence) / 2) / math.sqrt(n - 3)
    bounds = [math.tanh(z - half), math.tanh(z + half)]

    def sb(value: float) -> float:
        return 2 * value / (1 + value) if value > -1 else float("-inf")

    return {"value": sb(r), "ci": [sb(bounds[0]), sb(bounds[1])], "r": r, "n": int(n)}
