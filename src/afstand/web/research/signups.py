"""The owner's sign-ups page (lottery, focus groups): the stored sign-ups, per wave what still waits
and why, and "write the waiting sign-ups now"."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from afstand.services import access, signup_spool
from afstand.services import exports as exporter
from afstand.services.access import audit
from afstand.web.models import SignUp

SIGNUP_FIELDS = ("purpose", "name", "email", "phone", "availability", "wave")  # no date: a sign-up has none of its own
CSV = "text/csv; charset=utf-8"


@login_required
def signups(request: HttpRequest, study: str, fmt: str = "html") -> HttpResponse:
    """Lottery and focus-group sign-ups (of one wave with ``?meting=``, or of all): owners only, in
    random order, never beside any answer. Only stored sign-ups (written in batches of at least k,
    or the rest of a wave whose fieldwork has ended) and, per wave, what waits and why: a spooled
    sign-up is never shown (the difference between two looks would name the person who just
    answered), nor how many of an open wave wait while fewer than k do (counting them between two
    looks would pin each to the response just before it). POST writes what can be written now,
    refused with the reason while nothing can."""
    from afstand.services import waves as wave_service
    from afstand.web.research.waves import chosen_wave, switcher

    membership = access.membership(request.user, study, {"owner"})
    wave = chosen_wave(request, membership.study)
    chosen = wave_service.wave_by_label(membership.study, wave) if wave else None
    message, status = "", 200
    if request.method == "POST" and fmt == "html":
        if any(group.writable for group in signup_spool.status(membership.study)):
            done = signup_spool.flush_report(study_slug=membership.study.slug)
            audit(request.user, "signups-written", f"{study} ({done['written']} sign-ups, {done['closed']} the rest of ended waves)")
            return redirect(request.get_full_path())
        message, status = (
            gettext(
                "Nothing was written: no sign-ups can be written now. Sign-ups of a wave whose fieldwork is still open are "
                "written only in groups of at least %(k)d, so that nobody can link a name to answers; once its fieldwork "
                "has ended, all of them are written."
            )
            % {"k": _k()},
            409,
        )
    found = signup_spool.stored_for(membership.study, chosen)
    rows = [tuple(r[f] for f in SIGNUP_FIELDS) for r in found]
    audit(request.user, "signups", f"{study}{'/' + wave if wave else ''}.{fmt} ({len(rows)} sign-ups)")
    if fmt == "csv":
        buffer = io.BytesIO()
        exporter.write(list(SIGNUP_FIELDS), [list(r) for r in rows], "csv", buffer, spreadsheet=True)
        response = HttpResponse(buffer.getvalue(), content_type=CSV)
        name = f"aanmeldingen-{membership.study.slug}{'-' + wave if wave else ''}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    labels = dict(SignUp.PURPOSES)
    groups = signup_spool.status(membership.study, chosen)
    return render(
        request,
        "afstand/research/signups.html",
        {
            "study": membership.study,
            "rows": [(labels.get(r[0], r[0]),) + r[1:] for r in rows],
            "waiting": [{"state": g.state, "text": waiting_text(g)} for g in groups],
            "k": _k(),
            "message": message,
            **switcher(request, membership.study, wave),
        },
        status=status,
    )


def _k() -> int:
    from django.conf import settings

    return settings.AFSTAND_SIGNUP_BATCH


def waiting_text(group: signup_spool.Group) -> str:
    """One sentence on what waits of one wave and why (the number only where showing it names nobody)."""
    k, n = _k(), group.waiting
    if group.wave is None:  # kept from before waves: no new sign-up joins them, so their number moves with no response
        return ngettext(
            "%(n)d sign-up without a wave (kept from before waves) is waiting: it is written once at least %(k)d are waiting.",
            "%(n)d sign-ups without a wave (kept from before waves) are waiting: they are written once at least %(k)d are waiting.",
            n,
        ) % {"n": n, "k": k}
    values = {"wave": group.wave.label, "n": n, "k": k, "after": group.after or 0}
    if group.wave.ends_on is not None:
        values["ends"] = date_format(group.wave.ends_on)
    if group.state == "ready":
        return (
            ngettext(
                "Wave %(wave)s: %(n)d sign-up is waiting; it is written at the next scheduled write, or now with the button.",
                "Wave %(wave)s: %(n)d sign-ups are waiting; they are written at the next scheduled write, or now with the button.",
                n,
            )
            % values
        )
    if group.state == "open":
        if group.wave.ends_on is None:
            return (
                gettext(
                    "Wave %(wave)s has no end date: its sign-ups are shown here once at least %(k)d are waiting. "
                    "How many are waiting is not shown before then: counting them between two looks would tell who just answered."
                )
                % values
            )
        return (
            gettext(
                "The fieldwork of wave %(wave)s runs until %(ends)s: its sign-ups are shown here once at least %(k)d are waiting, or all of them "
                "once its fieldwork has ended. How many are waiting is not shown before then: counting them between two looks "
                "would tell who just answered."
            )
            % values
        )
    if n == 0:
        return gettext("The fieldwork of wave %(wave)s ended on %(ends)s: no sign-ups are waiting.") % values
    if group.state == "closed":
        return (
            ngettext(
                "The fieldwork of wave %(wave)s ended on %(ends)s: its %(n)d waiting sign-up is written at the next scheduled "
                "write, or now with the button.",
                "The fieldwork of wave %(wave)s ended on %(ends)s: its %(n)d waiting sign-ups are written at the next scheduled "
                "write, or now with the button.",
                n,
            )
            % values
        )
    return (
        ngettext(  # held
            "The fieldwork of wave %(wave)s ended on %(ends)s, but its %(n)d waiting sign-up is not written: the number of its "
            "responses that came in after its last group of sign-ups was written (%(after)d) is below %(k)d, so a name could "
            "be linked to answers. It is removed when the retention period ends.",
            "The fieldwork of wave %(wave)s ended on %(ends)s, but its %(n)d waiting sign-ups are not written: the number of its "
            "responses that came in after its last group of sign-ups was written (%(after)d) is below %(k)d, so a name could "
            "be linked to answers. They are removed when the retention period ends.",
            n,
        )
        % values
    )
