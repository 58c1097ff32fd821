"""Where the time of one submission goes: the WSGI app called in-process, no network, no load generator.

    .venv/bin/python bench/submission.py [--n 3000] [--db URL]

Sets up a fresh database (SQLite in a temporary folder by default) with the demo study, then
posts N valid client responses (each a new instance id) straight to the WSGI application:
first without a profiler, printing the CPU per submission (and the PostgreSQL server's, for a
server started by scripts/postgres.sh) and the SQL statements per submission (each one a round
trip on PostgreSQL); then under cProfile, printing the CPU time per request of each step:
Django's request handling and middleware, reading the JSON body, the rate limit, looking up the
survey, ``check_submission``, the exactly-once INSERT and building the JSON response.
``--signups``: lottery sign-ups instead (the form post: spooled with fsync, flushed in shuffled
batches of ``AFSTAND_SIGNUP_BATCH``, default 10); the table grows by N during the run. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loadkit import CLIENT_ANSWERS, postgres_cpu_seconds  # noqa: E402  (the same answers as the load benchmarks)

STEPS = [  # (label, function as cProfile names it: file suffix, function name)
    ("JSON body parsed (json.loads)", ("json/__init__.py", "loads")),
    ("survey looked up (active_version)", ("services/studies.py", "active_version")),
    ("answers checked (check_submission)", ("responses/submission.py", "check_submission")),
    ("withdrawal code + hash (HMAC, SHA-256)", ("services/submissions.py", "withdrawal_code")),
    ("rate limit counted (CounterCache.hit)", ("config/limit_cache.py", "hit")),
    ("exactly-once INSERT (PostgreSQL: with its lock, one query string)", ("services/submissions.py", "_insert_unless_known")),
    ("", ("services/submissions.py", "_locked_insert_unless_known")),  # summed into the line above
    ("submit() in all", ("services/submissions.py", "submit")),
    ("the view in all (submit_response)", ("respondent/api.py", "submit_response")),
    ("JSON response built (JsonResponse)", ("django/http/response.py", "__init__")),
    ("whole request (WSGIHandler.__call__)", ("django/core/handlers/wsgi.py", "__call__")),
]


SIGNUP_PATH = "/aanmelden/werken-op-afstand"  # the demo study's sign-up form (bench/privacy_load.py posts the same)


def environ(body: bytes, path: str = "/api/v1/surveys/clienten/responses", content_type: str = "application/json") -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--db")
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with the most own time")
    parser.add_argument("--signups", action="store_true", help="post lottery sign-ups (spooled, flushed in batches of 10) instead")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-submission-"))
    os.environ["AFSTAND_VAR"] = str(tmp)
    os.environ.setdefault("AFSTAND_SIGNUP_LIMIT", str(10 * args.n))
    os.environ.setdefault("AFSTAND_RATE_LIMIT", str(10 * args.n))
    from afstand.web.config.server import configure, migrate

    configure(args.db or f"sqlite:///{tmp / 'bench.sqlite3'}")
    migrate()
    from afstand.services.studies import load_demo
    from afstand.web.config.wsgi import application

    load_demo()
    if args.signups:
        form = {"purpose": "loterij", "email": "deelnemer@example.org"}
        bodies = [urlencode({**form, "name": f"Deelnemer {uuid.uuid4().hex[:6]}"}).encode() for _ in range(2 * args.n + 50)]
        request = {"path": SIGNUP_PATH, "content_type": "application/x-www-form-urlencoded"}
    else:
        bodies = [json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS}).encode() for _ in range(2 * args.n + 50)]
        request = {}
    statuses: dict[str, int] = {}

    def post(body: bytes) -> None:
        def start_response(status, headers):
            statuses[status] = statuses.get(status, 0) + 1

        for _ in application(environ(body, **request), start_response):
            pass

    for body in bodies[args.n : args.n + 50]:  # warm up: caches, first connection, the parsed instrument
        post(body)
    # without the profiler: CPU per submission (this process; the PostgreSQL server's too) and statements
    from django.db import connection

    plain = bodies[args.n + 50 :]
    statements = 0

    def counted(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    database = args.db or "sqlite"
    what = "sign-up" if args.signups else "submission"
    cpu, pg_cpu = time.process_time(), postgres_cpu_seconds(database)
    with connection.execute_wrapper(counted):
        for body in plain:
            post(body)
    cpu, pg_cpu = time.process_time() - cpu, None if pg_cpu is None else postgres_cpu_seconds(database) - pg_cpu
    print(
        f"without the profiler: {1000 * cpu / len(plain):.2f} ms CPU per {what} in this process"
        + (f", {1000 * pg_cpu / len(plain):.2f} ms in PostgreSQL" if pg_cpu is not None else "")
        + f"; {statements / len(plain):.1f} SQL statements per {what} (on PostgreSQL each a round trip, "
        "plus BEGIN and COMMIT for each transaction block)"
    )
    statuses.clear()
    profile = cProfile.Profile(time.process_time)
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    for body in bodies[: args.n]:
        post(body)
    profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = pstats.Stats(profile).stats
    print(
        f"{args.n} {'sign-ups' if args.signups else 'submissions'} in-process ({'PostgreSQL' if args.db and args.db.startswith('postgres') else 'SQLite'}): "
        f"statuses {statuses}; {args.n / wall:.0f}/s on one core (wall {wall:.2f} s, CPU {cpu:.2f} s, under cProfile)"
    )
    if args.signups:  # the steps below are a submission's
        if args.top:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        return
    print("\n| step | CPU ms per submission (cumulative, under cProfile) |\n|---|---|")
    rows: list[list] = []
    for label, (suffix, name) in STEPS:
        total = sum(v[3] for (file, _, func), v in stats.items() if file.endswith(suffix) and func == name)
        if label:
            rows.append([label, total])
        else:
            rows[-1][1] += total
    for label, total in rows:
        print(f"| {label} | {1000 * total / args.n:.3f} |")
    if args.top:
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
    if os.environ.get("DUMP_PROFILE"):
        profile.dump_stats(os.environ["DUMP_PROFILE"])


if __name__ == "__main__":
    main()
