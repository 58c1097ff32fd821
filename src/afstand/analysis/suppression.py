"""Small-group suppression for breakdowns by respondent characteristics.

Rule (ONS / UK LLC convention, threshold set per study in ``study.toml``): a group with
fewer respondents than ``min_size`` is never shown. When that hides exactly one group and
the respondents outside every group (no answer on the characteristic) are too few to
mask it, the smallest remaining group is hidden as well (complementary suppression), so
that the hidden group cannot be derived by subtracting the shown groups from the total.
"""

from __future__ import annotations

PRIMARY = "fewer than {min_size} respondents"
EMPTY = "no respondents"
COMPLEMENTARY = "hidden so that a suppressed group cannot be derived from the total"


def suppress(sizes: dict[str, int], min_size: int, *, unassigned: int = 0) -> dict[str, str | None]:
    """For each group: ``None`` if it may be shown, else the reason it is hidden."""
    reasons: dict[str, str | None] = {
        name: (EMPTY if n == 0 else PRIMARY.format(min_size=min_size) if n < min_size else None) for name, n in sizes.items()
    }
    hidden = [g for g, r in reasons.items() if r and r != EMPTY]  # an empty group discloses nothing
    shown = sorted((n, g) for g, n in sizes.items() if not reasons[g])
    if len(hidden) == 1 and unassigned < min_size and shown:
        reasons[shown[0][1]] = COMPLEMENTARY
    return reasons


def shown_groups(reasons: dict[str, str | None]) -> list[str]:
    return [g for g, r in reasons.items() if r is None]
