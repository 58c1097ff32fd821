"""A wave's fieldwork dates after it was started: close it now, set or move its dates, reopen it.

The dates are days, not moments, and nothing records a wave as closed: every part reads them on
its own day with one rule (:func:`state`).

* ``starts_on``: the first day the wave's links take answers (``None``: from its creation).
* ``ends_on``: the last day they take answers (``None``: no end). The wave has **ended** once
  ``ends_on`` is before today: its links answer 410 (the questionnaire pages and the API), a draft
  not sent yet expires, the sign-up form answers 410, and the sign-up flush writes the wave's rest
  (:func:`afstand.services.signup_spool.closed`, ``docs/deploy.md``, "The end of a wave").

**Close now** sets ``ends_on`` to yesterday, so that all of this holds from the next request, the
same moment for every part — a last day of today would keep the links open until midnight (that
is "end today": set the last day to today). A first day of today or later moves back to
yesterday as well, so the dates stay in order. Responses that came in earlier today keep their
date: changing dates only ever updates the wave's two date columns, never a stored response.

Every change is checked first (:class:`DateProblem`: English message ids, translated on the web)
and written with its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_noop

from afstand.errors import AfstandError
from afstand.web.models import Wave

UNCHANGED = object()  # a date argument that was not given

END_BEFORE_START = gettext_noop("Wave %(wave)s: the fieldwork cannot end on %(ends)s, before it starts on %(starts)s.")
START_LOCKED = gettext_noop("Wave %(wave)s has started already: its first day can no longer be changed.")
START_IN_PAST = gettext_noop("Wave %(wave)s: the first day cannot be in the past (%(starts)s). Choose today or a later day.")
END_IN_PAST = gettext_noop(
    "Wave %(wave)s: the last day cannot be in the past (%(ends)s). Choose today or a later day, or close the wave now."
)
NOT_ENDED = gettext_noop(
    "Wave %(wave)s has not ended: there is nothing to reopen. To extend its fieldwork, move its last day to a later day."
)


class DateProblem(AfstandError):
    """A date change refused: ``message_id`` (English, with ``%(name)s`` placeholders; Dutch in the
    catalogue) and its ``params``. ``str()`` is the English message with ISO dates (the command line)."""

    def __init__(self, message_id: str, **params):
        self.message_id, self.params = message_id, params
        super().__init__(message_id % {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()})


def state(wave: Wave, today: dt.date | None = None) -> str:
    """``"not_started"`` (today is before its first day), ``"ended"`` (its last day is before
    today) or ``"open"`` (its links take answers today)."""
    today = today or dt.date.today()
    if wave.ends_on is not None and wave.ends_on < today:
        return "ended"
    if wave.starts_on is not None and today < wave.starts_on:
        return "not_started"
    return "open"


@dataclass(frozen=True)
class Change:
    """What a date change did: the wave's dates and state before and after (``changed``: anything)."""

    wave: Wave
    before: tuple[dt.date | None, dt.date | None]
    after: tuple[dt.date | None, dt.date | None]
    state_before: str
    state_after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def action(self) -> str:
        """The audit log's action: ``wave-close``, ``wave-reopen`` or ``wave-dates``."""
        if self.state_after == "ended" and self.state_before != "ended":
            return "wave-close"
        if self.state_before == "ended" and self.state_after != "ended":
            return "wave-reopen"
        return "wave-dates"

    def detail(self) -> str:
        def show(pair):
            return " – ".join(d.isoformat() if d else "…" for d in pair)

        return f"{self.wave.study.slug}/{self.wave.label}: {show(self.before)} → {show(self.after)}"


def check(wave: Wave, starts_on, ends_on, today: dt.date) -> None:
    """Refuse (:class:`DateProblem`) new dates for ``wave``: a first day changed once the wave has
    started or moved into the past; a last day moved into the past (closing is :func:`close_now`);
    a last day before the first."""
    label = wave.label
    if starts_on != wave.starts_on:
        if state(wave, today) != "not_started":
            raise DateProblem(START_LOCKED, wave=label)
        if starts_on is not None and starts_on < today:
            raise DateProblem(START_IN_PAST, wave=label, starts=starts_on)
    if ends_on != wave.ends_on and ends_on is not None and ends_on < today:
        raise DateProblem(END_IN_PAST, wave=label, ends=ends_on)
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise DateProblem(END_BEFORE_START, wave=label, ends=ends_on, starts=starts_on)


def change_dates(wave: Wave, *, starts_on=UNCHANGED, ends_on=UNCHANGED, actor="system", today: dt.date | None = None) -> Change:
    """Set or move the wave's dates (a date not given stays; ``None`` removes it). Moving the last
    day of an ended wave to today or later reopens it. Checked by :func:`check`; written with its
    audit entry (by ``actor``: a user or a name) in one transaction; nothing else is touched."""
    today = today or dt.date.today()
    with transaction.atomic():
        wave = _locked(wave)
        starts = wave.starts_on if starts_on is UNCHANGED else starts_on
        ends = wave.ends_on if ends_on is UNCHANGED else ends_on
        check(wave, starts, ends, today)
        return _write(wave, starts, ends, actor, today)


def close_now(wave: Wave, *, actor="system", today: dt.date | None = None) -> Change:
    """End the wave's fieldwork now: its last day becomes yesterday (and a first day of today or
    later, yesterday too), so its links answer 410 from the next request. A wave that has ended
    already keeps its dates (nothing changes, nothing is logged)."""
    today = today or dt.date.today()
    with transaction.atomic():
        wave = _locked(wave)
        if state(wave, today) == "ended":
            return _write(wave, wave.starts_on, wave.ends_on, actor, today)
        yesterday = today - dt.timedelta(days=1)
        starts = yesterday if wave.starts_on is not None and wave.starts_on > yesterday else wave.starts_on
        return _write(wave, starts, yesterday, actor, today)


def reopen(wave: Wave, ends_on: dt.date | None, *, actor="system", today: dt.date | None = None) -> Change:
    """Open an ended wave again until ``ends_on`` (today or later; ``None``: no end)."""
    today = today or dt.date.today()
    with transaction.atomic():
        wave = _locked(wave)
        if state(wave, today) != "ended":
            raise DateProblem(NOT_ENDED, wave=wave.label)
        if ends_on is not None and ends_on < today:
            raise DateProblem(END_IN_PAST, wave=wave.label, ends=ends_on)
        check(wave, wave.starts_on, ends_on, today)
        return _write(wave, wave.starts_on, ends_on, actor, today)


def _locked(wave: Wave) -> Wave:
    """The wave's row as stored now, locked until the transaction ends (two owners at once: one after the other)."""
    return Wave.objects.select_for_update().select_related("study").get(pk=wave.pk)


def _write(wave: Wave, starts, ends, actor, today: dt.date) -> Change:
    from afstand.services.access import audit

    before = (wave.starts_on, wave.ends_on)
    state_before = state(wave, today)
    if (starts, ends) != before:
        Wave.objects.filter(pk=wave.pk).update(starts_on=starts, ends_on=ends)  # these two columns only
        wave.starts_on, wave.ends_on = starts, ends
    change = Change(wave, before, (starts, ends), state_before, state(wave, today))
    if change.changed:
        audit(actor, change.action, change.detail())
    return change
