"""What one sign-up flush costs as the sign-up table grows (issue 13's batching, issue 18's load).

    .venv/bin/python bench/signup_flush.py [--db URL] [--rows 1000 5000 20000]

A flush writes k new sign-ups and rewrites the whole table in a fresh random order in one
transaction (afstand.services.signup_spool). For each table size this fills the table, then
times one flush of 10 new sign-ups: wall time (on SQLite the time every other writer waits for
the write lock) and this process's CPU. Then, for an ended wave with as many responses, what
deciding its rest costs (signup_spool.decide: its responses arrived, stored and withdrawn, the
day of its last batch and two counts of its responses since; outside the write, once per ended
wave at every flush, whether sign-ups wait or not). Rough numbers, busy machine (2 cores shared,
SQLite): 3-4 ms for 1,000 to 20,000 responses. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loadkit import postgres_cpu_seconds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-signup-flush-"))
    os.environ["AFSTAND_VAR"] = str(tmp)
    from afstand.web.config.server import configure, migrate

    configure(args.db or f"sqlite:///{tmp / 'bench.sqlite3'}")
    migrate()
    from django.db import connection

    from afstand.services import signup_spool
    from afstand.services.studies import load_demo
    from afstand.web.models import SignUp, random_key

    study = load_demo()
    today = dt.date.today()
    for n in args.rows:
        SignUp.objects.all().delete()
        SignUp.objects.bulk_create(
            [
                SignUp(id=random_key(), study=study, purpose="loterij", name=f"n{i}", email="a@example.org", signed_up_on=today)
                for i in range(n)
            ],
            batch_size=1000,
        )
        new = [
            {
                "id": random_key(),
                "study": study.slug,
                "on": today.isoformat(),
                "purpose": "loterij",
                "name": f"x{i}",
                "email": "b@example.org",
            }
            for i in range(10)
        ]
        pg = postgres_cpu_seconds(args.db or "sqlite")
        wall, cpu = time.perf_counter(), time.process_time()
        signup_spool.rewrite(new)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pg = None if pg is None else postgres_cpu_seconds(args.db) - pg
        print(
            f"{connection.vendor}: a flush of 10 into {n} stored sign-ups: {1000 * wall:.1f} ms wall, {1000 * cpu:.1f} ms CPU here"
            + (f", {1000 * pg:.0f} ms CPU in PostgreSQL" if pg is not None else "")
        )

    decide_cost(study, args.rows, args.db)


def decide_cost(study, sizes: list[int], db: str | None) -> None:
    import uuid

    from django.db import connection

    from afstand.services import signup_spool
    from afstand.web.models import InstrumentVersion, Response, SignUp, Wave, random_key

    SignUp.objects.all().delete()  # no earlier batch: every response of the wave is counted
    version = InstrumentVersion.objects.filter(study=study, active=True).order_by("id").first()
    first = dt.date.today() - dt.timedelta(days=60)
    Wave.objects.filter(id=version.wave_id).update(ends_on=first + dt.timedelta(days=30))
    for n in sizes:
        Response.objects.all().delete()
        Response.objects.bulk_create(
            [
                Response(
                    id=random_key(),
                    instrument_version=version,
                    instance_id=uuid.uuid4(),
                    public_id=uuid.uuid4().hex[:16],
                    answers={},
                    submitted_on=first + dt.timedelta(days=i % 30),
                    withdrawal_hash=uuid.uuid4().hex,
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        group = (study.slug, version.wave_id)
        wall = time.perf_counter()
        decided = signup_spool.decide({group: 3}, dt.date.today())[group]
        wall = time.perf_counter() - wall
        print(f"{connection.vendor}: deciding an ended wave's rest with {n} responses: {1000 * wall:.1f} ms ({decided.state})")


if __name__ == "__main__":
    main()
