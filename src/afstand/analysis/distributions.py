"""p-values, quantiles and Holm's correction without importing ``scipy.stats`` or statsmodels.

``import scipy.stats`` costs about 0.6 s and statsmodels another 0.3 s, more than the
analysis of a large file. These functions call the same ``scipy.special`` routines that
``scipy.stats`` calls, with the same edge cases, so the results are bit-for-bit those of
``scipy.stats.chi2.sf``, ``scipy.stats.norm.sf``, ``scipy.stats.norm.cdf``,
``scipy.stats.norm.ppf``, ``scipy.stats.t.ppf``, ``scipy.stats.t.isf``, ``scipy.stats.t.sf``, ``scipy.stats.f.isf``, ``scipy.stats.chi2_contingency`` and statsmodels' ``multipletests(method="holm")``;
``tests/analysis/test_distributions.py`` checks that with ``==``. ``scipy.special`` is
imported on first use only.
"""

from __future__ import annotations

import math
import threading
from typing import NamedTuple

import numpy as np

_BACKGROUND: list[threading.Thread] = []


def import_in_background() -> None:
    """Start importing ``scipy.special`` (about 0.2 s) in a thread, for a caller that reads a
    large file first: the import then runs while pyarrow parses, which releases the GIL.
    The caller calls :func:`background_import_done` before anything else may import scipy:
    two threads importing parts of one package at once can deadlock on its module locks."""

    def load() -> None:
        try:
            import scipy.special  # noqa: F401
        except Exception:  # noqa: BLE001 — the import in the function that needs it reports the error
            pass

    thread = threading.Thread(target=load, name="import scipy.special", daemon=True)
    _BACKGROUND.append(thread)
    thread.start()


def background_import_done() -> None:
    """Wait for the import started by :func:`import_in_background` (at once if none runs)."""
    while _BACKGROUND:
        _BACKGROUND.pop().join()


def chi2_sf(x: float, df: float) -> float:
    """P(X > x) for X ~ χ²(df), as ``scipy.stats.chi2.sf``."""
    from scipy import special

    if math.isnan(x) or not df > 0:
        return math.nan
    if x <= 0:
        return 1.0
    if x == math.inf:
        return 0.0
    return float(special.chdtrc(df, x))


def norm_sf(z: float) -> float:
    """P(Z > z) for the standard normal, as ``scipy.stats.norm.sf``."""
    from scipy import special

    return float(special.ndtr(-z))


def norm_cdf(x):
    """P(Z ≤ x) for the standard normal, as ``scipy.stats.norm.cdf`` (scalars and arrays)."""
    from scipy import special

    return special.ndtr(np.asarray(x, dtype=np.float64))[()]


def norm_ppf(q):
    """The standard normal quantile, as ``scipy.stats.norm.ppf`` (scalars and arrays; NaN outside [0, 1])."""
    from scipy import special

    q = np.asarray(q, dtype=np.float64)
    return np.where((q >= 0) & (q <= 1), special.ndtri(q), np.nan)[()]


def t_ppf(q: float, df: float) -> float:
    """The quantile of Student's t with ``df`` degrees of freedom, as ``scipy.stats.t.ppf``."""
    from scipy import special

    if math.isnan(q) or not 0 <= q <= 1 or not df > 0:
        return math.nan
    if q == 0:
        return -math.inf
    if q == 1:
        return math.inf
    return float(special.stdtrit(df, q))


def t_isf(q: float, df: float) -> float:
    """The t with P(T > t) = q for Student's t with ``df`` degrees of freedom, as ``scipy.stats.t.isf`` (``-stdtrit(df, q)``)."""
    from scipy import special

    if math.isnan(q) or not 0 <= q <= 1 or not df > 0:
        return math.nan
    if q == 0:
        return math.inf
    if q == 1:
        return -math.inf
    return float(-special.stdtrit(df, q))


def t_sf(x: float, df: float) -> float:
    """P(T > x) for Student's t with ``df`` degrees of freedom, as ``scipy.stats.t.sf`` (``stdtr(df, -x)``)."""
    from scipy import special

    if math.isnan(x) or not df > 0:
        return math.nan
    return float(special.stdtr(df, -x))


def f_isf(q: float, dfn: float, dfd: float) -> float:
    """The x with P(X > x) = q for X ~ F(dfn, dfd), as ``scipy.stats.f.isf``."""
    from scipy import special

    if not (dfn > 0 and dfd > 0) or math.isnan(q) or not 0 <= q <= 1:
        return math.nan
    if q == 1:
        return 0.0
    if q == 0:
        return math.inf
    return float(special.fdtri(dfn, dfd, 1.0 - q))


class Chi2Contingency(NamedTuple):
    statistic: float
    pvalue: float
    dof: int
    expected_freq: np.ndarray


def chi2_contingency(observed: np.ndarray) -> Chi2Contingency:
    """Pearson's χ² test of independence of a two-way table, as ``scipy.stats.chi2_contingency``
    with its defaults (Yates' continuity correction when there is one degree of freedom)."""
    observed = np.asarray(observed)
    if observed.ndim != 2 or observed.size == 0 or np.any(observed < 0):
        raise ValueError("a non-empty two-way table of non-negative counts expected")
    as_float = observed.astype(np.float64)
    expected = as_float.sum(axis=1, keepdims=True) * as_float.sum(axis=0, keepdims=True) / as_float.sum()
    if np.any(expected == 0):
        raise ValueError("a row or column of the table is empty")
    dof = expected.size - sum(expected.shape) + expected.ndim - 1
    if dof == 0:
        return Chi2Contingency(0.0, 1.0, 0, expected)
    if dof == 1:
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    from scipy import special

    terms = (observed.astype(np.float64) - expected) ** 2 / expected
    statistic = terms.ravel().sum()
    return Chi2Contingency(float(statistic), float(special.chdtrc(float(dof), statistic)), dof, expected)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the order given (as statsmodels' ``multipletests``).

    Sorted ascending, the i-th of m p-values (from 0) is multiplied by m − i; the running
    maximum keeps the adjusted values in order, and they are capped at 1.
    """
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    adjusted[adjusted > 1] = 1
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out
