"""Build the report's figures from analysis results and the study's figure specification.

Which figure shows which items, in what order and with what collapse is data
(``[[figures]]`` in the study's ``report/report.toml``); every percentage drawn comes from
``analyze()`` results. Figures are written to file-like objects (SVG and PNG), so the CLI
and the web app share this code.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from afstand.errors import StudyError
from afstand.figures import charts
from afstand.figures.charts import Row, Series
from afstand.figures.style import pyplot
from afstand.instrument.model import Instrument

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class FigureData:
    """What a figure shows, also rendered as an accessible table next to it."""

    key: str  # file stem: figuur-01, figuur-13-divergerend
    number: int
    title: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    footnote: str
    figure: "Figure | None" = field(default=None, repr=False)
    size: tuple[float, float] | None = None  # inches, known without drawing (the page is laid out before the drawings are there)


NO_ANSWER = "Geen antwoord"
MASK = "×"
WHISKERS_BELOW = 100  # figures of groups smaller than this get whiskers (95% Wilson intervals)


@dataclass(frozen=True)
class Look:
    """Study-wide figure settings from report.toml: the non-substantive choices drawn in grey."""

    grey: tuple[str, ...] = ()


def build_figures(
    spec: list[dict],
    results: dict[str, dict],
    instruments: dict[str, Instrument],
    groups: dict[str, str],
    footnote: str,
    *,
    draw: bool = True,
    look: Look = Look(),
) -> list[FigureData]:
    """FigureData for every figure of ``spec``; with ``draw=False`` only the data (fast), no matplotlib figure.

    Percentages are of the results' base: with the consented base, those who skipped the
    question are drawn as a grey "Geen antwoord" share; with the valid base they are left out
    and the footnote says how many skipped. Suppressed cells (disclosure control) print "×".
    """
    global _LOOK
    _LOOK = look
    out = []
    for entry in spec:
        name = entry["instrument"]
        if name not in results:
            continue  # that instrument's data was not given
        builder = _BUILDERS.get(entry.get("kind", ""))
        if builder is None:
            raise StudyError(
                f"report.toml: figure {entry.get('number')}: unknown kind {entry.get('kind')!r} (known: {', '.join(_BUILDERS)})"
            )
        result, instrument = results[name], instruments[name]
        for item in entry["items"]:
            if item not in result["items"]:
                raise StudyError(f"report.toml: figure {entry['number']}: {item!r} is not an item of {name}")
        note = footnote.format(n=result["n_consented"], group=groups.get(name, name))
        out.extend(builder(entry, result, instrument, groups.get(name, name), note, draw))
    return out


_LOOK = Look()


def _valid(result: dict) -> bool:
    return result["data"].get("base") == "valid"


def _grey(item, choice: str) -> bool:
    """Non-substantive: listed in report.toml, or unscored in a list whose other choices are scored."""
    if choice in _LOOK.grey:
        return True
    choices = item.choice_list.choices
    scored = [c for c in choices if c.score is not None]
    return bool(scored) and any(c.name == choice and c.score is None for c in choices)


def _cell(value, ci) -> str:
    if value is None:
        return MASK
    return f"{_fmt(value)} [{_fmt(ci[0])}–{_fmt(ci[1])}]" if ci else _fmt(value)


def _skipped_note(note: str, skipped: list[int], result: dict) -> str:
    if not skipped or not max(skipped):
        return note
    low, high = min(skipped), max(skipped)
    count = f"{low}" if low == high else f"{low} tot {high}"
    if _valid(result):
        return note + f" Percentages van wie de vraag beantwoordde; {count} sloegen de vraag over."
    return note + f" Grijs: geen antwoord ({count} sloegen de vraag over)."


def write_figure(figure: FigureData, fmt: str, out: BinaryIO) -> None:
    if fmt == "svg":
        figure.figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "afstand"})
    elif fmt == "png":
        figure.figure.savefig(out, format="png", dpi=150, metadata={"Software": "afstand"}, pil_kwargs={"compress_level": 3})
    else:
        raise ValueError(f"unknown figure format {fmt!r}")


def figure_bytes(figure: FigureData, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write_figure(figure, fmt, buffer)
    return buffer.getvalue()


def close(figures: list[FigureData]) -> None:
    for f in figures:
        if f.figure is not None:
            pyplot().close(f.figure)
            f.figure = None


def _xlabel(group: str, result: dict, answered: int | None = None) -> str:
    if _valid(result):
        return f"% van de {group} die de vraag beantwoordden" + (f" (n = {answered})" if answered is not None else "")
    return f"% van alle {result['n_consented']} {group}" + (f" ({answered} beantwoordden de vraag)" if answered is not None else "")


def _answered(entry: dict, n_consented: int) -> int:
    return n_consented - entry["missing"]


def _bars(entry, result, instrument, group, note, draw):
    item_name = entry["items"][0]
    item = instrument.items[item_name]
    data = result["items"][item_name]
    choices = list(item.choice_list.choices)
    if entry.get("sort") == "count":
        choices.sort(key=lambda c: -(data["counts"][c.name] if data["counts"][c.name] is not None else -1))
    choices.sort(key=lambda c: _grey(item, c.name))  # non-substantive answers last, set apart
    rows = [Row(c.name, c.label()) for c in choices]
    values = [data["percent"][c.name] for c in choices]
    cis = [data.get("ci", {}).get(c.name) for c in choices]
    greys = [_grey(item, c.name) for c in choices]
    if data["missing"] and not _valid(result):
        rows.append(Row("geen_antwoord", NO_ANSWER))
        values.append(100 * data["missing"] / data["base"] if data["base"] else None)
        cis.append(None)
        greys.append(True)
    title = _title(entry)
    note = _skipped_note(note, [data["missing"]], result)
    whiskers = cis if result["n_consented"] < WHISKERS_BELOW else None
    fig = (
        charts.bars(
            title,
            rows,
            values,
            xlabel=_xlabel(group, result, _answered(data, result["n_consented"])),
            footnote=note,
            grey=greys,
            intervals=whiskers,
        )
        if draw
        else None
    )
    table = [(r.label, [_cell(v, ci)]) for r, v, ci in zip(rows, values, cis)]
    return [FigureData(_key(entry), entry["number"], title, ["% [95%-BI]"], table, note, fig, charts.bars_size(rows))]


def _row_labels(entry, instrument) -> list[str]:
    labels = entry.get("row_labels")
    if labels and len(labels) != len(entry["items"]):
        raise StudyError(f"report.toml: figure {entry['number']}: row_labels must have one label per item")
    return labels or [instrument.items[i].label() for i in entry["items"]]


def _categories(entry, result, instrument) -> tuple[list[Series], callable, callable]:
    """Series (categories), percent(item, key) and interval(item, key), with "Geen antwoord" added for the consented base."""
    from afstand.analysis.intervals import wilson_percent

    first = instrument.items[entry["items"][0]]
    if entry.get("collapse"):
        without = [i for i in entry["items"] if i not in result.get("likert", {})]
        if without:
            raise StudyError(
                f"report.toml: figure {entry['number']}: collapse = true, but {without[0]!r} has no collapse column in its choices"
            )
        cl = first.choice_list
        series = [Series(c, cl.collapsed_label(c)) for c in cl.collapsed()]
        grey = {c for c in cl.collapsed() if all(_grey(first, ch.name) for ch in cl.choices if ch.collapse == c)}

        def source(item):
            return result["likert"][item]
    else:
        names = entry.get("categories") or list(first.choice_list.names)
        series = [Series(c, first.choice_list.get(c).label()) for c in names]
        grey = {c for c in names if _grey(first, c)}

        def source(item):
            return result["items"][item]

    series.sort(key=lambda s: s.key in grey)
    series = [Series(s.key, s.label, s.key in grey) for s in series]
    add_missing = not _valid(result) and any(result["items"][i]["missing"] for i in entry["items"])
    if add_missing:
        series.append(Series("geen_antwoord", NO_ANSWER, True))

    def value(item, key):
        data = source(item)
        if key == "geen_antwoord":
            return 100 * data["missing"] / data["base"] if data["base"] else None
        return data["percent"].get(key)

    def interval(item, key):
        data = source(item)
        if key == "geen_antwoord" or data["counts"].get(key) is None:
            return None
        return wilson_percent(data["counts"][key], data["base"])

    return series, value, interval


def _stacked(entry, result, instrument, group, note, draw):
    series, value, interval = _categories(entry, result, instrument)
    labels = _row_labels(entry, instrument)
    rows = [Row(i, label, _answered(result["items"][i], result["n_consented"])) for i, label in zip(entry["items"], labels)]
    percent = [[value(i, s.key) for s in series] for i in entry["items"]]
    title = _title(entry)
    palette = entry.get("palette", "sequential")
    note = _skipped_note(note, [result["items"][i]["missing"] for i in entry["items"]], result)
    fig = charts.stacked(title, rows, series, percent, xlabel=_xlabel(group, result), footnote=note, palette=palette) if draw else None
    table = [(r.label, [_cell(v, interval(r.key, s.key)) for s, v in zip(series, vals)]) for r, vals in zip(rows, percent)]
    out = [FigureData(_key(entry), entry["number"], title, [s.label for s in series], table, note, fig, charts.stacked_size(rows))]
    if entry.get("diverging"):
        out.append(_diverging(entry, result, rows, [s for s in series if s.key != "geen_antwoord"], value, group, note, draw))
    return out


def _diverging(entry, result, rows, series, value, group, note, draw) -> FigureData:
    spec = entry["diverging"]
    by_key = {s.key: s for s in series}
    try:
        negative = [by_key[k] for k in spec.get("negative", [])]
        positive = [by_key[k] for k in spec.get("positive", [])]
        outside = [by_key[k] for k in spec.get("outside", [])]
        neutral = by_key[spec["neutral"]] if spec.get("neutral") else None
    except KeyError as err:
        raise StudyError(f"report.toml: figure {entry['number']}: diverging category {err} is not shown in the figure") from None
    percent = {s.key: [value(r.key, s.key) for r in rows] for s in series}
    title = _title(entry) + " (divergerend)"
    fig = (
        charts.diverging(title, rows, negative, neutral, positive, outside, percent, xlabel=_xlabel(group, result), footnote=note)
        if draw
        else None
    )
    columns = [s.label for s in [*negative, *([neutral] if neutral else []), *positive, *outside]]
    keys = [s.key for s in [*negative, *([neutral] if neutral else []), *positive, *outside]]
    table = [(r.label, [_fmt(percent[k][i]) for k in keys]) for i, r in enumerate(rows)]
    return FigureData(_key(entry) + "-divergerend", entry["number"], title, columns, table, note, fig, charts.stacked_size(rows))


def _grouped(entry, result, instrument, group, note, draw):
    first = instrument.items[entry["items"][0]]
    labels = entry.get("series_labels") or [instrument.items[i].label() for i in entry["items"]]
    series = [Series(i, label) for i, label in zip(entry["items"], labels)]
    categories = [Row(c.name, c.label()) for c in first.choice_list.choices]
    percent = [[result["items"][s.key]["percent"].get(c.key) for c in categories] for s in series]
    cis = [[result["items"][s.key].get("ci", {}).get(c.key) for c in categories] for s in series]
    missing = [result["items"][s.key]["missing"] for s in series]
    if any(missing) and not _valid(result):
        categories.append(Row("geen_antwoord", NO_ANSWER))
        for s_index, s in enumerate(series):
            base = result["items"][s.key]["base"]
            percent[s_index].append(100 * missing[s_index] / base if base else None)
            cis[s_index].append(None)
    title = _title(entry)
    note = _skipped_note(note, missing, result)
    whiskers = cis if result["n_consented"] < WHISKERS_BELOW else None
    fig = (
        charts.grouped(title, categories, series, percent, xlabel=_xlabel(group, result), footnote=note, intervals=whiskers)
        if draw
        else None
    )
    table = [(c.label, [_cell(percent[s][ci], cis[s][ci]) for s in range(len(series))]) for ci, c in enumerate(categories)]
    size = charts.grouped_size(categories, len(series))
    return [FigureData(_key(entry), entry["number"], title, [s.label for s in series], table, note, fig, size)]


_BUILDERS = {"bars": _bars, "multi": _bars, "stacked": _stacked, "grouped": _grouped}


def _title(entry: dict) -> str:
    return f"Figuur {entry['number']}. {entry['title']}"


def numbered(title: str, number: int) -> str:
    """``title`` ("Figuur 13. …", or without a number) as figure ``number`` (the report numbers its
    figures in the order they appear in the text)."""
    return f"Figuur {number}. " + re.sub(r"^Figuur \d+\.\s*", "", title)


def _key(entry: dict) -> str:
    return f"figuur-{int(entry['number']):02d}"


def _fmt(value) -> str:
    from afstand.analysis.frequencies import round_half_up

    return "–" if value is None else str(int(round_half_up(value)))
