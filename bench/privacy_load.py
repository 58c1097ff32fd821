"""Submission throughput with issue 13's privacy machinery on — 127.0.0.1 only, bounded in time.

    .venv/bin/python bench/privacy_load.py [--seconds 15] [--concurrency 32] [--workers 2]
                                           [--signup-every 4] [--batch 10] [--src PATH] [--db URL]

Starts `afstand serve --demo` (from ``--src``, default this checkout; give another checkout's
``src`` for a before/after comparison) with a fresh database, then keeps ``concurrency`` keep-alive
connections posting valid client responses; every ``signup-every``-th request of a connection is a
lottery sign-up instead (spooled and written in shuffled batches of ``--batch``). The rate limits
count every submission and sign-up in the shared database cache (the default store).
Prints submissions/s and p50/p99 of the submissions, sign-ups/s and their p99. Not a test.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from loadkit import CLIENT_ANSWERS, CLIENT_RESPONSES, demo_server, percentile, postgres_cpu_seconds, server_cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--signup-every", type=int, default=4, help="0: submissions only")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"))
    parser.add_argument("--db")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-privacy-load-"))
    env = {
        "AFSTAND_SIGNUP_BATCH": str(args.batch),
        "AFSTAND_SIGNUP_LIMIT": "1000000",
        "AFSTAND_RATE_LIMIT": "1000000",
    }
    with demo_server(tmp, db=args.db, workers=args.workers, env=env, src=args.src) as (port, db):
        # warm-up (not timed): every worker imports the core and parses the form on its first request
        def warm() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for _ in range(3):
                conn.request(
                    "POST",
                    CLIENT_RESPONSES,
                    json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS}),
                    {"Content-Type": "application/json"},
                )
                conn.getresponse().read()
                conn.request("GET", "/aanmelden/werken-op-afstand")
                conn.getresponse().read()

        warmers = [threading.Thread(target=warm) for _ in range(4 * args.workers)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        timings: dict[str, list[float]] = {"submission": [], "signup": []}
        kinds: collections.Counter = collections.Counter()
        lock = threading.Lock()

        stop = 0.0

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            own: dict[str, list[float]] = {"submission": [], "signup": []}
            n = 0
            while time.perf_counter() < stop:
                n += 1
                if args.signup_every and n % args.signup_every == 0:
                    kind, path, expected = "signup", "/aanmelden/werken-op-afstand", 303  # signed up: post/redirect/get
                    body = urllib.parse.urlencode(
                        {"purpose": "loterij", "name": f"Deelnemer {uuid.uuid4().hex[:6]}", "email": "deelnemer@example.org"}
                    )
                    headers = {"Content-Type": "application/x-www-form-urlencoded"}
                else:
                    kind, path, expected = "submission", CLIENT_RESPONSES, 201
                    body = json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS})
                    headers = {"Content-Type": "application/json"}
                start = time.perf_counter()
                try:
                    conn.request("POST", path, body, headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status != expected:
                        with lock:
                            kinds[f"{kind} HTTP {response.status}"] += 1
                except (OSError, http.client.HTTPException) as err:
                    with lock:
                        kinds[f"{kind} {type(err).__name__}"] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                own[kind].append(time.perf_counter() - start)
            with lock:
                for k, v in own.items():
                    timings[k].extend(v)

        threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
        server_cpu, client_cpu, pg_cpu = server_cpu_seconds(port), time.process_time(), postgres_cpu_seconds(db)
        began = time.perf_counter()
        stop = began + args.seconds
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        server_cpu, client_cpu = server_cpu_seconds(port) - server_cpu, time.process_time() - client_cpu
        pg_cpu = None if pg_cpu is None else postgres_cpu_seconds(db) - pg_cpu
    subs, signups = timings["submission"], timings["signup"]
    print(
        f"{len(subs)} submissions in {elapsed:.1f} s: {len(subs) / elapsed:.0f}/s, p50 {percentile(subs, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(subs, 0.99) * 1000:.0f} ms; {len(signups)} sign-ups: {len(signups) / elapsed:.0f}/s, "
        f"p99 {percentile(signups, 0.99) * 1000:.0f} ms; errors {sum(kinds.values())} "
        f"(concurrency {args.concurrency}, {args.workers} workers, batch {args.batch}, {db.split(':')[0]}, src {args.src})"
        + (f"; errors by kind: {dict(kinds)}; server log: {tmp / 'server.log'}" if kinds else "")
    )
    n = max(1, len(subs) + len(signups))
    print(
        f"CPU per request (submission or sign-up): server {1000 * server_cpu / n:.2f} ms"
        + (f", PostgreSQL {1000 * pg_cpu / n:.2f} ms" if pg_cpu is not None else "")
        + f", load generator {1000 * client_cpu / n:.2f} ms"
    )


if __name__ == "__main__":
    main()
