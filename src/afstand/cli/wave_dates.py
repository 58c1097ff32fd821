"""``afstand study wave close|dates|reopen``: a wave's fieldwork dates after it was started
(:mod:`afstand.services.fieldwork`). Every change is checked (a refused date: one line, exit 2)
and written with its audit entry (user ``cli:<login name>``)."""

from __future__ import annotations

from afstand.cli.database import DB_HELP
from afstand.errors import AfstandError

NONE = "none"  # --starts none / --ends none: remove the date


def add_date_parsers(wsub) -> None:
    """Add ``close``, ``dates`` and ``reopen`` to the ``study wave`` command group."""
    q = wsub.add_parser(
        "close",
        help="close the wave now: its links answer 410 from now on (its last day becomes yesterday)",
        description="Close the wave's fieldwork now. Its last day becomes yesterday (dates are whole days; a wave is closed "
        "once its last day has passed), so from now on its links say the questionnaire is closed (410), drafts not sent "
        "yet can no longer be sent, its sign-up form is closed, and `afstand signups flush` writes its waiting sign-ups. "
        "A first day of today or later becomes yesterday too. Stored responses are not changed. A wave that has "
        "ended already is left as it is.",
    )
    _common(q)
    q.set_defaults(handler=cmd_close)
    q = wsub.add_parser(
        "dates",
        help="set or move the wave's first day (before it has started) and last day (today or later)",
        description="Set or move the wave's fieldwork dates. The first day can change only before the wave has started, "
        "and not into the past; the last day can move to today or later (moving an ended wave's last day so reopens it) "
        "and not before the first day. To close the wave now use `close`. `none` removes a date.",
    )
    _common(q)
    q.add_argument("--starts", metavar="YYYY-MM-DD|none", help="the first day on which the links take answers")
    q.add_argument("--ends", metavar="YYYY-MM-DD|none", help="the last day on which the links take answers")
    q.set_defaults(handler=cmd_dates)
    q = wsub.add_parser(
        "reopen",
        help="open an ended wave again until a new last day (today or later)",
        description="Open an ended wave again: its links take answers again until the new last day (today or later; "
        "`none`: no last day). Answers sent before are kept.",
    )
    _common(q)
    q.add_argument("--ends", required=True, metavar="YYYY-MM-DD|none", help="the new last day")
    q.set_defaults(handler=cmd_reopen)


def _common(q) -> None:
    q.add_argument("--study", required=True, help="study id in the database")
    q.add_argument("--wave", required=True, help="the wave's label, e.g. 2022")
    q.add_argument("--db", help=DB_HELP)


def _day(value: str, option: str):
    """A date option: YYYY-MM-DD, or ``none`` (no date)."""
    import datetime as dt

    if value.strip().lower() == NONE:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AfstandError(f"{option} {value!r}: not a date (YYYY-MM-DD, or {NONE})") from None


def _wave(args):
    from afstand.cli.common import open_database

    open_database(args.db)
    from afstand.services import studies, waves

    study = studies.study_by_slug(args.study)
    wave = waves.wave_by_label(study, args.wave)
    if wave is None:
        known = ", ".join(w.label for w in waves.waves_of(study)) or "none"
        raise AfstandError(f"--wave {args.wave}: study {study.slug} has no such wave (its waves: {known})")
    return wave


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a user entry)
        return "cli"


def _report(change) -> None:
    wave = change.wave
    dates = f"{wave.starts_on.isoformat() if wave.starts_on else '…'} – {wave.ends_on.isoformat() if wave.ends_on else '…'}"
    says = {
        "ended": "closed: its links say the questionnaire is closed (410)",
        "open": "open: its links take answers",
        "not_started": "not started: its links take answers from its first day",
    }[change.state_after]
    print(f"{wave.study.slug}: wave {wave.label} {'is' if change.changed else 'was already'} {says}; fieldwork {dates}")


def cmd_close(args) -> int:
    found = _wave(args)  # opens the database first: the service imports the models
    from afstand.services import fieldwork

    _report(fieldwork.close_now(found, actor=_actor()))
    return 0


def cmd_dates(args) -> int:
    if args.starts is None and args.ends is None:
        raise AfstandError("study wave dates: give --starts, --ends or both (YYYY-MM-DD, or none)")
    given = {}
    if args.starts is not None:
        given["starts_on"] = _day(args.starts, "--starts")
    if args.ends is not None:
        given["ends_on"] = _day(args.ends, "--ends")
    found = _wave(args)
    from afstand.services import fieldwork

    _report(fieldwork.change_dates(found, actor=_actor(), **given))
    return 0


def cmd_reopen(args) -> int:
    ends = _day(args.ends, "--ends")
    found = _wave(args)
    from afstand.services import fieldwork

    _report(fieldwork.reopen(found, ends, actor=_actor()))
    return 0
