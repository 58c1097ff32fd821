"""One disclosure-control pass over everything that is published from an analysis result.

``analyze()`` is the research team's working result: it holds every count (the reference
checks need them). What leaves the team — the report (HTML, PDF, DOCX), its figures, the
factsheet and the published ``cijfers.json`` — is made from :func:`publish`'s result only,
so one decision about which cells are hidden holds in all of them:

* the groups of every breakdown are suppressed by :func:`afstand.analysis.suppression.suppress_cells`
  (primary + solved complementary suppression) inside :func:`afstand.analysis.compare.compare`;
* here the same hidden cells are masked wherever else they appear: the counts, percentages
  and intervals of the characteristic item itself (the breakdown's margins), and any
  collapsed (Likert) view of that item;
* group results carry n and medians only (no means), so overall totals minus the shown
  groups give nothing about a hidden group but the sum of its size with the respondents
  without a group, which is public anyway;
* row-level data problems (which may quote a respondent's value) are reduced to a count;
* a number item cut into bands with a hidden band publishes no individual value in a hidden band:
  no outlier in one (nor their count) and no min or max in one (``None``);
* the group comparisons in JSON are rounded to the precision the report prints (:func:`for_json`);
* groups held by the publication ledger (``Study.ledger``) stay hidden and the output says so.

A hidden value is ``None`` in JSON and is printed "×" (CBS's sign for "geheim").
"""

from __future__ import annotations

import copy
import math

from afstand.study import Breakdown, Study

MASK = "×"


def hidden_choices(result: dict, study: Study | None, name: str) -> dict[str, set[str]]:
    """item → the choices whose counts must not be published (from the breakdowns' suppression)."""
    comparisons = result.get("comparisons") or {}
    if study is None or not comparisons:
        return {}
    out: dict[str, set[str]] = {}
    for breakdown in study.breakdowns(name):
        entry = comparisons.get("breakdowns", {}).get(breakdown.name)
        if not entry or breakdown.bands:
            continue  # bands of a number item have no published counts of their own
        hidden = {g["name"] for g in entry["suppressed"]}
        if breakdown.contains:
            hidden = {breakdown.contains} if breakdown.contains in hidden else set()
        if hidden:
            out.setdefault(breakdown.item, set()).update(hidden)
    return out


def publish(result: dict, study: Study | None, name: str) -> dict:
    """A deep copy of ``result`` with every suppressed cell masked (see the module docstring)."""
    out = copy.deepcopy(result)
    masked = hidden_choices(result, study, name)
    for item, choices in masked.items():
        entry = out["items"].get(item)
        if entry is None:
            continue
        for choice in choices:
            for key in ("counts", "percent", "ci"):
                if key in entry and choice in entry[key]:
                    entry[key][choice] = None
        entry["suppressed"] = sorted(choices)
        out.get("likert", {}).pop(item, None)  # a collapsed view would add hidden cells up again
    for test in (out.get("comparisons") or {}).get("tests", []):
        for group in test.get("by_group", {}).values():
            group.pop("mean", None)
    for breakdown, hidden in hidden_bands(result, study, name):
        _withhold_in_bands(out["items"].get(breakdown.item), breakdown, hidden)
    data = out.get("data", {})
    if "problems" in data:
        data["problems"] = len(data["problems"])
    out["disclosure"] = {
        "published": True,
        "min_group_size": (out.get("comparisons") or {}).get("min_group_size"),
        "masked": {item: sorted(choices) for item, choices in masked.items()},
        "rule": "docs/disclosure-control.md",
    }
    held = sorted(b for b, cells in (study.held_cells(name) if study is not None else {}).items() if cells)
    if held:  # only then: an output without a ledger entry stays byte-identical
        out["disclosure"]["held"] = held
    return out


def hidden_bands(result: dict, study: Study | None, name: str) -> list[tuple[Breakdown, set[str]]]:
    """(bands breakdown, its hidden bands) for every bands breakdown of ``name`` that hides a band."""
    breakdowns = (result.get("comparisons") or {}).get("breakdowns", {})
    out = []
    for breakdown in study.breakdowns(name) if study is not None else []:
        entry = breakdowns.get(breakdown.name)
        if breakdown.bands and entry and entry["suppressed"]:
            out.append((breakdown, {g["name"] for g in entry["suppressed"]}))
    return out


def band_name(value: float, edges: tuple[float, ...]) -> str | None:
    """The group name ``compare.group_codes`` gives ``value`` in a bands breakdown (None: below the first edge)."""
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else math.inf
        if low <= value < high:
            return f"{low:g}-{high:g}" if high != math.inf else f"{low:g}+"
    return None


def _withhold_in_bands(entry: dict | None, breakdown: Breakdown, hidden: set[str]) -> None:
    """No individual value of a hidden band: an outlier list names persons in a band (and, as every value
    beyond the fence is listed, can count a band exactly); a min or max in a hidden band is one person."""
    if entry is None or entry.get("type") != "number":
        return
    for key in ("min", "max"):
        if entry.get(key) is not None and band_name(entry[key], breakdown.bands) in hidden:
            entry[key] = None
    flagged = entry.get("outliers")
    if flagged:  # the values outside hidden bands stay; how many were left out is not said
        flagged["values"] = [v for v in flagged["values"] if band_name(v, breakdown.bands) not in hidden]
        flagged["withheld"] = "values in a hidden band are not shown"


TEST_DIGITS = {"statistic": 1, "effect": 2}  # as the report prints them (tables.py): U/H/χ² to 1 decimal, r/ε²/V to 2


def for_json(results: dict) -> dict:
    """The published results as ``cijfers.json`` gets them: each group comparison's statistic and effect
    (with its bootstrap interval) rounded to the precision the report prints. At full precision the
    statistic with the group sizes, medians and the seeded bootstrap interval narrows the group ×
    answer table down to one candidate (docs/disclosure-control.md, "Group comparisons")."""
    out = copy.deepcopy(results)
    for result in out.values():
        for test in (result.get("comparisons") or {}).get("tests", []):
            if isinstance(test.get("statistic"), float) and math.isfinite(test["statistic"]):
                test["statistic"] = round(test["statistic"], TEST_DIGITS["statistic"])
            for key in ("p", "p_holm"):  # at full precision p gives the statistic back
                if isinstance(test.get(key), float) and math.isfinite(test[key]):
                    test[key] = round(test[key], 3) if test[key] >= 0.001 else float(f"{test[key]:.1g}")
            effect = test.get("effect") or {}
            if isinstance(effect.get("value"), float) and math.isfinite(effect["value"]):
                effect["value"] = round(effect["value"], TEST_DIGITS["effect"])
            if effect.get("ci"):
                effect["ci"] = [round(v, TEST_DIGITS["effect"]) if isinstance(v, float) and math.isfinite(v) else v for v in effect["ci"]]
    return out


def is_masked(entry: dict, choice: str) -> bool:
    return choice in entry.get("suppressed", ())


def publish_trend(result: dict, waves: dict, study: Study | None, name: str) -> dict:
    """A deep copy of a :func:`afstand.analysis.trend.trend` result with, per wave, the cells that
    :func:`publish` would mask in that wave's own result masked too (same rule, decided per wave on
    that wave's responses), their changes between waves dropped, and no collapsed view of a masked item.

    ``waves`` maps each wave label to its :class:`~afstand.responses.dataset.ResponseSet`.
    """
    from afstand.analysis.compare import compare

    out = copy.deepcopy(result)
    if study is None or name not in study.instrument_names:
        return out
    masked_items: set[str] = set()
    for label, responses in waves.items():
        held = study.held_cells(name, label)  # the ledger of that wave, or the web's linked cells
        comparisons = compare(responses, study.breakdowns(name), [], min_group_size=study.min_group_size, forced=held)
        for item, choices in hidden_choices({"comparisons": comparisons}, study, name).items():
            entry = out["items"].get(item)
            if entry is None or label not in entry.get("waves", {}):
                continue
            masked_items.add(item)
            wave = entry["waves"][label]
            for choice in choices:
                for key in ("counts", "percent", "ci"):
                    if key in wave and choice in wave[key]:
                        wave[key][choice] = None
            wave["suppressed"] = sorted(choices)
    for item in masked_items:  # a change of a masked cell, or of any cell next to it, would give it back
        entry = out["items"][item]
        entry["change"] = {}
        for pair in entry.get("pairs", []):
            pair["change"] = {}
        out.get("likert", {}).pop(item, None)
    return out


def linked_ledger(study: Study, name: str, waves: dict, *, pooled: str) -> dict:
    """``study.ledger`` with, for ``name`` in every wave of ``waves`` (label → ResponseSet) and in the
    ``pooled`` view of all of them, one set of hidden groups per breakdown: the groups hidden in any of
    these tables (or held by the ledger in any wave), with the complementary groups each table needs
    (:func:`afstand.analysis.suppression.linked_cells`). The pooled table is the sum of the waves' tables,
    so a group shown in some tables and hidden in others would come back by subtraction."""
    import numpy as np

    from afstand.analysis.compare import group_codes
    from afstand.analysis.suppression import linked_cells

    linked: dict[str, frozenset[str]] = {}
    for breakdown in study.breakdowns(name):
        tables = []
        for responses in waves.values():
            if breakdown.item in responses.not_asked:
                continue
            codes, names, _labels = group_codes(responses, breakdown)
            tally = np.bincount(codes + 1, minlength=len(names) + 1)
            tables.append({g: int(tally[i + 1]) for i, g in enumerate(names)})
        if tables:
            tables.append({g: sum(t[g] for t in tables) for g in tables[0]})
        held = set().union(*(study.held_cells(name, label).get(breakdown.name, ()) for label in waves))
        linked[breakdown.name] = frozenset(linked_cells(tables, study.min_group_size, held))
    out = {w: {i: dict(bs) for i, bs in insts.items()} for w, insts in study.ledger.items()}
    for label in [*waves, pooled]:
        out.setdefault(label, {})[name] = {b: cells for b, cells in linked.items() if cells}
    return out
