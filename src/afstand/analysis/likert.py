"""Collapse Likert items to the categories the figures show.

Which choices fall together is set in the XLSForm's ``collapse`` column (for example
``helemaal_oneens`` and ``oneens`` → ``oneens``); nothing about it is written here.
"""

from __future__ import annotations

from afstand.instrument.model import Item
from afstand.responses.dataset import ResponseSet


def collapsible(item: Item) -> bool:
    return item.kind == "select_one" and bool(item.choice_list.collapsed())


def collapse(responses: ResponseSet, item: Item, base: str = "consented") -> dict:
    """Counts and percentages per collapsed category (base as in frequencies)."""
    categories = item.choice_list.collapsed()
    tally = responses.choice_counts(item)  # [0] = missing
    counts = {c: 0 for c in categories}
    for choice, count in zip(item.choice_list.choices, tally[1:]):
        if choice.collapse:
            counts[choice.collapse] += int(count)
    n = responses.n_asked(item.name)  # respondents whose version held the item
    missing = int(tally[0]) - (responses.n_consented - n)
    denominator = n if base == "consented" else n - missing
    out = {
        "categories": list(categories),
        "labels": {c: item.choice_list.collapsed_label(c) for c in categories},
        "base": denominator,
        "missing": missing,
        "counts": counts,
        "percent": {c: (100.0 * v / denominator if denominator else None) for c, v in counts.items()},
    }
    if n < responses.n_consented:
        out["not_asked"] = responses.n_consented - n
    return out
