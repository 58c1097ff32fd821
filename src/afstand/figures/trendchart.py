"""The trend figure: percentages per wave with interval bars, and a marker where the item changed.

:func:`trend_chart` draws plain data (matplotlib); :func:`trend_figure` turns one entry of
``afstand trend``'s result (an item or a collapsed Likert item) into a
:class:`~afstand.figures.build.FigureData` with its accessible table. Between two waves whose
question changed, the line is broken and a dashed marker says so: a change there is not a
trend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from afstand.figures.build import FigureData
from afstand.figures.charts import WIDTH, Series, wrap
from afstand.figures.style import TEXT, apply_style, colours_for, pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHANGED = "vraag gewijzigd"
SIZE = (WIDTH, 3.6)  # inches: the text width, so no text prints under its nominal size


def trend_chart(
    title: str,
    waves: list[str],
    series: list[Series],
    percent: list[list[float | None]],
    low: list[list[float | None]],
    high: list[list[float | None]],
    breaks: list[int],
    *,
    ylabel: str,
    footnote: str = "",
) -> Figure:
    """One line per series over the waves; ``breaks`` are wave indices i where the item changed
    between wave i−1 and i (the line is not drawn across them). An empty ``title`` or ``footnote``
    is not drawn (the report prints them as the figure's caption and source line)."""
    apply_style()
    fig, ax = pyplot().subplots(figsize=SIZE)
    x = list(range(len(waves)))
    colours = colours_for(len(series), "qualitative")
    top = 0.0
    for s_index, (s, colour) in enumerate(zip(series, colours)):
        values = percent[s_index]
        segments = _segments(len(waves), breaks)
        for start, end in segments:
            xs = [i for i in range(start, end) if values[i] is not None]
            ax.plot(
                xs,
                [values[i] for i in xs],
                color=colour,
                linewidth=1.8,
                marker="o",
                markersize=5,
                label=s.label if start == segments[0][0] else None,
            )
        for i, value in enumerate(values):
            if value is None:
                continue
            lo, hi = low[s_index][i], high[s_index][i]
            if lo is not None and hi is not None:
                ax.errorbar([i], [value], yerr=[[value - lo], [hi - value]], color=colour, capsize=4, linewidth=1.1)
                top = max(top, hi)
            text = ax.annotate(_pct(value), (i, value), xytext=(7, 3), textcoords="offset points", fontsize=8, color=TEXT)
            text.set_gid(f"label-{s.key}-{waves[i]}")
    for b in breaks:
        ax.axvline(b - 0.5, color="#555555", linestyle="--", linewidth=1)
        marker = ax.text(b - 0.5, 1.0, CHANGED, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, color="#555555")
        marker.set_gid(f"changed-{waves[b]}")
    ax.set_xticks(x, waves)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.set_ylim(0, min(100, max(10.0, top * 1.15)))
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(wrap(title, 70), x=0.01, ha="left", fontsize=11, fontweight="bold", color=TEXT)
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            loc="lower center", bbox_to_anchor=(0.5, 0.06 if footnote else 0.0), ncol=min(4, len(series)), frameon=False, fontsize=8.5
        )
    if footnote:
        fig.text(0.01, 0.005, wrap(footnote, 110), fontsize=8, color="#555555", va="bottom")
    fig.tight_layout(rect=(0, (0.5 if footnote else 0.0) / SIZE[1] + 0.07, 1, 0.95 if title else 1.0))
    return fig


def trend_figure(
    entry: dict,
    waves: list[str],
    *,
    key: str,
    number: int,
    title: str,
    categories: list[str] | None = None,
    group: str = "respondenten",
    draw: bool = True,
    bare: bool = False,
) -> FigureData:
    """A trend figure from one item (or collapsed Likert item) of a trend result.

    ``categories``: which choices / collapsed categories to draw (default: all of the latest wave);
    ``bare``: the drawing holds neither title nor footnote (the report's caption and source line
    carry them, and its number is only known when the text is laid out). Without ``draw`` only the
    data (no matplotlib).
    """
    present = [w for w in waves if w in entry["waves"]]
    latest = entry["waves"][present[-1]]
    names = categories or list(latest["counts"])
    labels = {**entry.get("labels", {}), **latest.get("labels", {})}
    series = [Series(c, labels.get(c, c.replace("_", " ").capitalize())) for c in names]
    percent = [[entry["waves"].get(w, {}).get("percent", {}).get(c) for w in waves] for c in names]
    low = [[(entry["waves"].get(w, {}).get("ci", {}).get(c) or [None, None])[0] for w in waves] for c in names]
    high = [[(entry["waves"].get(w, {}).get("ci", {}).get(c) or [None, None])[1] for w in waves] for c in names]
    breaks = [waves.index(p["to"]) for p in entry["pairs"] if not p["comparable"]]
    footnote = (
        "Percentages per meting met 95%-betrouwbaarheidsinterval (Wilson). "
        + ("Streepjeslijn: de vraag veranderde, de metingen ervoor en erna zijn niet vergelijkbaar. " if breaks else "")
        + "n = "
        + ", ".join(f"{w}: {entry['waves'][w]['base']}" for w in present)
        + "."
    )
    rows = [(s.label, [_cell(entry["waves"].get(w), s.key) for w in waves]) for s in series]
    figure = None
    if draw:
        figure = trend_chart(
            "" if bare else title, waves, series, percent, low, high, breaks, ylabel=f"% van de {group}", footnote="" if bare else footnote
        )
    return FigureData(key=key, number=number, title=title, columns=list(waves), rows=rows, footnote=footnote, figure=figure, size=SIZE)


def _segments(n: int, breaks: list[int]) -> list[tuple[int, int]]:
    edges = [0, *sorted(b for b in breaks if 0 < b < n), n]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def _cell(wave: dict | None, choice: str) -> str:
    if not wave or wave.get("percent", {}).get(choice) is None:
        return "–"
    lo, hi = wave["ci"][choice]
    return f"{_pct(wave['percent'][choice])} ({_pct(lo)}–{_pct(hi)})"


def _pct(value: float | None) -> str:
    from afstand.analysis.frequencies import round_half_up

    return "–" if value is None else f"{round_half_up(value, 1):.1f}".replace(".", ",")
