"""The researcher side: everything behind login, per study by membership and role."""

from __future__ import annotations

import io

from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth.decorators import login_required
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from afstand.services import AfstandError, access, studies, submissions
from afstand.services import exports as exporter
from afstand.services.access import EXPORT_ROLES, audit
from afstand.web.models import InstrumentVersion

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "sps": "text/plain; charset=utf-8",  # SPSS syntax
    "spss.csv": "text/csv; charset=utf-8",  # the coded data the syntax reads
}


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit(user, "login")


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit(str(credentials.get("username") or "")[:150], "login-failed")


from afstand.web.research.login import LOGIN_ATTEMPTS, LoginView  # noqa: E402,F401  (the login page and its limits)
from afstand.web.research.signups import signups  # noqa: E402,F401  (the owner's sign-ups page)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "afstand/research/home.html", {"memberships": access.memberships(request.user)})


@login_required
def monitor(request: HttpRequest, study: str) -> HttpResponse:
    from afstand.web.research.waves import chosen_wave, switcher

    membership = access.membership(request.user, study)
    wave = chosen_wave(request, membership.study)
    rows = submissions.monitor_rows(membership.study, unknown_channel=gettext("unknown"), wave=wave)
    coding_url = f"/onderzoek/{membership.study.slug}/coderen/" if studies.has_coding(membership.study.slug) else None
    return render(
        request,
        "afstand/research/monitor.html",
        {
            "study": membership.study,
            "role": membership.role,
            "rows": rows,
            "can_export": membership.role in EXPORT_ROLES,
            "coding_url": coding_url,
            **switcher(request, membership.study, wave),
        },
    )


@login_required
def download(request: HttpRequest, study: str, instrument: str, fmt: str) -> HttpResponse:
    """``.csv`` is safe to open in a spreadsheet (formula-looking cells protected); ``.data.csv`` is the
    canonical layout for scripts and ``afstand analyze``, not to be opened in Excel."""
    membership = access.membership(request.user, study, EXPORT_ROLES)
    canonical = fmt == "data.csv"
    kind = "csv" if canonical else fmt
    if kind not in CONTENT_TYPES:
        raise Http404
    from afstand.web.research.waves import chosen_wave

    wave = chosen_wave(request, membership.study)
    found = InstrumentVersion.objects.filter(study=membership.study, name=instrument)
    if not (found.filter(wave__label=wave) if wave else found).exists():
        raise Http404
    header, data = exporter.rows(membership.study.slug, instrument, wave)
    buffer = io.BytesIO()
    name = f"{instrument}-{wave}" if wave else instrument
    latest = studies.latest_instrument(membership.study.slug, instrument, wave)
    try:
        if kind == "xlsx" and latest is not None and latest.repeats:  # Kobo's layout: one sheet per repeat
            exporter.write_workbook(exporter.tables(membership.study.slug, instrument, wave), instrument, buffer)
        else:
            exporter.write(
                header,
                data,
                kind,
                buffer,
                sheet=instrument,
                instrument=exporter.all_versions(membership.study.slug, instrument, wave),
                spreadsheet=kind == "csv" and not canonical,
                study=membership.study.slug,
                data_file=f"{name}.spss.csv",  # the .sps reads the file of the link beside it
            )
    except AfstandError as err:  # e.g. the statistics writer refused the data: say why, never a 500
        return render(request, "afstand/research/message.html", {"study": membership.study, "message": str(err)}, status=422)
    audit(request.user, "export", f"{study}/{instrument}{'/' + wave if wave else ''}.{fmt} ({len(data)} responses)")
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
