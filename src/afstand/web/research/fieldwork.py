"""The owner's page of a wave's fieldwork dates: close the wave now, set or move its dates, reopen it
(:mod:`afstand.services.fieldwork`). Owners only; every change is a CSRF-protected POST, checked,
and written with its audit entry."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from afstand.services import access, fieldwork
from afstand.services import waves as wave_service

CONFLICTS = {fieldwork.NOT_ENDED, fieldwork.START_LOCKED}  # the page was out of date: 409, not a bad date (400)


class DatesForm(forms.Form):
    starts_on = forms.DateField(
        label=gettext_lazy("First day of fieldwork"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: the links take answers from now on."),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Last day of fieldwork"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "The links take answers until the end of this day. Empty: no last day (the wave stays open until you close it)."
        ),
    )


def problem_text(err: fieldwork.DateProblem) -> str:
    """The refusal in the page's language, dates written out (``3 mei 2024``)."""
    params = {k: date_format(v, "j F Y") if isinstance(v, dt.date) else v for k, v in err.params.items()}
    return gettext(err.message_id) % params


@login_required
def wave_dates(request: HttpRequest, study: str, wave: str) -> HttpResponse:
    """GET: the wave's dates and state. POST ``action``: ``close`` (now), ``dates`` (set or move
    them; the first day only before the wave has started) or ``reopen`` (an ended wave, a new last day)."""
    membership = access.membership(request.user, study, {"owner"})
    found = wave_service.wave_by_label(membership.study, wave)
    if found is None or not wave:
        raise Http404
    today = dt.date.today()
    state = fieldwork.state(found, today)
    form = DatesForm(request.POST or None, initial={"starts_on": found.starts_on, "ends_on": found.ends_on})
    problem, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "close":
                fieldwork.close_now(found, actor=request.user, today=today)
                return redirect(request.path)
            if action in ("dates", "reopen") and form.is_valid():
                data = form.cleaned_data
                if action == "reopen":
                    fieldwork.reopen(found, data["ends_on"], actor=request.user, today=today)
                else:
                    # the first day is a field only before the wave has started (afterwards it is shown as
                    # text); a first day posted anyway is checked as well (a page out of date: refused)
                    given = {"starts_on": data["starts_on"]} if "starts_on" in request.POST else {}
                    fieldwork.change_dates(found, ends_on=data["ends_on"], actor=request.user, today=today, **given)
                return redirect(request.path)
            status = 400
            if action not in ("close", "dates", "reopen"):
                problem = gettext("Unknown action.")
        except fieldwork.DateProblem as err:
            problem, status = problem_text(err), 409 if err.message_id in CONFLICTS else 400
    return render(
        request,
        "afstand/research/wave_dates.html",
        {
            "study": membership.study,
            "wave": found,
            "state": state,
            "form": form,
            "problem": problem,
            "today": today,
        },
        status=status,
    )
