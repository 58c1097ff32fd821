"""Colours and matplotlib settings: colour-blind-safe palettes, deterministic SVG output.

Palettes: Okabe & Ito (2008) for unordered categories; ColorBrewer PuOr for ordered and
diverging scales (both are safe for the common colour-vision deficiencies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

TEXT = "#222222"
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# ColorBrewer PuOr, orange (disagree / low) → purple (agree / high)
PUOR = {
    2: ["#E66101", "#5E3C99"],
    3: ["#E66101", "#BDBDBD", "#5E3C99"],
    4: ["#E66101", "#FDB863", "#B2ABD2", "#5E3C99"],
    5: ["#E66101", "#FDB863", "#BDBDBD", "#B2ABD2", "#5E3C99"],
    6: ["#B35806", "#F1A340", "#FEE0B6", "#D8DAEB", "#998EC3", "#542788"],
    7: ["#B35806", "#F1A340", "#FEE0B6", "#BDBDBD", "#D8DAEB", "#998EC3", "#542788"],
}
OUTSIDE = ["#DDDDDD", "#BBBBBB"]


def colours_for(n: int, palette: str = "sequential") -> list[str]:
    if n <= 0:
        return []
    if palette == "qualitative" or n > 7 or (palette == "single"):
        return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]
    if palette == "outside":
        return [OUTSIDE[i % len(OUTSIDE)] for i in range(n)]
    if n == 1:
        return [OKABE_ITO[0]]
    return list(PUOR[n])


def pyplot() -> "ModuleType":
    """matplotlib.pyplot with the non-interactive Agg backend, imported when first drawn (a report
    build that finds every drawing in the cache, or draws in worker processes, never loads it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def apply_style() -> None:
    """Settings that make the output look consistent and byte-identical between runs."""
    import matplotlib

    matplotlib.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.edgecolor": "#555555",
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "svg.fonttype": "none",  # text stays text: searchable, accessible, small
            "svg.hashsalt": "afstand",  # fixed ids, so the same input gives the same SVG
            "path.simplify": True,
            "figure.dpi": 100,
        }
    )
