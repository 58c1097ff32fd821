"""Chart drawing with matplotlib: horizontal bars, stacked, grouped and diverging bars.

Every function takes plain data (labels, percentages) and returns a Figure; it knows
nothing about instruments or studies. Percent labels are given an SVG id
(``label-<row>-<category>``) so tests and tools can read them back from the SVG.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from afstand.figures.style import TEXT, apply_style, colours_for, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABEL_MIN = 2.5  # percent: smaller segments get no label inside the bar (the table under the figure has every number)
WIDTH = 6.69  # inches: at most the text width of an A4 page with 2 cm margins (17 cm), so fonts print at least at their nominal size
MIN_FONT = 8.0  # points: no text in a figure is smaller (at print size)
GREY = ["#9E9E9E", "#C8C8C8", "#DADADA"]  # non-substantive answers (weet niet, n.v.t.) and "geen antwoord"


@dataclass(frozen=True)
class Row:
    key: str  # item name or choice name: used in SVG ids
    label: str
    n: int | None = None


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    grey: bool = False  # non-substantive: drawn in grey


def wrap(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _row_label(row: Row, width: int) -> str:
    """The row's label, wrapped, with its base on the last line when it fits (no-break spaces keep "(n = 226)" whole)."""
    if row.n is None:
        return wrap(row.label, width)
    return wrap(f"{row.label} (n\u00a0=\u00a0{row.n})", width)


def figure_size(
    labels: list[str], *, per_line: float = 0.14, gap: float = 0.11, extra: float = 1.3, width: float = WIDTH
) -> tuple[float, float]:
    """Width and height (inches) of a figure tall enough that every (wrapped, multi-line) row label has room."""
    lines = sum(max(1, label.count("\n") + 1) * per_line + gap for label in labels)
    return width, max(2.4, extra + lines)


BARS_EXTRA = 1.1  # inches for the axis and its label (no legend)


def bars_size(rows: list[Row], width: int = 48) -> tuple[float, float]:
    return figure_size([_row_label(r, width) for r in rows], extra=BARS_EXTRA)


def stacked_size(rows: list[Row], width: int = 46) -> tuple[float, float]:
    return figure_size([_row_label(r, width) for r in rows])


def grouped_size(categories: list[Row], series: int, width: int = 34) -> tuple[float, float]:
    return figure_size([wrap(c.label, width) + "\n" * (series - 1) for c in categories], per_line=0.2)


def _figure(
    labels: list[str], *, per_line: float = 0.14, gap: float = 0.11, extra: float = 1.3, width: float = WIDTH
) -> tuple["Figure", "Axes"]:
    """A figure of :func:`figure_size`."""
    apply_style()
    fig, ax = pyplot().subplots(figsize=figure_size(labels, per_line=per_line, gap=gap, extra=extra, width=width))
    return fig, ax


def _finish(fig: "Figure", ax: "Axes", title: str, xlabel: str, footnote: str, legend: bool) -> "Figure":
    # the title and the footnote are the figure's <figcaption> and source line in the page, not pixels in the image
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.01)
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=3 if len(labels) > 4 else len(labels) or 1,
            frameon=False,
            fontsize=MIN_FONT,
        )
    height = fig.get_figheight()
    rows = -(-len(ax.get_legend_handles_labels()[1]) // (3 if len(ax.get_legend_handles_labels()[1]) > 4 else 5)) if legend else 0
    bottom = 0.3 * rows + (0.05 if legend else 0.0)
    fig.tight_layout(rect=(0, bottom / height, 1, 1))
    return fig


def bars(
    title: str,
    rows: list[Row],
    values: list[float | None],
    *,
    xlabel: str,
    footnote: str = "",
    width: int = 48,
    grey: list[bool] | None = None,
    intervals: list | None = None,
) -> "Figure":
    """One bar per row (choices of one item, or items), percent labels at the bar ends.

    ``grey`` marks non-substantive rows (drawn grey, after a small gap); ``intervals`` (percent
    [low, high] per row, or None) adds whiskers. A value of None is a suppressed cell: "×".
    """
    labels = [_row_label(r, width) for r in rows]
    fig, ax = _figure(labels, extra=BARS_EXTRA)
    grey = grey or [False] * len(rows)
    y, position = [], 0.0
    for i, g in enumerate(grey):  # a gap of half a bar before the first grey row
        if g and (i == 0 or not grey[i - 1]) and i > 0:
            position += 0.5
        y.append(-position)
        position += 1
    colour = colours_for(1)[0]
    clean = [v or 0.0 for v in values]
    ax.barh(y, clean, color=[GREY[0] if g else colour for g in grey], height=0.62)
    for i, (yi, row, value) in enumerate(zip(y, rows, values)):
        end = value or 0
        if intervals and intervals[i]:
            low, high = intervals[i]
            ax.errorbar([value], [yi], xerr=[[value - low], [high - value]], fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2.5)
            end = high
        text = ax.text(end + 1, yi, _pct(value) if value is not None else "×", va="center", fontsize=MIN_FONT + 0.5, color=TEXT)
        text.set_gid(f"label-{row.key}")
    ax.set_yticks(y, labels, fontsize=MIN_FONT + 0.5)
    ax.set_xlim(0, max(100, max(clean, default=0) + 8))
    return _finish(fig, ax, title, xlabel, footnote, legend=False)


def stacked(
    title: str,
    rows: list[Row],
    series: list[Series],
    percent: list[list[float | None]],
    *,
    xlabel: str,
    footnote: str = "",
    palette: str = "sequential",
    width: int = 46,
) -> "Figure":
    """100% stacked bars: one bar per row, one segment per series (category)."""
    labels = [_row_label(r, width) for r in rows]
    fig, ax = _figure(labels)
    y = list(range(len(rows)))[::-1]
    substantive = [s for s in series if not s.grey]
    colour_of = dict(zip([s.key for s in substantive], colours_for(len(substantive), palette)))
    colour_of |= dict(zip([s.key for s in series if s.grey], GREY))
    colours = [colour_of[s.key] for s in series]
    left = [0.0] * len(rows)
    for s_index, (s, colour) in enumerate(zip(series, colours)):
        widths = [(row_values[s_index] or 0.0) for row_values in percent]
        ax.barh(y, widths, left=left, color=colour, label=s.label, height=0.66, edgecolor="white", linewidth=0.6)
        _labels(ax, rows, s, left, widths, y, colour)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(y, labels, fontsize=MIN_FONT + 0.5)
    ax.set_xlim(0, 100)
    return _finish(fig, ax, title, xlabel, footnote, legend=True)


def grouped(
    title: str,
    categories: list[Row],
    series: list[Series],
    percent: list[list[float | None]],
    *,
    xlabel: str,
    footnote: str = "",
    width: int = 34,
    intervals: list | None = None,
) -> "Figure":
    """Grouped bars: for each category one bar per series (e.g. before / now / future)."""
    k = len(series)
    fig, ax = _figure([wrap(c.label, width) + "\n" * (k - 1) for c in categories], per_line=0.2)
    height = 0.8 / k
    colours = colours_for(k, "qualitative")
    base = list(range(len(categories)))[::-1]
    for s_index, (s, colour) in enumerate(zip(series, colours)):
        y = [b + 0.4 - height * (s_index + 0.5) for b in base]
        values = [percent[s_index][c] or 0.0 for c in range(len(categories))]
        ax.barh(y, values, height=height * 0.92, color=colour, label=s.label)
        for c_index, (yi, cat, v) in enumerate(zip(y, categories, values)):
            end = v
            if intervals and intervals[s_index][c_index]:
                low, high = intervals[s_index][c_index]
                ax.errorbar([v], [yi], xerr=[[v - low], [high - v]], fmt="none", ecolor="#333333", elinewidth=0.7, capsize=2)
                end = high
            text = ax.text(end + 0.8, yi, _pct(v), va="center", fontsize=MIN_FONT, color=TEXT)
            text.set_gid(f"label-{s.key}-{cat.key}")
    ax.set_yticks(base, [wrap(c.label, width) for c in categories], fontsize=MIN_FONT + 0.5)
    ax.set_xlim(0, 100)
    return _finish(fig, ax, title, xlabel, footnote, legend=True)


def diverging(
    title: str,
    rows: list[Row],
    negative: list[Series],
    neutral: Series | None,
    positive: list[Series],
    outside: list[Series],
    percent: dict[str, list[float | None]],
    *,
    xlabel: str,
    footnote: str = "",
    width: int = 46,
) -> "Figure":
    """Diverging stacked bars centred on the neutral category; "don't know" set apart on the right."""
    labels = [_row_label(r, width) for r in rows]
    fig, ax = _figure(labels)
    y = list(range(len(rows)))[::-1]
    order = [*negative, *([neutral] if neutral else []), *positive]
    colours = dict(zip([s.key for s in order], colours_for(len(order), "diverging")))
    for s, colour in zip(outside, colours_for(len(outside), "outside")):
        colours[s.key] = colour

    def vals(key):
        return [v or 0.0 for v in percent[key]]

    half_neutral = [v / 2 for v in vals(neutral.key)] if neutral else [0.0] * len(rows)
    # to the left of zero: half the neutral share, then the negative categories outwards
    start = [-h for h in half_neutral]
    for s in negative[::-1]:
        w = vals(s.key)
        start = [a - b for a, b in zip(start, w)]
    left = start
    for s in order:
        w = vals(s.key)
        ax.barh(y, w, left=left, color=colours[s.key], label=s.label, height=0.66, edgecolor="white", linewidth=0.6)
        _labels(ax, rows, s, left, w, y, colours[s.key])
        left = [a + b for a, b in zip(left, w)]
    right_edge = max((a for a in left), default=0) + 6
    offset = [max(right_edge, 60)] * len(rows)
    for s in outside:
        w = vals(s.key)
        ax.barh(y, w, left=offset, color=colours[s.key], label=s.label, height=0.66, edgecolor="white", linewidth=0.6, hatch="//")
        _labels(ax, rows, s, offset, w, y, colours[s.key])
        offset = [a + b for a, b in zip(offset, w)]
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, labels, fontsize=MIN_FONT + 0.5)
    lowest = min(start, default=0)
    ax.set_xlim(min(-60, lowest - 5), max(60, max(offset, default=0) + 5))
    ticks = [t for t in range(-100, 101, 20) if min(-60, lowest - 5) <= t <= max(60, max(offset, default=0) + 5)]
    ax.set_xticks(ticks, [str(abs(t)) for t in ticks])
    return _finish(fig, ax, title, xlabel, footnote, legend=True)


def _labels(ax, rows, series, left, widths, y, colour) -> None:
    """Percent inside each segment (a plain number: the axis says %)."""
    for yi, row, start, w in zip(y, rows, left, widths):
        if w >= LABEL_MIN:
            text = ax.text(start + w / 2, yi, _number(w), ha="center", va="center", fontsize=MIN_FONT, color=_ink(colour))
            text.set_gid(f"label-{row.key}-{series.key}")


def _number(value: float | None) -> str:
    from afstand.analysis.frequencies import round_half_up

    return "–" if value is None else str(int(round_half_up(value)))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{_number(value)}%"


def _ink(colour: str) -> str:
    """Black or white text, whichever contrasts more with the bar colour (WCAG luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
