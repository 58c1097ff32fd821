"""The owner's sign-ups page (lottery, focus groups): the stored sign-ups, per wave what still waits
and why, and "write the waiting sign-ups now"."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext

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
    or the rest of a wave whose fieldwork has ended) and, per wave, which rule applies to what
    waits, in words: a spooled sign-up is never shown (the difference between two looks would
    name the person who just answered), nor how many wait, nor anything else that changes with
    one more sign-up (counting them between two looks, or between a close and a reopen, would
    tell whether the person who just answered signed up; review rev14 F2). POST writes the
    sign-ups of ended waves that the rules allow (:func:`signup_spool.flush_report`, which also
    records the look it is, whatever waits); an open wave's wait for the scheduled write."""
    from afstand.services import waves as wave_service
    from afstand.web.research.waves import chosen_wave, switcher

    membership = access.membership(request.user, study, {"owner"})
    wave = chosen_wave(request, membership.study)
    chosen = wave_service.wave_by_label(membership.study, wave) if wave else None
    message, status = "", 200
    if request.method == "POST" and fmt == "html":
        done = signup_spool.flush_report(study_slug=membership.study.slug, ended_only=True)
        audit(request.user, "signups-written", f"{study} ({done['written']} sign-ups, {done['closed']} the rest of ended waves)")
        if done["written"]:  # the list shows them: this answer says nothing the list does not
            return redirect(request.get_full_path())
        message, status = (
            gettext(
                "Nothing was written. This button writes the waiting sign-ups of waves whose fieldwork has ended, as far as "
                "the rules below allow. The sign-ups of a wave whose fieldwork is still open are written in groups of at "
                "least %(k)d at the scheduled write, so that nobody can link a name to answers."
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
            "waiting": [{"rule": g.rule, "text": waiting_text(g)} for g in groups],  # never g.state nor g.waiting
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
    """One sentence on the rule that applies to what waits of one wave (:attr:`signup_spool.Group.rule`):
    the same words whether none, one or many wait (review rev14 F2)."""
    k = _k()
    if group.wave is None:  # kept from before waves: no new sign-up joins them
        return gettext(
            "Sign-ups without a wave (kept from before waves) are waiting: they are written once at least %(k)d are waiting."
        ) % {"k": k}
    values = {"wave": group.wave.label, "k": k}
    if group.wave.ends_on is not None:
        values["ends"] = date_format(group.wave.ends_on)
    if group.rule == "open":
        if group.wave.ends_on is None:
            return (
                gettext("Wave %(wave)s has no end date: its sign-ups are written at the scheduled write once at least %(k)d are waiting.")
                % values
            )
        return (
            gettext(
                "The fieldwork of wave %(wave)s runs until %(ends)s: its sign-ups are written at the scheduled write once at least "
                "%(k)d are waiting, and all of them once its fieldwork has ended."
            )
            % values
        )
    if group.rule == "ended":
        return (
            gettext(
                "The fieldwork of wave %(wave)s ended on %(ends)s: its waiting sign-ups, if any, are written at the next scheduled "
                "write, or now with the button."
            )
            % values
        )
    if group.rule == "ended-k":
        return (
            gettext(
                "The fieldwork of wave %(wave)s ended on %(ends)s, but fewer than %(k)d of its responses came in after its last "
                "group of sign-ups was written: its waiting sign-ups are written only if at least %(k)d are waiting, so that a "
                "name cannot be linked to those few answers. Fewer are not written; they are removed when the retention period ends."
            )
            % values
        )
    return (
        gettext(  # held: fewer than k responses since a flush last decided about the ended wave
            "The fieldwork of wave %(wave)s ended on %(ends)s. Its waiting sign-ups were looked at after an earlier end of its "
            "fieldwork, and since then fewer than %(k)d responses have come in: sign-ups waiting now, if any, are not written, "
            "so that a name cannot be linked to those few answers. They can be written once at least %(k)d more responses "
            "have come in (reopen the wave); otherwise they are removed when the retention period ends."
        )
        % values
    )
