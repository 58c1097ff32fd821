"""Results from stored responses: the CLI's analysis, the study's figures and the report,
computed from the database without a file in between.
"""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path

from django.utils.translation import gettext

from afstand.analysis.frequencies import round_half_up
from afstand.analysis.summary import analyze
from afstand.errors import AfstandError
from afstand.instrument.model import Instrument
from afstand.responses import ResponseSet, load_responses
from afstand.services import coding
from afstand.services.exports import stored_table
from afstand.services.studies import core_study, latest_instrument
from afstand.web.models import Response


def stored_responses(study_slug: str, name: str, instrument: Instrument, *, lenient: bool = True) -> ResponseSet:
    """The stored responses of one instrument, validated by the core as a file would be (in memory, no temporary file)."""
    return load_responses(stored_table(study_slug, name), instrument, lenient=lenient)


def analyze_stored(study_slug: str, name: str) -> tuple[dict, Instrument]:
    """The CLI's ``analyze`` on the responses stored for one instrument."""
    instrument = latest_instrument(study_slug, name)
    if instrument is None:
        raise AfstandError(f"no instrument {name!r} in study {study_slug!r} in this database")
    core = core_study(study_slug)
    responses = stored_responses(study_slug, name, instrument)
    result = analyze(responses, name=name, study=core if core and name in core.instrument_names else None)
    return result, instrument


def figures_stored(study_slug: str, name: str, result: dict, instrument: Instrument) -> list[tuple[object, bytes]]:
    """The study's report figures of this instrument, drawn from ``result``: (FigureData, SVG bytes)."""
    from afstand.figures.build import build_figures, close, figure_bytes  # matplotlib: loaded when first drawn
    from afstand.report.build import ReportSpec

    core = core_study(study_slug)
    if core is None or result["n_consented"] == 0:
        return []
    spec = ReportSpec.load(core)
    entries = [e for e in spec.config.get("figures", []) if e["instrument"] == name]
    figures = build_figures(entries, {name: result}, {name: instrument}, spec.groups, spec.text("footnote"))
    try:
        return [(f, figure_bytes(f, "svg")) for f in figures]
    finally:
        close(figures)


def has_report(study_slug: str) -> bool:
    return core_study(study_slug) is not None


def report_stored(study_slug: str, fmt: str, document: str = "rapport") -> tuple[str, bytes]:
    """Build the study report (or factsheet) in one format from the stored responses and codings: (file name, bytes)."""
    from afstand.report.build import build_report  # python-docx, WeasyPrint, matplotlib: loaded when first needed

    core = core_study(study_slug)
    if core is None:
        raise AfstandError(gettext("This study has no report layout (study folder)."))
    empty = [n for n in core.instrument_names if not Response.objects.filter(instrument_version__study__slug=study_slug,
                                                                              instrument_version__name=n).exists()]
    if empty:
        raise AfstandError(gettext("No answers yet for %(names)s: the report needs answers to every questionnaire.") % {"names": ", ".join(empty)})
    data = {n: stored_table(study_slug, n) for n in core.instrument_names}
    codings = coding.coded_answers(study_slug) or None
    # the report's renderers (WeasyPrint, python-docx, figures) write a folder; it lives only while building
    with tempfile.TemporaryDirectory(prefix="afstand-report-") as tmp:
        written = build_report(core, data, Path(tmp) / "out", formats=(fmt,), codings=codings, workers=1)
        target = next(p for p in written if p.is_file() and p.suffix == f".{fmt}" and p.stem == document)
        content = target.read_bytes()
        if fmt == "html":  # one download: the figures go inside the page
            content = _embed_figures(content, target.parent)
        return target.name, content


def _embed_figures(html: bytes, folder: Path) -> bytes:
    """Replace ``src="figures/<key>.svg"`` by data: URIs so the downloaded page stands alone."""

    def inline(match: re.Match) -> bytes:
        path = folder / "figures" / match.group(1).decode()
        if not path.is_file():
            return match.group(0)
        return b'src="data:image/svg+xml;base64,' + base64.b64encode(path.read_bytes()) + b'"'

    return re.sub(rb'src="figures/([A-Za-z0-9_.-]+\.svg)"', inline, html)


def percent_text(value) -> str:
    """A percentage as shown on the analysis page (half up, as in the report)."""
    return "–" if value is None else f"{round_half_up(value):.0f}%"


def number_text(value, digits: int = 1) -> str:
    return "–" if value is None else f"{round_half_up(value, digits):.{digits}f}"
