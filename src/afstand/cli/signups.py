"""``afstand signups flush``: the maintenance a cron job runs (docs/deploy.md).

Writes the spooled sign-ups of every study and wave of which at least k wait, and all the waiting
sign-ups of every wave whose fieldwork has ended (in one shuffled rewrite of the sign-up table, at
a moment no respondent chose: :mod:`afstand.services.signup_spool`), then removes what deletes left behind (``VACUUM`` of the sign-up and response tables on
PostgreSQL, a WAL checkpoint on SQLite: withdrawn answers) and the expired rate-limit counters."""

from __future__ import annotations

from afstand.cli.common import open_database
from afstand.cli.database import DB_HELP


def register(sub) -> None:
    group = sub.add_parser("signups", help="sign-up maintenance (cron): write waiting sign-ups in batches of k")
    commands = group.add_subparsers(title="signups commands")
    p = commands.add_parser(
        "flush",
        help="write the sign-ups of every wave with at least k waiting or whose fieldwork has ended; clean up deleted rows and expired limits",
        description="Write the spooled sign-ups of every study and wave of which at least k (AFSTAND_SIGNUP_BATCH) wait, "
        "and all those of every wave whose fieldwork has ended (its end date has passed; held while too few of its "
        "responses came in after its previous batch, or since a flush last decided about it after an earlier end: "
        "docs/deploy.md), to the database in one shuffled batch, VACUUM the sign-up and response tables (PostgreSQL) or "
        "checkpoint the WAL (SQLite), and delete expired rate-limit counters. It prints what it wrote, not how many still "
        "wait. Run it from cron (docs/deploy.md).",
    )
    p.add_argument("--db", help=DB_HELP)
    p.set_defaults(handler=cmd_flush)
    group.set_defaults(handler=lambda args: group.print_help() or 2)


def cmd_flush(args) -> int:
    open_database(args.db)
    from afstand.services import scrub

    print(summary(scrub.maintenance()))
    return 0


def summary(done: dict[str, int]) -> str:
    """The command's one line: what was written (the owner's list shows it anyway) and removed,
    never how many still wait (docs/security.md: a count below k, run after run, would tell whether
    the last respondent signed up; whoever needs it has the spool folder)."""
    return (
        f"wrote {done['written']} sign-ups ({done['closed']} the rest of ended waves); how many still wait is not shown; "
        f"removed {done['expired']} expired rate-limit counters"
    )
