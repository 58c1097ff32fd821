"""Results from stored responses: the CLI's analysis, the study's figures and the report,
computed from the database without a file in between.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from django.db import transaction
from django.utils.translation import gettext

from afstand.analysis.disclosure import MASK, publish, publish_trend
from afstand.analysis.frequencies import round_half_up
from afstand.analysis.ledger import as_ledger
from afstand.analysis.summary import analyze
from afstand.errors import AfstandError
from afstand.instrument.model import Instrument
from afstand.responses import ResponseSet, load_responses
from afstand.responses.tables import section
from afstand.services import coding
from afstand.services.exports import stored_table
from afstand.services.studies import core_study, instrument_for, latest_instrument, versions_of
from afstand.web.models import Response


def stored_responses(study_slug: str, name: str, instrument: Instrument, *, lenient: bool = True, wave: str | None = None) -> ResponseSet:
    """The stored responses of one instrument (one wave, or all), validated by the core as a file
    would be (in memory, no temporary file). Rows of an older version are "not asked" the items
    their version did not have."""
    return load_responses(
        stored_table(study_slug, name, wave), instrument, lenient=lenient, versions=stored_versions(study_slug, name, wave)
    )


def stored_versions(study_slug: str, name: str, wave: str | None = None) -> list[Instrument]:
    return [instrument_for(v) for v in versions_of(study_slug, name, wave)]


def analyze_stored(study_slug: str, name: str, wave: str | None = None, *, study=None) -> tuple[dict, Instrument]:
    """The CLI's ``analyze`` on the responses stored for one instrument (of one wave, or of all).
    ``study``: the core study to analyse with (default: the study folder's, without a ledger)."""
    instrument = latest_instrument(study_slug, name, wave)
    if instrument is None:
        raise AfstandError(f"no instrument {name!r} in study {study_slug!r} in this database")
    core = study or core_study(study_slug)
    instrument = section(instrument, None)  # a form with repeats: its main table (each repeat has a table of its own)
    responses = stored_responses(study_slug, name, instrument, wave=wave)
    result = analyze(responses, name=name, study=core if core and name in core.instrument_names else None)
    return result, instrument


POOLED = "*"  # the ledger key of the web's view of all waves together


def stored_ledger(study_slug: str) -> dict:
    """The publication ledger of a stored study: wave label → instrument → breakdown → groups."""
    from afstand.web.models import Wave

    return {w.label: w.published_hidden for w in Wave.objects.filter(study__slug=study_slug) if w.published_hidden}


def publishing_study(study_slug: str, name: str, wave: str | None = None, loaded: dict | None = None):
    """The core study (or None) set up to publish ``name`` of ``wave`` (None: all waves pooled) on the web:
    with the ledger of the reports made so far and, when the instrument has answers in more than one wave,
    with one set of hidden groups per breakdown for every wave and the pooled view
    (:func:`afstand.analysis.disclosure.linked_ledger`), so no page minus another gives a hidden group.
    ``loaded``: wave label → ResponseSet when the caller has them already."""
    from afstand.analysis.disclosure import linked_ledger
    from afstand.analysis.ledger import as_ledger
    from afstand.services.waves import waves_of
    from afstand.web.models import Study

    core = core_study(study_slug)
    if core is None or name not in core.instrument_names:
        return None
    core = core.publishing(None, as_ledger(stored_ledger(study_slug)))
    if loaded is None:
        labels = [
            w.label
            for w in waves_of(Study.objects.get(slug=study_slug))
            if Response.objects.filter(instrument_version__wave=w, instrument_version__name=name).exists()
        ]
        loaded = {}
        if len(labels) > 1:
            for label in labels:
                form = section(latest_instrument(study_slug, name, label), None)
                loaded[label] = stored_responses(study_slug, name, form, wave=label)
        elif labels and wave is None:
            wave = labels[0]  # all waves = the only one: its ledger holds
    if len(loaded) > 1:
        core = core.publishing(None, linked_ledger(core, name, loaded, pooled=POOLED))
    return core.publishing(POOLED if wave is None else wave)


def published_stored(study_slug: str, name: str, wave: str | None = None) -> tuple[dict, Instrument]:
    """What the web shows of one instrument's analysis: ``analyze_stored`` after the one disclosure-control
    pass the report uses (:func:`afstand.analysis.disclosure.publish`), so the page, its figures and the
    report hide the same cells; with the study's publication ledger and, across waves, one set of hidden
    groups for every wave's page and the pooled one (:func:`publishing_study`)."""
    core = publishing_study(study_slug, name, wave)
    result, instrument = analyze_stored(study_slug, name, wave, study=core)
    return publish(result, core, name), instrument


def trend_stored(study_slug: str, name: str) -> dict | None:
    """``afstand trend`` over the study's waves that hold responses to this instrument (None: fewer than two)."""
    from afstand.analysis.trend import Wave as TrendWave
    from afstand.analysis.trend import trend
    from afstand.services.waves import waves_of
    from afstand.web.models import Study

    study = Study.objects.get(slug=study_slug)
    loaded = []
    for wave in waves_of(study):
        if not Response.objects.filter(instrument_version__wave=wave, instrument_version__name=name).exists():
            continue
        instrument = latest_instrument(study_slug, name, wave.label)
        loaded.append(TrendWave(wave.label, stored_responses(study_slug, name, instrument, wave=wave.label)))
    if len(loaded) < 2:
        return None
    # the trend page is published like the analysis page: each wave's cells hidden by the same rule, linked
    core = publishing_study(study_slug, name, None, {w.label: w.responses for w in loaded})
    return publish_trend(trend(loaded, name=name), {w.label: w.responses for w in loaded}, core, name)


def figures_stored(study_slug: str, name: str, result: dict, instrument: Instrument) -> list[tuple[object, bytes]]:
    """The study's report figures of this instrument, drawn from ``result``: (FigureData, SVG bytes)."""
    from afstand.figures.build import build_figures, close, figure_bytes  # matplotlib: loaded when first drawn
    from afstand.report.build import ReportSpec

    core = core_study(study_slug)
    if core is None or result["n_consented"] == 0:
        return []
    spec = ReportSpec.load(core)
    entries = [e for e in spec.config.get("figures", []) if e["instrument"] == name]
    footnote = spec.text("footnote")
    # keyed on everything the figures are drawn from, so a new or withdrawn response (a changed
    # result), another form version or another layout draws them again; never a stale figure
    key = hashlib.sha256(
        json.dumps([study_slug, name, instrument.version_id, entries, spec.groups, footnote, result], sort_keys=True, default=str).encode()
    ).hexdigest()
    with _FIGURES_LOCK:
        cached = _FIGURES.get(key)
        if cached is not None:
            _FIGURES.move_to_end(key)
            return cached
    figures = build_figures(entries, {name: result}, {name: instrument}, spec.groups, footnote)
    try:
        drawn = [(f, figure_bytes(f, "svg")) for f in figures]
    finally:
        close(figures)
    with _FIGURES_LOCK:
        _FIGURES[key] = drawn
        while len(_FIGURES) > FIGURE_CACHE_SIZE:
            _FIGURES.popitem(last=False)
    return drawn


FIGURE_CACHE_SIZE = 16  # drawn figure sets kept per process (a few hundred kB each)
_FIGURES: OrderedDict[str, list[tuple[object, bytes]]] = OrderedDict()
_FIGURES_LOCK = threading.Lock()


def has_report(study_slug: str) -> bool:
    return core_study(study_slug) is not None


def report_stored(study_slug: str, fmt: str, document: str = "rapport", wave: str | None = None) -> tuple[str, bytes]:
    """Build the study report (or factsheet) in one format from the stored responses and codings: (file name, bytes).

    The report is of one wave (default: the current one); when earlier waves hold responses too it
    gets the section on the development since the previous wave. Rows of several versions are
    analysed with each version's items ("not asked" outside the base)."""
    from afstand.report.build import embed_figures, report_files  # python-docx, WeasyPrint, matplotlib: loaded when first needed
    from afstand.services.waves import wave_by_label, waves_of
    from afstand.web.models import Study

    core = core_study(study_slug)
    if core is None:
        raise AfstandError(gettext("This study has no report layout (study folder)."))
    study = Study.objects.get(slug=study_slug)
    chosen = wave_by_label(study, wave)
    if chosen is None:
        raise AfstandError(gettext("This study has no wave %(wave)s.") % {"wave": wave})

    def stored(n: str, w) -> bool:
        return Response.objects.filter(instrument_version__wave=w, instrument_version__name=n).exists()

    empty = [n for n in core.instrument_names if not stored(n, chosen)]
    if empty:
        raise AfstandError(
            gettext("No answers yet for %(names)s: the report needs answers to every questionnaire.") % {"names": ", ".join(empty)}
        )

    data = {n: stored_table(study_slug, n, chosen.label) for n in core.instrument_names}
    earlier = [w for w in waves_of(study) if w.id < chosen.id and any(stored(n, w) for n in core.instrument_names)]
    waves = [(w.label, {n: stored_table(study_slug, n, w.label) for n in core.instrument_names if stored(n, w)}) for w in earlier]
    waves = waves + [(chosen.label, data)] if waves else None
    versions = {n: stored_versions(study_slug, n) for n in core.instrument_names}
    wave_instruments = {
        w.label: {n: latest_instrument(study_slug, n, w.label) for n in core.instrument_names if stored(n, w)} for w in [*earlier, chosen]
    }
    codings = coding.coded_answers(study_slug, chosen.label) or None  # the themes of this wave's answers and sessions
    # built in memory from the stored tables: no temporary file or folder, nothing on disk to clean up
    # a report is a publication of its wave: what an earlier report of it hid stays hidden (the ledger)
    core = core.publishing(chosen.label, as_ledger(stored_ledger(study_slug)))
    files = report_files(
        core,
        data,
        formats=(fmt,),
        codings=codings,
        workers=1,
        waves=waves,
        versions=versions,
        wave_instruments=wave_instruments,
    )
    name = f"{document}.{fmt}"
    if name not in files:  # a study folder without a factsheet
        raise AfstandError(gettext("This study has no report layout (study folder)."))
    record_published(study, chosen, files["cijfers.json"])
    content = files[name]
    if fmt == "html":  # one download: the figures go inside the page
        content = embed_figures(content.decode("utf-8"), files).encode("utf-8")
    return name, content


def record_published(study, wave, numbers: bytes) -> None:
    """Add the groups hidden in a report's ``cijfers.json`` to its wave's publication ledger."""
    from afstand.analysis.ledger import hidden_of, merged
    from afstand.web.models import Wave

    with transaction.atomic():
        row = Wave.objects.select_for_update().get(pk=wave.pk)
        row.published_hidden = merged(row.published_hidden, hidden_of(json.loads(numbers)))
        row.save(update_fields=["published_hidden"])


def percent_text(value, masked: bool = False) -> str:
    """A percentage as shown on the analysis page (half up, as in the report); a suppressed cell is "×"."""
    if masked:
        return MASK
    return "–" if value is None else f"{round_half_up(value):.0f}%"


def count_text(value, masked: bool = False) -> str:
    """A count as shown on the analysis page; a suppressed cell is "×"."""
    return MASK if masked or value is None else str(value)


def number_text(value, digits: int = 1) -> str:
    return "–" if value is None else f"{round_half_up(value, digits):.{digits}f}"


def trend_figures_stored(study_slug: str, name: str, result: dict) -> list[tuple[object, bytes]]:
    """Trend figures of the items the study's ``report/trend.toml`` names (else of every Likert item): (FigureData, SVG)."""
    from afstand.figures.build import close, figure_bytes
    from afstand.figures.trendchart import trend_figure
    from afstand.report.trend_section import load_config

    core = core_study(study_slug)
    config = load_config(core.path("report", "trend.toml")) if core else {}
    wanted = [e for e in config.get("figures", []) if e["instrument"] == name] or [{"item": n} for n in result["likert"]]
    out = []
    for number, spec in enumerate(wanted, start=1):
        entry = result["likert"].get(spec["item"]) or result["items"].get(spec["item"])
        if entry is None:
            continue
        figure = trend_figure(
            entry,
            result["waves"],
            key=f"trend-{name}-{spec['item']}",
            number=number,
            title=f"{entry['label']} ({', '.join(result['waves'])})",
            categories=spec.get("categories"),
        )
        try:
            out.append((figure, figure_bytes(figure, "svg")))
        finally:
            close([figure])
    return out


def trend_rows(result: dict) -> list[dict]:
    """One row per item and choice (Likert items by collapsed category): percentages per wave, the
    latest change with its interval, and whether it is a change (interval excludes 0)."""
    from afstand.report.trend_section import direction

    rows = []
    for part in ("likert", "items"):
        for name, entry in result[part].items():
            if part == "items" and name in result["likert"]:
                continue
            labels = {**entry.get("labels", {}), **next(iter(entry["waves"].values())).get("labels", {})}
            choices = list(dict.fromkeys(c for w in entry["waves"].values() for c in w["percent"]))
            flags = [f for f in entry["flags"] if f["breaks_comparability"]]
            for choice in choices:
                change = entry["change"].get(choice)
                rows.append(
                    {
                        "item": name,
                        "label": entry["label"],
                        "choice": labels.get(choice, choice),
                        "percent": [
                            percent_text(
                                entry["waves"].get(w, {}).get("percent", {}).get(choice),
                                choice in entry["waves"].get(w, {}).get("suppressed", ()),
                            )
                            for w in result["waves"]
                        ],
                        "pp": None if not change else f"{change['pp']:+.1f}",
                        "ci": None if not change else f"{change['ci'][0]:.1f} – {change['ci'][1]:.1f}",
                        "p_holm": None if not change or change["p_holm"] is None else f"{change['p_holm']:.3f}",
                        "change": bool(change and direction(change["ci"])),
                        "comparable": entry["comparable"],
                        "flags": flags,
                    }
                )
    return rows
