"""Cell suppression for the groups of a breakdown (a respondent characteristic).

The cells are the groups of one characteristic: the choices of a select_one item, "has the
choice / has not" of a select_multiple item, or the bands of a number item. What is
published about them forms one linear system per characteristic:

    x_1 + x_2 + … + x_k = T      (T = respondents who answered the characteristic)

T is always public: the number of consented respondents and the item's missing count are
printed everywhere. Every shown cell is printed exactly; every hidden cell is printed as
"×" only, with one reason for all hidden cells (so nobody can tell which were small and
which were hidden to protect them), and empty groups are printed as 0.

The rule, solved rather than heuristic (see ``docs/disclosure-control.md``):

1. *Primary suppression*: a cell with 0 < x < ``min_size`` is hidden.
2. *Complementary suppression*: while the hidden cells are fewer than two, or
   ``H − (h − 1) < min_size`` (H = sum of the h hidden cells), the smallest shown non-empty
   cell is hidden as well.
3. If all non-empty cells are hidden and the condition still fails (the characteristic has
   fewer answers than ``min_size`` in total), the empty cells are hidden too, so a hidden
   cell is no longer known to be non-empty.

Why this suffices: an attacker who knows T, every shown cell and that a hidden non-empty
cell is at least 1 can bound each hidden cell only by ``[1, H − (h − 1)]`` (``[0, H]``
after step 3). With h ≥ 2 the bounds are never one value, and the upper bound reaches
``min_size``, so the attacker cannot even tell that a hidden cell is small; every union of
hidden cells short of all of them is bounded the same way, and all of them together sum to
H ≥ ``min_size`` − which is the protection-interval criterion of cell-suppression
(ONS 2006; Hundepool et al. 2012, ch. 4). ``tests/analysis/test_disclosure.py`` checks it
with an LP attacker on generated data.
"""

from __future__ import annotations

from collections.abc import Iterable

HIDDEN = "not shown: fewer than {min_size} respondents, or hidden so that such a group cannot be derived"


def suppress_cells(sizes: dict[str, int], min_size: int, forced: Iterable[str] = ()) -> set[str]:
    """The names of the cells to hide (primary and complementary) for one characteristic.

    ``forced`` cells are hidden whatever their size (a cell hidden in an earlier publication of the
    same wave, or in a linked table: another wave or the pooled table); they are protected by
    complementary cells like a small one, so the shown cells cannot give them back."""
    hidden = {g for g, n in sizes.items() if 0 < n < min_size} | {g for g in forced if g in sizes}
    if not hidden:
        return hidden
    candidates = sorted((n, g) for g, n in sizes.items() if n >= min_size and g not in hidden)

    def protected(cells: set[str], lower: int) -> bool:
        total = sum(sizes[g] for g in cells)
        return len(cells) >= 2 and total - lower * (len(cells) - 1) >= min_size

    while not protected(hidden, 1) and candidates:
        hidden.add(candidates.pop(0)[1])
    if not protected(hidden, 1):
        hidden |= {g for g, n in sizes.items() if n == 0}
    return hidden


def linked_cells(tables: list[dict[str, int]], min_size: int, forced: Iterable[str] = ()) -> set[str]:
    """One set of hidden cells for tables that add up to each other (the waves of one characteristic
    and their pooled table): a cell hidden in any of them is hidden in all, each table gets the
    complementary cells it needs for that set, until nothing changes. Every cell is then either
    shown in every table or hidden in every table, so no table minus the others gives a hidden cell."""
    hidden = set(forced)
    while True:
        grown = set(hidden)
        for sizes in tables:
            grown |= suppress_cells(sizes, min_size, hidden)
        if grown == hidden:
            return hidden
        hidden = grown


def suppress(sizes: dict[str, int], min_size: int, *, unassigned: int = 0, forced: Iterable[str] = ()) -> dict[str, str | None]:
    """For each group: ``None`` if it may be shown, else the one public reason it is hidden.

    ``unassigned`` (respondents without an answer on the characteristic) is public anyway and
    masks nothing; it is accepted for callers that pass it.
    """
    hidden = suppress_cells(sizes, min_size, forced)
    reason = HIDDEN.format(min_size=min_size)
    return {name: (reason if name in hidden else None) for name in sizes}


def shown_groups(reasons: dict[str, str | None]) -> list[str]:
    return [g for g, r in reasons.items() if r is None]
