"""Per-item descriptive statistics.

The report's convention (4.1.2, ch. 5): percentages are ``100 × count / base`` where the
base is every respondent who consented, so respondents who skipped a question ("user
missings") stay in the base and a figure's bars may not add up to 100. The option
``base="valid"`` uses the respondents who answered the item instead.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from afstand.analysis.intervals import wilson_percent
from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet

Base = Literal["consented", "valid"]


def select_one(responses: ResponseSet, item: Item, base: Base = "consented") -> dict:
    names = item.choice_list.names
    counts = responses.choice_counts(item)  # [0] = missing or not asked
    not_asked = responses.n_not_asked(item.name)
    return _not_asked(
        _frequency("select_one", names, counts[1:], responses.n_asked(item.name), int(counts[0]) - not_asked, base), not_asked
    )


def select_multiple(responses: ResponseSet, item: Item, base: Base = "consented") -> dict:
    column = responses.multi[item.name]
    n = responses.n_asked(item.name)
    missing = int(n - column.answered.sum())
    entry = _frequency("select_multiple", item.choice_list.names, column.counts(), n, missing, base)
    return _not_asked(entry, responses.n_consented - n)


def _not_asked(entry: dict, count: int) -> dict:
    """Respondents whose instrument version did not hold the item: outside the base, not missing."""
    if count:
        entry["not_asked"] = int(count)
    return entry


def _frequency(kind: str, names, counts: np.ndarray, n: int, missing: int, base: Base) -> dict:
    denominator = n if base == "consented" else n - missing
    counts_d = {name: int(c) for name, c in zip(names, counts)}
    percent = {name: (100.0 * c / denominator if denominator else None) for name, c in counts_d.items()}
    ci = {name: wilson_percent(c, int(denominator)) for name, c in counts_d.items()}  # 95% Wilson, in percent
    return {"type": kind, "base": int(denominator), "missing": missing, "counts": counts_d, "percent": percent, "ci": ci}


def number(values: np.ndarray, *, outlier_k: float = 3.0, exclude_outliers: bool = False) -> dict:
    """n, mean, median, sd (n-1), min, max; values beyond Tukey's fences are flagged.

    Fences: Q1 − k·IQR and Q3 + k·IQR (k = 3: Tukey's "far out"). With
    ``exclude_outliers`` the statistics are computed without the flagged values, which
    are still listed.
    """
    present = values[~np.isnan(values)]
    missing = int(len(values) - len(present))
    flagged = outliers(present, outlier_k)
    used = present[~flagged] if exclude_outliers else present
    out = {"type": "number", **_describe(used), "missing": missing}
    out["outliers"] = {
        "rule": f"Tukey fences, k={outlier_k:g}",
        "values": sorted(float(v) for v in present[flagged]),
        "excluded": bool(exclude_outliers),
    }
    return out


def outliers(values: np.ndarray, k: float) -> np.ndarray:
    if len(values) < 4:
        return np.zeros(len(values), dtype=bool)
    q1, q3 = np.percentile(values, [25, 75])
    iqr = q3 - q1
    return (values < q1 - k * iqr) | (values > q3 + k * iqr)


def _describe(values: np.ndarray) -> dict:
    n = int(len(values))
    if n == 0:
        return {"n": 0, "mean": None, "median": None, "sd": None, "min": None, "max": None}
    return {
        "n": n,
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "sd": float(values.std(ddof=1)) if n > 1 else None,
        "min": float(values.min()),
        "max": float(values.max()),
    }


def text(responses: ResponseSet, item: Item) -> dict:
    answered = int(responses.texts[item.name].present.sum())
    n = responses.n_asked(item.name)
    return _not_asked({"type": "text", "answered": answered, "missing": n - answered}, responses.n_consented - n)


def round_half_up(value: float, digits: int = 0) -> float:
    """Round as the report does (0.5 → 1), not Python's banker's rounding."""
    factor = 10**digits
    return math.floor(value * factor + 0.5 + 1e-9) / factor
