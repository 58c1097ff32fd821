"""Commands on the web app's database: ``serve``, ``export``, ``createuser`` and ``purge``.

They call :mod:`afstand.services`, the same functions the web pages call."""

from __future__ import annotations

import sys
from pathlib import Path

from afstand.cli.common import open_database
from afstand.errors import AfstandError

DB_HELP = "database URL: sqlite:///path (default var/afstand.sqlite3) or postgresql://… (default: $AFSTAND_DB_URL)"


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="run the web app (gunicorn); migrations run on start",
        description="Run the web app with gunicorn on embedded SQLite (default) or PostgreSQL.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--fd", type=int, help="serve on this inherited, already listening socket (file descriptor) instead of --host/--port")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--demo", action="store_true", help="load the default study's instruments ($AFSTAND_STUDY)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument(
        "--threads", type=int, default=4, help="threads per worker (gunicorn gthread worker when > 1; default 4: overlaps database commits)"
    )
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser(
        "export", help="export stored responses", description="Export stored responses of one instrument in the canonical layout."
    )
    p.add_argument("--instrument", required=True, help="instrument name in the study")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--study", help="study id in the database (default: $AFSTAND_STUDY)")
    p.add_argument(
        "--format",
        choices=("csv", "xlsx", "sav", "dta", "sps"),
        default="csv",
        help="csv, xlsx, SPSS .sav, Stata .dta, or SPSS syntax .sps (written with the coded data it reads, OUT's name with "
        ".spss.csv) (default csv; codes, labels, missing values: docs/data-formats.md)",
    )
    p.add_argument("--out", required=True, help="output file (written atomically)")
    p.add_argument("--wave", help="only this wave's responses (default: every wave; the file has a wave column)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "createuser",
        help="create a researcher account with a role in a study",
        description="Create (or update) a researcher account. The password is read from AFSTAND_PASSWORD or asked for.",
    )
    p.add_argument("--username", required=True, help="login name")
    p.add_argument("--study", help="study id (default: $AFSTAND_STUDY; loaded from its study folder when not in the database yet)")
    p.add_argument("--role", choices=("owner", "analyst", "coder"), default="analyst", help="role in the study (default analyst)")
    p.add_argument("--staff", action="store_true", help="may create new studies (and with them public sign-up forms)")
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(handler=cmd_createuser)

    p = sub.add_parser(
        "purge",
        help="delete responses and sign-ups older than the retention period",
        description="Delete stored responses and sign-ups older than N days (default: AFSTAND_RETENTION_DAYS).",
    )
    p.add_argument("--older-than", type=int, help="days (default: $AFSTAND_RETENTION_DAYS)")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--study", help="with --wave: the study whose wave to purge")
    p.add_argument("--wave", help="only the responses, sign-ups and drafts of this wave of --study")
    p.set_defaults(handler=cmd_purge)


def cmd_serve(args) -> int:
    from afstand.web.config.server import serve

    open_database(args.db)
    if args.demo:
        from afstand.services.studies import load_demo

        load_demo()
    print(f"afstand serving on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    serve(args.host, args.port, max(1, args.workers), max(1, args.threads), fd=args.fd)
    return 0


def cmd_export(args) -> int:
    from afstand import config

    open_database(args.db)
    from afstand.services.exports import export

    n = export(args.study or config.get("AFSTAND_STUDY"), args.instrument, args.format, Path(args.out), args.wave)
    print(f"wrote {args.out} ({n} responses)")
    return 0


def cmd_createuser(args) -> int:
    import getpass

    from afstand import config

    password = config.get("AFSTAND_PASSWORD") or getpass.getpass("Wachtwoord: ")
    open_database(args.db)
    from afstand.services import access, studies

    user = access.create_user(args.username, password, staff=args.staff)
    study = studies.study_or_folder(args.study or config.get("AFSTAND_STUDY"))
    access.grant(user, study, args.role)
    print(f"{args.username}: {args.role} of {study.slug}" + (", may create studies" if user.is_staff else ""))
    return 0


def cmd_purge(args) -> int:
    from afstand import config

    days = args.older_than if args.older_than is not None else config.get("AFSTAND_RETENTION_DAYS")
    if days is None or days < 0:
        raise AfstandError("give --older-than DAYS (0 or more) or set AFSTAND_RETENTION_DAYS")
    open_database(args.db)
    from afstand.services.submissions import purge

    wave = None
    if args.wave or args.study:
        if not (args.wave and args.study):
            raise AfstandError("--wave and --study go together")
        from afstand.services import studies, waves

        wave = waves.wave_by_label(studies.study_by_slug(args.study), args.wave)
        if wave is None:
            raise AfstandError(f"study {args.study} has no wave {args.wave}")
    counts = purge(days, wave=wave)
    print(f"deleted {counts['responses']} responses and {counts['signups']} sign-ups older than {days} days")
    return 0
