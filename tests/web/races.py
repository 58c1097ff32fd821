"""Jobs started at the same moment, each on its own thread (race tests)."""

from __future__ import annotations

import threading


def at_once(*jobs, close_connections: bool = False) -> list:
    """Run the jobs together behind a barrier; their results in order. ``close_connections``: each
    thread closes its Django database connections when its job ends (tests on a real database)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = jobs[k]()
        finally:
            if close_connections:
                from django.db import connections

                connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
