"""Load benchmark for the submission API — 127.0.0.1 only, bounded in time and concurrency.

    .venv/bin/python bench/load.py [--seconds 20] [--concurrency 32] [--workers 2] [--threads 4] [--db URL] [--src PATH]

Starts `afstand serve --demo` on a free local port with a fresh database, then keeps
`concurrency` keep-alive connections posting valid client responses (each a new instance
id) for `seconds`, and prints submissions/s, p50/p99 latency and errors. Not a test.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from loadkit import CLIENT_ANSWERS, CLIENT_RESPONSES, demo_server, percentile, postgres_cpu_seconds, server_cpu_seconds


def warm_up(port: int, workers: int, limit: float = 120) -> None:
    """Wait until the workers answer (booting them is not what is measured): 2 × workers
    submissions in a row must be stored, over fresh connections so that they reach every worker."""
    deadline = time.perf_counter() + limit
    stored = 0
    while stored < 2 * workers and time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(
                "POST",
                CLIENT_RESPONSES,
                json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS}),
                {"Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            stored = stored + 1 if response.status == 201 else 0
        except (OSError, http.client.HTTPException):
            stored = 0
            time.sleep(0.2)
        finally:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db")
    parser.add_argument("--src", help="run another checkout's sources (its src folder): before/after comparisons")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-load-"))
    with demo_server(tmp, db=args.db, workers=args.workers, threads=args.threads, src=args.src) as (port, db):
        warm_up(port, args.workers)
        latencies: list[float] = []
        errors: list[int] = []
        kinds: collections.Counter = collections.Counter()
        lock = threading.Lock()
        stop = time.perf_counter() + args.seconds

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            own, bad = [], 0
            while time.perf_counter() < stop:
                body = json.dumps({"instance_id": str(uuid.uuid4()), "answers": CLIENT_ANSWERS})
                start = time.perf_counter()
                try:
                    conn.request("POST", CLIENT_RESPONSES, body, {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 201
                    if not ok:
                        with lock:
                            kinds[f"HTTP {response.status}"] += 1
                except (OSError, http.client.HTTPException) as err:
                    ok = False
                    with lock:
                        kinds[type(err).__name__] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                own.append(time.perf_counter() - start)
                bad += 0 if ok else 1
            with lock:
                latencies.extend(own)
                errors.append(bad)

        threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
        server_cpu, client_cpu, pg_cpu = server_cpu_seconds(port), time.process_time(), postgres_cpu_seconds(db)
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        server_cpu, client_cpu = server_cpu_seconds(port) - server_cpu, time.process_time() - client_cpu
        pg_cpu = None if pg_cpu is None else postgres_cpu_seconds(db) - pg_cpu
    p99 = percentile(latencies, 0.99)
    print(
        f"{len(latencies)} submissions in {elapsed:.1f} s: {len(latencies) / elapsed:.0f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, errors {sum(errors)} "
        f"(concurrency {args.concurrency}, {args.workers} gunicorn workers x {args.threads} threads, {db.split(':')[0]})"
        + (f"; errors by kind: {dict(kinds)}; server log: {tmp / 'server.log'}" if kinds else "")
    )
    n = max(1, len(latencies))
    print(
        f"CPU per submission: server {1000 * server_cpu / n:.2f} ms"
        + (f", PostgreSQL {1000 * pg_cpu / n:.2f} ms" if pg_cpu is not None else "")
        + f", load generator {1000 * client_cpu / n:.2f} ms"
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "rate": len(latencies) / elapsed,
                "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
                "p99_ms": p99 * 1000,
                "errors": sum(errors),
                "n": len(latencies),
                "server_cpu_ms": 1000 * server_cpu / n,
                "client_cpu_ms": 1000 * client_cpu / n,
                "postgres_cpu_ms": None if pg_cpu is None else 1000 * pg_cpu / n,
            }
        )
    )


if __name__ == "__main__":
    main()
