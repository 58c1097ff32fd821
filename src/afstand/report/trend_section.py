"""The report section "Ontwikkeling sinds de vorige meting", from ``afstand trend`` results.

Every number and every evaluative word is computed: a difference is only called a change
("steeg", "daalde") when its 95% interval (Newcombe for percentages, Welch for scale means)
excludes 0; otherwise the text says the difference is within the uncertainty. Items whose
question changed between the waves are named with both wordings and not compared.

What the section shows is data: the study's ``report/trend.toml`` (title, which items get a
trend figure). Without that file the section lists the changes and draws no figures.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from afstand.errors import StudyError
from afstand.figures.build import FigureData
from afstand.report.blocks import BulletList, Directive, Heading, Paragraph, Run, runs
from afstand.report.context import nl

DEFAULT_TITLE = "Ontwikkeling sinds de vorige meting"


def load_config(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise StudyError(f"{path}: {err}") from None


def direction(ci: list[float | None]) -> str | None:
    """'up' / 'down' when the interval of a difference excludes 0, else None (no change shown)."""
    low, high = ci
    if low is None or high is None:
        return None
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return None


def tile_trend(trend: dict, item: str, category: str) -> dict | None:
    """The previous wave's value and an arrow for a factsheet tile (Likert category or choice)."""
    entry = trend["likert"].get(item) or trend["items"].get(item)
    if entry is None or len(trend["waves"]) < 2:
        return None
    before = trend["waves"][-2]
    wave = entry["waves"].get(before)
    if wave is None or wave["percent"].get(category) is None:
        return None
    change = entry["change"].get(category) if entry["comparable"] else None
    way = direction(change["ci"]) if change else None
    arrow = {"up": "↑", "down": "↓"}.get(way, "→") if entry["comparable"] else "≠"
    words = (
        {"up": "gestegen", "down": "gedaald"}.get(way, "geen verandering vast te stellen")
        if entry["comparable"]
        else "vraag gewijzigd, niet vergelijkbaar"
    )
    return {"label": before, "pct": nl(wave["percent"][category]), "arrow": arrow, "words": words}


def section(
    trends: dict[str, dict], groups: dict[str, str], config: dict, *, first_number: int, draw: bool = True
) -> tuple[list, dict, list[FigureData]]:
    """(blocks, {figure directive: [FigureData]}, figures) of the section for every instrument's trend."""
    blocks: list = [Heading(1, config.get("title", DEFAULT_TITLE))]
    fig_for: dict = {}
    figures: list[FigureData] = []
    number = first_number
    jobs: dict[str, list[dict]] = {}
    for name, job in figure_jobs(trends, groups, config):
        jobs.setdefault(name, []).append(job)
    for name, trend in trends.items():
        group = groups.get(name, name)
        before, after = trend["waves"][-2], trend["waves"][-1]
        data = trend["data"]
        blocks.append(Heading(2, group[:1].upper() + group[1:]))
        blocks.append(
            Paragraph(
                runs(
                    f"Deze meting ({after}, {data[after]['n_consented']} {group} met toestemming) vergeleken met de vorige meting "
                    f"({before}, {data[before]['n_consented']} {group}). Een verschil heet hier alleen een verandering als het "
                    "95%-betrouwbaarheidsinterval van het verschil de 0 niet bevat; de p-waarden zijn met Holm gecorrigeerd voor het aantal vergelijkingen."
                )
            )
        )
        changed, unchanged = _changes(trend)
        if changed:
            blocks.append(BulletList(tuple(runs(text) for text in changed)))
        if unchanged:
            blocks.append(
                Paragraph(
                    runs(
                        f"Bij {'geen van de' if not changed else 'de overige'} {unchanged} vergelijkbare antwoorden is het verschil niet groter "
                        "dan de onzekerheid: daar is geen verandering vast te stellen."
                    )
                )
            )
        scales = _scales(trend)
        if scales:
            blocks.append(BulletList(tuple(runs(text) for text in scales)))
        flags = _flags(trend)
        if flags:
            blocks.append(Paragraph((Run("Niet vergeleken, omdat de vraag veranderde:", bold=True),)))
            blocks.append(BulletList(tuple(runs(text) for text in flags)))
        for job in jobs.get(name, []):
            from afstand.figures.trendchart import trend_figure  # matplotlib: loaded only when drawn here

            figure = trend_figure(**{**job, "title": f"Figuur {number}. {job['title']}"}, number=number, draw=draw)
            directive = Directive("figure", (str(number),), 0)
            blocks.append(directive)
            fig_for[directive] = [figure]
            figures.append(figure)
            number += 1
    return blocks, fig_for, figures


def figure_jobs(trends: dict[str, dict], groups: dict[str, str], config: dict) -> list[tuple[str, dict]]:
    """The trend figures trend.toml asks for: (instrument, keyword arguments of
    :func:`afstand.figures.trendchart.trend_figure`), plain data that a figure worker can draw."""
    out = []
    for spec in config.get("figures", []):
        name = spec["instrument"]
        if name not in trends:
            continue
        trend = trends[name]
        entry = trend["likert"].get(spec["item"]) if spec.get("likert", True) else None
        entry = entry or trend["items"].get(spec["item"])
        if entry is None:
            raise StudyError(f"trend.toml: {name}:{spec['item']}: no such select item in the trend")
        out.append(
            (
                name,
                {
                    "entry": entry,
                    "waves": trend["waves"],
                    "key": f"trend-{name}-{spec['item']}",
                    "title": f"{spec.get('title') or entry['label']} ({', '.join(trend['waves'])})",
                    "categories": spec.get("categories"),
                    "group": groups.get(name, name),
                },
            )
        )
    return out


def _changes(trend: dict) -> tuple[list[str], int]:
    """Sentences for the differences whose interval excludes 0; the number of the others.

    Likert items are described by their collapsed categories, other items by their choices.
    """
    texts, others = [], 0
    for section in ("likert", "items"):
        for name, entry in trend[section].items():
            if section == "items" and name in trend["likert"]:
                continue
            if not entry["comparable"]:
                continue
            before, after = trend["waves"][-2], trend["waves"][-1]
            for choice, change in entry["change"].items():
                way = direction(change["ci"])
                if way is None:
                    others += 1
                    continue
                label = {**entry.get("labels", {}), **entry["waves"][after].get("labels", {})}.get(choice, choice.replace("_", " "))
                a, b = entry["waves"][before]["percent"][choice], entry["waves"][after]["percent"][choice]
                verb = "steeg" if way == "up" else "daalde"
                p = "–" if change["p_holm"] is None else _p(change["p_holm"])
                texts.append(
                    f"{entry['label']} – “{label}”: {verb} van {nl(a)}% ({before}) naar {nl(b)}% ({after}); "
                    f"verschil {_signed(change['pp'])} procentpunt (95%-BI {_signed(change['ci'][0])} tot {_signed(change['ci'][1])}; "
                    f"p na Holm {p})."
                )
    return texts, others


def _scales(trend: dict) -> list[str]:
    out = []
    for dimension, entry in trend["scales"].items():
        change = entry["change"]
        if not entry["comparable"] or not change:
            continue
        before, after = change["from"], change["to"]
        a, b = entry["waves"][before]["mean"], entry["waves"][after]["mean"]
        way = direction(change["ci"])
        verdict = {"up": "een stijging", "down": "een daling"}.get(way, "geen verandering vast te stellen")
        out.append(
            f"Schaal {dimension.replace('_', ' ')}: gemiddeld {nl(a, 2)} ({before}) en {nl(b, 2)} ({after}); verschil "
            f"{_signed(change['diff'], 2)} (95%-BI {_signed(change['ci'][0], 2)} tot {_signed(change['ci'][1], 2)}): {verdict}."
        )
    return out


def _flags(trend: dict) -> list[str]:
    out = []
    for section in ("items", "likert"):
        for name, entry in trend[section].items():
            if section == "likert" and name in trend["items"] and not trend["items"][name]["comparable"]:
                continue  # named once, under items
            pair = entry["pairs"][-1]
            if pair["comparable"]:
                continue
            for flag in entry["flags"]:
                if flag["to"] != pair["to"] or not flag["breaks_comparability"]:
                    continue
                old, new = flag["wording"][flag["from"]], flag["wording"][flag["to"]]
                out.append(
                    f"{name} ({_KINDS.get(flag['kind'], flag['kind'])}): {flag['from']}: “{old or '–'}”; {flag['to']}: “{new or '–'}”."
                )
    return out


_KINDS = {
    "added": "nieuwe vraag",
    "removed": "vervallen vraag",
    "relabelled": "andere vraagtekst",
    "rescaled": "andere antwoordcategorieën",
    "type": "ander vraagtype",
    "relevance": "aan een andere groep gesteld",
    "recollapsed": "andere indeling in categorieën",
    "rescored": "andere scores",
}


def _signed(value: float, digits: int = 1) -> str:
    text = nl(abs(value), digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def _p(value: float) -> str:
    return "< 0,001" if value < 0.001 else nl(value, 3)


def wave_trends(
    study, waves: list[tuple[str, dict]], latest: dict, *, versions: dict | None = None, wave_instruments: dict | None = None
) -> dict[str, dict]:
    """``afstand trend`` per instrument over ``waves`` (oldest first; label → {instrument: data}).

    ``latest`` holds the already loaded responses of the last wave (instrument → ResponseSet).
    ``wave_instruments`` (label → {instrument: Instrument}) names the version each wave used
    (default: the study's form), so changed questions are flagged; ``versions`` (instrument →
    [Instrument]) the versions a wave's rows may mix. An instrument gets a trend when at least
    two waves hold data for it.
    """
    from afstand.analysis.disclosure import publish_trend
    from afstand.analysis.trend import Wave, trend
    from afstand.responses import load_responses

    out = {}
    for name in latest:
        own = [(label, files[name]) for label, files in waves if name in files]
        if len(own) < 2:
            continue
        loaded = []
        for index, (label, data) in enumerate(own):
            instrument = (wave_instruments or {}).get(label, {}).get(name) or study.instrument(name)
            if index == len(own) - 1 and instrument is latest[name].instrument:
                loaded.append(Wave(label, latest[name]))
            else:
                given = (versions or {}).get(name)  # else the study's forms, as analyze
                loaded.append(Wave(label, load_responses(data, instrument, versions=given, known_versions=study.versions(name))))
        # published: each wave's breakdown cells hidden by the same rule as the rest of the report
        out[name] = publish_trend(trend(loaded, name=name), {w.label: w.responses for w in loaded}, study, name)
    return out


def insert_section(
    blocks: list, fig_for: dict, trends: dict[str, dict], groups: dict[str, str], config: dict, *, first_number: int, draw: bool = True
) -> list[FigureData]:
    """Put the section at a ``[[trend]]`` directive, else before the heading ``before`` of
    trend.toml, else at the end. Returns its figures (to be written with the others)."""
    new, figures_for, figures = section(trends, groups, config, first_number=first_number, draw=draw)
    fig_for.update(figures_for)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Directive) and b.name == "trend"), None)
    if at is not None:
        blocks[at : at + 1] = new
        return figures
    before = config.get("before")
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and before and b.text == before), len(blocks))
    blocks[at:at] = new
    return figures
