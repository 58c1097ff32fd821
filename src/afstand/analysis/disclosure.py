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
* row-level data problems (which may quote a respondent's value) are reduced to a count.

A hidden value is ``None`` in JSON and is printed "×" (CBS's sign for "geheim").
"""

from __future__ import annotations

import copy

from afstand.study import Study

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
    data = out.get("data", {})
    if "problems" in data:
        data["problems"] = len(data["problems"])
    out["disclosure"] = {
        "published": True,
        "min_group_size": (out.get("comparisons") or {}).get("min_group_size"),
        "masked": {item: sorted(choices) for item, choices in masked.items()},
        "rule": "docs/disclosure-control.md",
    }
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
        comparisons = compare(responses, study.breakdowns(name), [], min_group_size=study.min_group_size)
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
