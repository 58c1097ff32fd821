"""Waves in the browser: the wave switcher's choice, starting a new wave, and the trend page."""

from __future__ import annotations

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from afstand.services import AfstandError, access
from afstand.services import results as results_service
from afstand.services import waves as wave_service
from afstand.services.access import EXPORT_ROLES, audit
from afstand.services.fieldwork import DateProblem
from afstand.web.models import InstrumentVersion
from afstand.web.research.fieldwork import problem_text

ALL = "alle"  # ?meting=alle: every wave together


def chosen_wave(request: HttpRequest, study) -> str | None:
    """The wave label picked with ``?meting=`` (None = all waves); 404 for a label the study does not have."""
    label = request.GET.get("meting") or ALL
    if label == ALL:
        return None
    if wave_service.wave_by_label(study, label) is None or not label:
        raise Http404
    return label


def switcher(request: HttpRequest, study, chosen: str | None) -> dict:
    """Template context of the wave switcher: the choices and the current one."""
    labels = [w.label for w in wave_service.waves_of(study)]
    return {"waves": labels, "wave": chosen, "wave_query": f"?meting={chosen}" if chosen else ""}


def targets_of(study, label: str) -> dict:
    """The wave's targets: {instrument: {"total": n, channel: n}}."""
    wave = wave_service.wave_by_label(study, label)
    return wave.targets if wave else {}


class WaveForm(forms.Form):
    label = forms.SlugField(label=gettext_lazy("Label of the new wave (e.g. 2022)"), max_length=40)
    starts_on = forms.DateField(label=gettext_lazy("Fieldwork starts on"), required=False)
    ends_on = forms.DateField(label=gettext_lazy("Fieldwork ends on"), required=False)
    targets = forms.CharField(
        label=gettext_lazy("Targets"),
        help_text=gettext_lazy("One per line: questionnaire=number, or questionnaire:channel=number (e.g. werkers:whatsapp=50)."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
def new_wave(request: HttpRequest, study: str) -> HttpResponse:
    """Start a new wave: a copy of the current one, its questionnaires included (owners only)."""
    membership = access.membership(request.user, study, ("owner",))
    current = wave_service.current_wave(membership.study)
    initial = {"targets": "\n".join(wave_service.target_lines(current.targets))} if current is not None else {}
    form = WaveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wave = _create(membership.study, form, given="targets" in request.POST)
        if wave is not None:
            audit(request.user, "wave", f"{study}/{wave.label}")
            return redirect(f"/onderzoek/{study}/?meting={wave.label}")
    return render(
        request,
        "afstand/research/wave_new.html",
        {"study": membership.study, "form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


def _create(study, form: WaveForm, given: bool):
    """The new wave, or None with the reason added to the form. Targets: the lines typed (when the
    field was sent; it starts with the current wave's), else the current wave's."""
    data = form.cleaned_data
    try:
        lines = [line.strip() for line in data["targets"].splitlines() if line.strip()]
        targets = wave_service.parse_targets(lines, gettext("Target")) if given else None
    except AfstandError as err:
        form.add_error("targets", str(err))
        return None
    try:
        return wave_service.create_wave(study, data["label"], starts_on=data["starts_on"], ends_on=data["ends_on"], targets=targets)
    except DateProblem as err:  # in the page's language
        form.add_error("ends_on", problem_text(err))
        return None
    except AfstandError as err:
        form.add_error("targets" if "a target for" in str(err) else "label", str(err))
        return None


@login_required
def trend_page(request: HttpRequest, study: str, instrument: str) -> HttpResponse:
    """Per instrument: percentages per wave, changes with their intervals, and the comparability flags."""
    membership = access.membership(request.user, study, EXPORT_ROLES)
    if not InstrumentVersion.objects.filter(study=membership.study, name=instrument).exists():
        raise Http404
    try:
        result = results_service.trend_stored(study, instrument)
    except AfstandError as err:  # e.g. a study folder refused for its breakdowns (docs/disclosure-control.md)
        return render(request, "afstand/research/message.html", {"study": membership.study, "message": str(err)}, status=409)
    figures, rows = [], []
    if result is not None:
        figures = [
            {
                "key": f.key,
                "title": f.title,
                "columns": f.columns,
                "rows": f.rows,
                "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
            }
            for f, svg in results_service.trend_figures_stored(study, instrument, result)
        ]
        rows = results_service.trend_rows(result)
    return render(
        request,
        "afstand/research/trend.html",
        {
            "study": membership.study,
            "instrument": instrument,
            "result": result,
            "figures": figures,
            "rows": rows,
            "waves": [w.label for w in wave_service.waves_of(membership.study)],
        },
    )
