"""Where the time of one submission goes: the WSGI app called in-process, no network, no load generator.

    .venv/bin/python bench/submission.py [--n 3000] [--db URL]

Sets up a fresh database (SQLite in a temporary folder by default) with the demo study, then
posts N valid client responses (each a new instance id) straight to the WSGI application
under cProfile, and prints the CPU time per request of each step: Django's request handling
and middleware, reading the JSON body, looking up the survey, ``check_submission``, the
exactly-once INSERT and building the JSON response. Not a test.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loadkit import CLIENT_ANSWERS  # noqa: E402  (the same answers as the load benchmarks)

STEPS = [  # (label, function as cProfile names it: file suffix, function name)
    ("JSON body parsed (json.loads)", ("json/__init__.py", "loads")),
    ("survey looked up (active_version)", ("services/studies.py", "active_version")),
    ("answers checked (check_submission)", ("responses/submission.py", "check_submission")),
    ("withdrawal code + hash (HMAC, SHA-256)", ("services/submissions.py", "withdrawal_code")),
    ("exactly-once INSERT (_insert_unless_known)", ("services/submissions.py", "_insert_unless_known")),
    ("submit() in all", ("services/submissions.py", "submit")),
    ("the view in all (submit_response)", ("respondent/api.py", "submit_response")),
    ("JSON response built (JsonResponse)", ("django/http/response.py", "__init__")),
    ("whole request (WSGIHandler.__call__)", ("django/core/handlers/wsgi.py", "__call__")),
]


def environ(body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/surveys/clienten/responses",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
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
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-submission-"))
    os.environ["AFSTAND_VAR"] = str(tmp)
    os.environ.setdefault("AFSTAND_RATE_LIMIT", str(10 * args.n))
    from afstand.web.config.server import configure, migrate

    configure(args.db or f"sqlite:///{tmp / 'bench.sqlite3'}")
    migrate()
    from afstand.services.studies import load_demo
    from afstand.web.config.wsgi import application

    load_demo()
    bodies = [json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS}).encode() for _ in range(args.n + 50)]
    statuses: dict[str, int] = {}

    def post(body: bytes) -> None:
        def start_response(status, headers):
            statuses[status] = statuses.get(status, 0) + 1

        for _ in application(environ(body), start_response):
            pass

    for body in bodies[args.n :]:  # warm up: caches, first connection, the parsed instrument
        post(body)
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
        f"{args.n} submissions in-process ({'PostgreSQL' if args.db and args.db.startswith('postgres') else 'SQLite'}): "
        f"statuses {statuses}; {args.n / wall:.0f}/s on one core (wall {wall:.2f} s, CPU {cpu:.2f} s, under cProfile)"
    )
    print("\n| step | CPU ms per submission (cumulative, under cProfile) |\n|---|---|")
    for label, (suffix, name) in STEPS:
        total = sum(v[3] for (file, _, func), v in stats.items() if file.endswith(suffix) and func == name)
        print(f"| {label} | {1000 * total / args.n:.3f} |")
    if args.top:
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
