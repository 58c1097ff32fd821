"""Group comparisons by respondent characteristics, with small-group suppression.

Breakdowns (organisation, gender, role, experience band, …) are declared in the study's
``study.toml``. For every outcome item:

* ordinal items (every answer except "weet niet"-type choices has a score):
  two groups → Mann–Whitney U (normal approximation with tie and continuity correction)
  with the rank-biserial correlation r; more groups → Kruskal–Wallis H with
  ε² = H / (n − 1); both computed from counts (:mod:`afstand.analysis.ranktests`);
* nominal items → χ² test of independence (as scipy's ``chi2_contingency``, Yates' correction on
  2×2 tables as scipy applies it) with Cramér's V.

p-values are corrected over all tests of one instrument with Holm's method
(:func:`afstand.analysis.distributions.holm`, as statsmodels' ``multipletests``). Groups under the study's minimum size are hidden
(:mod:`afstand.analysis.suppression`) and left out of the tests.
"""

from __future__ import annotations

import fnmatch
import math

import numpy as np

from afstand.analysis.distributions import chi2_contingency, holm
from afstand.analysis.ranktests import kruskal_wallis, mann_whitney
from afstand.analysis.suppression import shown_groups, suppress
from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet
from afstand.study import Breakdown


def group_codes(responses: ResponseSet, breakdown: Breakdown) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """Per respondent the index of their group (−1 = no group), group names and labels."""
    item = responses.instrument.items.get(breakdown.item)
    if item is None:
        raise KeyError(f"breakdown {breakdown.name!r}: item {breakdown.item!r} is not in the instrument")
    n = responses.n_consented
    if breakdown.contains:
        column = responses.multi[item.name]
        index = item.choice_list.names.index(breakdown.contains)
        codes = np.where(column.matrix[:, index], 0, np.where(column.answered, 1, -1))
        choice = item.choice_list.get(breakdown.contains)
        return codes, [breakdown.contains, "overig"], {breakdown.contains: choice.label(), "overig": "Overig"}
    if breakdown.bands:
        values = responses.numbers[item.name]
        edges = list(breakdown.bands)
        codes = np.full(n, -1)
        names, labels = [], {}
        for i, low in enumerate(edges):
            high = edges[i + 1] if i + 1 < len(edges) else math.inf
            name = f"{low:g}-{high:g}" if high != math.inf else f"{low:g}+"
            names.append(name)
            labels[name] = f"{low:g} tot {high:g}" if high != math.inf else f"{low:g} of meer"
            codes[(values >= low) & (values < high)] = i
        return codes, names, labels
    if item.kind != "select_one":
        raise KeyError(f"breakdown {breakdown.name!r}: item {item.name!r} needs 'contains' or 'bands'")
    names = list(item.choice_list.names)
    return responses.single[item.name].astype(int), names, {c.name: c.label() for c in item.choice_list.choices}


def is_ordinal(item: Item) -> bool:
    scored = [c for c in item.choice_list.choices if c.score is not None]
    return len(scored) >= 3


def outcome_items(responses: ResponseSet, patterns: list[str]) -> list[Item]:
    out = []
    for item in responses.instrument.items.values():
        if item.kind == "select_one" and item.name != responses.instrument.consent_item:
            if any(fnmatch.fnmatchcase(item.name, p) for p in patterns) and item.name not in responses.not_asked:
                out.append(item)
    return out


def compare(responses: ResponseSet, breakdowns: list[Breakdown], patterns: list[str], *, min_group_size: int) -> dict:
    result = {"min_group_size": min_group_size, "correction": "holm", "breakdowns": {}, "tests": []}
    items = outcome_items(responses, patterns)
    for breakdown in breakdowns:
        if breakdown.item in responses.not_asked:
            continue
        codes, names, labels = group_codes(responses, breakdown)
        tally = np.bincount(codes + 1, minlength=len(names) + 1)  # [0] = no group
        sizes = {name: int(tally[i + 1]) for i, name in enumerate(names)}
        unassigned = int(tally[0])
        reasons = suppress(sizes, min_group_size, unassigned=unassigned)
        shown = shown_groups(reasons)
        result["breakdowns"][breakdown.name] = {
            "item": breakdown.item,
            "groups": [{"name": g, "label": labels[g], "n": sizes[g]} for g in shown],
            "suppressed": [{"name": g, "label": labels[g], "reason": r} for g, r in reasons.items() if r],
            "no_group": unassigned if unassigned >= min_group_size or unassigned == 0 else None,
        }
        if len(shown) < 2:
            continue
        index = {g: names.index(g) for g in shown}
        groups = _Groups(_positions(codes, index), len(index))  # position among the shown groups, −1 = none
        index = {g: i for i, g in enumerate(index)}
        for item in items:
            if item.name == breakdown.item:
                continue
            test = _ordinal_test if is_ordinal(item) else _nominal_test
            entry = test(responses, item, groups, index)
            if entry is not None:
                result["tests"].append({"breakdown": breakdown.name, "item": item.name, **entry})
    p_values = [t["p"] for t in result["tests"]]
    if p_values:
        finite = [i for i, p in enumerate(p_values) if p is not None and np.isfinite(p)]
        if finite:
            corrected = holm([p_values[i] for i in finite])
            for i, p in zip(finite, corrected):
                result["tests"][i]["p_holm"] = float(p)
    return result


def _ordinal_test(responses: ResponseSet, item: Item, groups, index: dict[str, int]) -> dict | None:
    groups = groups if isinstance(groups, _Groups) else _Groups(groups, len(index))
    choices = item.choice_list.choices
    levels = sorted({c.score for c in choices if c.score is not None})
    level_of = [levels.index(c.score) if c.score is not None else -1 for c in choices] + [-1]  # last: no answer
    table = groups.crosstab(responses.single[item.name], level_of, len(levels))
    if (table.sum(axis=1) == 0).any() or (table.sum(axis=0) > 0).sum() < 2:
        return None
    values = np.array(levels, dtype=float)
    by_group = {g: _group_summary(row, values) for g, row in zip(index, table)}
    n = int(table.sum())
    if len(index) == 2:
        u1, p = mann_whitney(table)
        r = 2 * u1 / (table[0].sum() * table[1].sum()) - 1  # rank-biserial: > 0 when the first group scores higher
        return {"test": "mann-whitney", "statistic": float(u1), "df": None, "p": p,
                "effect": {"name": "rank_biserial_r", "value": float(r)}, "n": n, "by_group": by_group}
    h, p, df = kruskal_wallis(table)
    return {"test": "kruskal-wallis", "statistic": h, "df": df, "p": p,
            "effect": {"name": "epsilon_squared", "value": h / (n - 1)}, "n": n, "by_group": by_group}


def _positions(codes: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Group codes → position among the shown groups (−1 for hidden groups and no group)."""
    position = np.full(max(int(codes.max(initial=-1)), max(index.values())) + 2, -1)  # last entry: no group
    position[list(index.values())] = np.arange(len(index))
    return position[np.where(codes >= 0, codes, -1)]


class _Groups:
    """The respondents' group positions of one breakdown, for cross-tables with many items.

    A cross-table is one ``bincount`` of ``(group + 1) · (m + 1) + (category + 1)``; the first
    term is made once per breakdown and table width, the second with one look-up per item,
    so each table costs three passes over the respondents.
    """

    def __init__(self, positions: np.ndarray, n_groups: int) -> None:
        self.positions = positions
        self.n_groups = n_groups
        self._base: dict[int, np.ndarray] = {}

    def crosstab(self, codes: np.ndarray, category_of: list[int] | None, m: int) -> np.ndarray:
        """Counts of shown groups × categories (answers −1 and category −1 are left out).

        ``category_of`` maps each answer code to its category, with one more entry for a
        missing answer; ``None``: the codes are the categories.
        """
        base = self._base.get(m)
        if base is None:
            base = self._base[m] = (self.positions.astype(np.intp, copy=False) + 1) * (m + 1)
        lookup = np.arange(m + 1, dtype=np.intp) if category_of is None else np.array(category_of, dtype=np.intp) + 1
        if category_of is None:
            lookup = np.roll(lookup, -1)  # code c → c + 1; code −1 (the last entry) → 0
        flat = np.bincount(base + lookup[codes], minlength=(self.n_groups + 1) * (m + 1))
        return flat.reshape(self.n_groups + 1, m + 1)[1:, 1:]  # row/column 0: no group / no answer


def _group_summary(counts: np.ndarray, values: np.ndarray) -> dict:
    n = int(counts.sum())
    cumulative = np.cumsum(counts)
    lower = values[np.searchsorted(cumulative, (n + 1) // 2)]  # median of the scores
    upper = values[np.searchsorted(cumulative, n // 2 + 1)]
    return {"n": n, "mean": float(counts @ values / n), "median": float((lower + upper) / 2)}


def _nominal_test(responses: ResponseSet, item: Item, groups, index: dict[str, int]) -> dict | None:
    groups = groups if isinstance(groups, _Groups) else _Groups(groups, len(index))
    table = groups.crosstab(responses.single[item.name], None, len(item.choice_list.choices))
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return None
    res = chi2_contingency(table)
    n = int(table.sum())
    v = math.sqrt(res.statistic / (n * (min(table.shape) - 1)))
    low_expected = float((res.expected_freq < 5).mean())
    by_group = {g: {"n": int(row.sum())} for g, row in zip(index, table)}
    return {"test": "chi-square", "statistic": float(res.statistic), "df": int(res.dof), "p": float(res.pvalue),
            "effect": {"name": "cramers_v", "value": v}, "n": n, "by_group": by_group,
            "expected_below_5": low_expected}
