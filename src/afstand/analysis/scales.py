"""Scale scores and reliability for the working-alliance dimensions.

Item scores come from the XLSForm's ``score`` column; statements keyed ``-1`` are
reversed (``min + max − score``) so that a high dimension score always means "online is
as good as face to face". A respondent's dimension score is the mean of the keyed items
answered, when at least half of the dimension's items were answered.

Reliability: Cronbach's α with Feldt's 95% confidence interval (as pingouin and R's psych
compute it), McDonald's ω (total) from a one-factor model fitted by iterated principal
axis factoring, item-rest correlations and α if an item is deleted.
"""

from __future__ import annotations

import math

import numpy as np

from afstand.analysis.dimension_answers import DimensionAnswers, dimension_answers, keyed_table
from afstand.analysis.distributions import f_isf
from afstand.analysis.intervals import mean_interval
from afstand.analysis.reliability import complete_rows, ordinal_alpha, spearman_brown
from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet


def keyed_scores(responses: ResponseSet, item: Item) -> np.ndarray:
    """An item's keyed score per respondent (NaN = missing or without a score)."""
    codes = responses.single[item.name]
    return keyed_table(item)[codes]  # code −1 (no answer): the table's last entry, NaN


def cronbach_alpha(matrix: np.ndarray, *, nan_policy: str = "listwise", ci: float = 0.95) -> dict:
    """α of an n × k matrix of item scores (NaN = missing).

    ``listwise`` drops respondents with any missing item (R psych ``use="complete.obs"``);
    ``pairwise`` uses pairwise-complete covariances (pingouin's default).
    """
    data = np.asarray(matrix, dtype=float)
    if nan_policy == "listwise":
        data = complete_cases(data)
    elif nan_policy != "pairwise":
        raise ValueError("nan_policy must be 'listwise' or 'pairwise'")
    n, k = data.shape
    if k < 2 or n < 2:
        return {"alpha": None, "ci": [None, None], "n": int(n), "k": int(k)}
    return alpha_from_cov(_pairwise_cov(data), n, ci=ci)


def alpha_from_cov(cov: np.ndarray, n: int, *, ci: float = 0.95) -> dict:
    """α from an item covariance matrix, with Feldt's CI for n respondents."""
    k = cov.shape[0]
    if k < 2 or n < 2:
        return {"alpha": None, "ci": [None, None], "n": int(n), "k": int(k)}
    total = cov.sum()
    alpha = (k / (k - 1)) * (1 - np.trace(cov) / total) if total else float("nan")
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1 - ci) / 2
    lower = 1 - (1 - alpha) * f_isf(tail, df1, df2)
    upper = 1 - (1 - alpha) * f_isf(1 - tail, df1, df2)
    return {"alpha": _num(alpha), "ci": [_num(lower), _num(upper)], "n": int(n), "k": int(k)}


def complete_cases(data: np.ndarray) -> np.ndarray:
    return complete_rows(data)


def _pairwise_cov(data: np.ndarray) -> np.ndarray:
    if not np.isnan(data).any():
        return np.cov(data, rowvar=False, ddof=1)
    k = data.shape[1]
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            both = ~np.isnan(data[:, i]) & ~np.isnan(data[:, j])
            x, y = data[both, i], data[both, j]
            value = float(((x - x.mean()) * (y - y.mean())).sum() / (both.sum() - 1)) if both.sum() > 1 else float("nan")
            cov[i, j] = cov[j, i] = value
    return cov


def mcdonald_omega(matrix: np.ndarray, *, iterations: int = 500, tol: float = 1e-10) -> dict:
    """ω total from a one-factor model of the item correlations (complete cases).

    Loadings are found by iterated principal axis factoring; ω = (Σλ)² / ((Σλ)² + Σψ)
    with uniquenesses ψ = 1 − λ². Heywood cases (λ² ≥ 1) are clipped and flagged.
    """
    data = complete_cases(np.asarray(matrix, dtype=float))
    n = data.shape[0]
    return omega_from_cov(np.cov(data, rowvar=False) if n > 1 else np.zeros((data.shape[1],) * 2), n, iterations=iterations, tol=tol)


def omega_from_cov(cov: np.ndarray, n: int, *, iterations: int = 500, tol: float = 1e-10) -> dict:
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    if k < 3 or n < 3 or np.any(sd == 0):
        return {"omega": None, "loadings": None, "n": int(n), "heywood": False}
    corr = cov / np.outer(sd, sd)
    loadings = one_factor_loadings(corr, iterations=iterations, tol=tol)
    heywood = bool(np.any(loadings**2 >= 1))
    loadings = np.clip(loadings, -0.999, 0.999)
    uniqueness = 1 - loadings**2
    common = loadings.sum() ** 2
    omega = common / (common + uniqueness.sum())
    return {"omega": _num(omega), "loadings": [float(x) for x in loadings], "n": int(n), "heywood": heywood}


def one_factor_loadings(corr: np.ndarray, *, iterations: int = 500, tol: float = 1e-10) -> np.ndarray:
    """Principal axis factoring with one factor, starting from squared multiple correlations."""
    reduced = corr.copy()
    try:
        communality = 1 - 1 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        communality = np.max(np.abs(corr - np.eye(len(corr))), axis=0)
    for _ in range(iterations):
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
        new = loadings**2
        if np.max(np.abs(new - communality)) < tol:
            communality = new
            break
        communality = new
    if loadings.sum() < 0:  # orient the factor so that most loadings are positive
        loadings = -loadings
    return loadings


def item_statistics(matrix: np.ndarray, names: list[str]) -> list[dict]:
    """Item-rest correlation and α if deleted, on complete cases."""
    data = complete_cases(np.asarray(matrix, dtype=float))
    n = data.shape[0]
    return items_from_cov(np.cov(data, rowvar=False) if n > 1 else np.zeros((len(names),) * 2), n, names)


def items_from_cov(cov: np.ndarray, n: int, names: list[str]) -> list[dict]:
    out = []
    k = len(names)
    for j, name in enumerate(names):
        rest = [i for i in range(k) if i != j]
        var_rest = cov[np.ix_(rest, rest)].sum()
        r = None
        if n > 2 and cov[j, j] > 0 and var_rest > 0:
            r = float(cov[j, rest].sum() / math.sqrt(cov[j, j] * var_rest))
        alpha = alpha_from_cov(cov[np.ix_(rest, rest)], n)["alpha"] if len(rest) >= 2 else None
        out.append({"item": name, "item_rest_r": r, "alpha_if_deleted": alpha})
    return out


def dimension_scores(responses: ResponseSet) -> dict:
    """Per alliance dimension (from the XLSForm): items, score summary and reliability."""
    result = {}
    for dimension, items in responses.instrument.dimensions().items():
        answers = dimension_answers(responses, items)
        matrix = answers.complete()  # once: each statistic below works on the complete cases
        scores = answers.scores
        valid = scores[~np.isnan(scores)]
        result[dimension] = {
            "items": [{"name": i.name, "key": i.key} for i in items],
            "n": int(len(valid)),
            "mean": float(valid.mean()) if len(valid) else None,
            "sd": float(valid.std(ddof=1)) if len(valid) > 1 else None,
            "mean_ci": mean_interval(valid),
            "range": _score_range(items),
            **_reliability(matrix, [i.name for i in items]),
            "ordinal_alpha": _ordinal_alpha(answers, matrix) if len(items) >= 2 else None,
            "spearman_brown": spearman_brown(matrix, complete=True) if len(items) == 2 else None,
        }
    return result


def _ordinal_alpha(answers: DimensionAnswers, complete: np.ndarray) -> float | None:
    """Ordinal α; its cross tables are counted from the answer patterns where the rows were grouped."""
    patterns = answers.complete_patterns()
    if patterns is None:
        return ordinal_alpha(complete, complete=True)
    return ordinal_alpha(patterns[0], complete=True, weights=patterns[1])


def _score_range(items: list[Item]) -> list[float] | None:
    defined = [c.score for c in items[0].choice_list.choices if c.score is not None] if items else []
    return [float(min(defined)), float(max(defined))] if defined else None


def _reliability(data: np.ndarray, names: list[str]) -> dict:
    """α, ω and item statistics from one covariance matrix of the complete cases (``data``: those only)."""
    n = data.shape[0]
    cov = np.cov(data, rowvar=False).reshape(len(names), len(names)) if n > 1 else np.zeros((len(names),) * 2)  # (one item: 1 × 1)
    return {"alpha": alpha_from_cov(cov, n), "omega": omega_from_cov(cov, n), "item_statistics": items_from_cov(cov, n, names)}


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)
