"""Analysis in the browser: the same core analysis, figures and report as the CLI, on the stored responses.

Everything on the analysis page (tables, figures, breakdowns, scales, tests) comes from the published
result (``results_service.published_stored``): the one disclosure-control pass the report uses."""

from __future__ import annotations

import base64

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from afstand.services import AfstandError, access
from afstand.services import results as results_service
from afstand.services.access import EXPORT_ROLES, audit
from afstand.services.results import count_text as _count
from afstand.services.results import number_text as _num
from afstand.services.results import percent_text as _pct
from afstand.web.models import InstrumentVersion

REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def item_tables(result: dict, instrument) -> list[dict]:
    """One table per closed item and per number item, labelled in Dutch (the instrument's default language)."""
    tables = []
    for name, entry in result["items"].items():
        item = instrument.items[name]
        if not entry.get("asked", True):
            continue
        label = item.label(instrument.default_language)
        if entry["type"] in ("select_one", "select_multiple"):
            labels = {c.name: c.label(instrument.default_language) for c in item.choice_list.choices}
            hidden = set(entry.get("suppressed", ()))
            rows = [
                (c, labels.get(c, c), _count(n, c in hidden), _pct(entry["percent"][c], c in hidden)) for c, n in entry["counts"].items()
            ]
            tables.append(
                {
                    "name": name,
                    "label": label,
                    "kind": "choices",
                    "rows": rows,
                    "base": entry["base"],
                    "missing": entry["missing"],
                    "not_asked": entry.get("not_asked", 0),
                    "multiple": entry["type"] == "select_multiple",
                }
            )
        elif entry["type"] == "number":
            tables.append(
                {
                    "name": name,
                    "label": label,
                    "kind": "number",
                    "n": entry["n"],
                    "mean": _num(entry["mean"]),
                    "median": _num(entry["median"]),
                    "sd": _num(entry["sd"]),
                    "min": entry["min"],
                    "max": entry["max"],
                    "missing": entry["missing"],
                    "outliers": entry["outliers"]["values"],
                    "withheld": bool(entry["outliers"].get("withheld")),
                    "not_asked": entry.get("not_asked", 0),
                }
            )
        elif entry["type"] == "text":
            tables.append({"name": name, "label": label, "kind": "text", "answered": entry["answered"]})
    return tables


def breakdown_tables(result: dict) -> list[dict]:
    comparisons = result.get("comparisons") or {}
    out = []
    for key, breakdown in (comparisons.get("breakdowns") or {}).items():
        out.append(
            {
                "key": key,
                "item": breakdown["item"],
                "groups": breakdown["groups"],
                "suppressed": breakdown["suppressed"],
                "no_group": breakdown["no_group"],
            }
        )
    return out


@login_required
def analysis(request: HttpRequest, study: str, instrument: str) -> HttpResponse:
    from afstand.web.research.waves import chosen_wave, switcher

    membership = access.membership(request.user, study, EXPORT_ROLES)
    wave = chosen_wave(request, membership.study)
    found = InstrumentVersion.objects.filter(study=membership.study, name=instrument)
    if not (found.filter(wave__label=wave) if wave else found).exists():
        raise Http404
    try:
        result, form = results_service.published_stored(study, instrument, wave)
    except AfstandError as err:  # e.g. a study folder refused for its breakdowns (docs/disclosure-control.md)
        return render(request, "afstand/research/message.html", {"study": membership.study, "message": str(err)}, status=409)
    figures = [
        {
            "key": f.key,
            "title": f.title,
            "columns": f.columns,
            "rows": f.rows,
            "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        }
        for f, svg in results_service.figures_stored(study, instrument, result, form)
    ]
    comparisons = result.get("comparisons") or {}
    tests = [t for t in comparisons.get("tests", []) if t.get("p_holm") is not None and t["p_holm"] < 0.05]
    return render(
        request,
        "afstand/research/analysis.html",
        {
            "study": membership.study,
            "instrument": instrument,
            "result": result,
            "tables": item_tables(result, form),
            "scales": result["scales"],
            "breakdowns": breakdown_tables(result),
            "min_group_size": comparisons.get("min_group_size"),
            "significant": tests,
            "figures": figures,
            "problems": result["data"]["problems"],
            "has_report": results_service.has_report(study),
            **switcher(request, membership.study, wave),
        },
    )


@login_required
def report(request: HttpRequest, study: str, document: str, fmt: str) -> HttpResponse:
    membership = access.membership(request.user, study, EXPORT_ROLES)
    if fmt not in REPORT_TYPES or document not in ("rapport", "factsheet") or (document == "factsheet" and fmt == "docx"):
        raise Http404
    from afstand.web.research.waves import ALL

    wave = request.GET.get("meting")
    try:
        filename, content = results_service.report_stored(study, fmt, document, None if wave == ALL else wave)
    except AfstandError as err:
        return render(request, "afstand/research/message.html", {"study": membership.study, "message": str(err)}, status=409)
    audit(request.user, "report", f"{study}/{filename}")
    response = HttpResponse(content, content_type=REPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"
    return response
