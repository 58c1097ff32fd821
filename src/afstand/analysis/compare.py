"""Group comparisons by respondent characteristics, with small-group suppression.

Breakdowns (organisation, gender, role, experience band, …) are declared in the study's
``study.toml``. For every outcome item:

* ordinal items (every answer except "weet niet"-type choices has a score):
  two groups → Mann–Whitney U (scipy) with the rank-biserial correlation r;
  more groups → Kruskal–Wallis H with ε² = H / (n − 1);
* nominal items → χ² test of independence (scipy ``chi2_contingency``, Yates' correction on
  2×2 tables as scipy applies it) with Cramér's V.

p-values are corrected over all tests of one instrument with Holm's method
(statsmodels ``multipletests``). Groups under the study's minimum size are hidden
(:mod:`afstand.analysis.suppression`) and left out of the tests.
"""

from __future__ import annotations

import fnmatch
import math

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

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
        codes = np.where(column.answered, 1, -1)
        codes[column.rows[column.codes == index]] = 0
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
        sizes = {name: int((codes == i).sum()) for i, name in enumerate(names)}
        unassigned = int((codes < 0).sum())
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
        for item in items:
            if item.name == breakdown.item:
                continue
            test = _ordinal_test if is_ordinal(item) else _nominal_test
            entry = test(responses, item, codes, index)
            if entry is not None:
                result["tests"].append({"breakdown": breakdown.name, "item": item.name, **entry})
    p_values = [t["p"] for t in result["tests"]]
    if p_values:
        finite = [i for i, p in enumerate(p_values) if p is not None and np.isfinite(p)]
        if finite:
            corrected = multipletests([p_values[i] for i in finite], method="holm")[1]
            for i, p in zip(finite, corrected):
                result["tests"][i]["p_holm"] = float(p)
    return result


def _ordinal_test(responses: ResponseSet, item: Item, codes: np.ndarray, index: dict[str, int]) -> dict | None:
    scores = responses.scores(item.name)
    samples = {g: scores[(codes == i) & ~np.isnan(scores)] for g, i in index.items()}
    if any(len(s) == 0 for s in samples.values()):
        return None
    by_group = {g: {"n": int(len(s)), "mean": float(s.mean()), "median": float(np.median(s))} for g, s in samples.items()}
    groups = list(samples)
    n = sum(len(s) for s in samples.values())
    if len(groups) == 2:
        a, b = samples[groups[0]], samples[groups[1]]
        res = stats.mannwhitneyu(a, b, alternative="two-sided")
        r = 2 * res.statistic / (len(a) * len(b)) - 1  # rank-biserial: > 0 when the first group scores higher
        return {"test": "mann-whitney", "statistic": float(res.statistic), "df": None, "p": float(res.pvalue),
                "effect": {"name": "rank_biserial_r", "value": float(r)}, "n": n, "by_group": by_group}
    if len({v for s in samples.values() for v in s}) < 2:
        return None
    res = stats.kruskal(*samples.values())
    return {"test": "kruskal-wallis", "statistic": float(res.statistic), "df": len(groups) - 1, "p": float(res.pvalue),
            "effect": {"name": "epsilon_squared", "value": float(res.statistic / (n - 1))}, "n": n, "by_group": by_group}


def _nominal_test(responses: ResponseSet, item: Item, codes: np.ndarray, index: dict[str, int]) -> dict | None:
    answers = responses.single[item.name]
    k = len(item.choice_list.choices)
    table = np.array([np.bincount(answers[(codes == i) & (answers >= 0)], minlength=k) for i in index.values()])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return None
    res = stats.chi2_contingency(table)
    n = int(table.sum())
    v = math.sqrt(res.statistic / (n * (min(table.shape) - 1)))
    low_expected = float((res.expected_freq < 5).mean())
    by_group = {g: {"n": int(row.sum())} for g, row in zip(index, table)}
    return {"test": "chi-square", "statistic": float(res.statistic), "df": int(res.dof), "p": float(res.pvalue),
            "effect": {"name": "cramers_v", "value": v}, "n": n, "by_group": by_group,
            "expected_below_5": low_expected}
