"""What the load benchmarks share (bench/load.py, bench/privacy_load.py, bench/respondent_pages.py):
a free local port, `afstand serve --demo` started on it with a fresh database, a valid client
response, percentiles. 127.0.0.1 only. Not a test."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

# a valid answer set of the demo study's client questionnaire (each post gets a new instance id)
CLIENT_ANSWERS = {
    "consent": "ja",
    "c_gender": "man",
    "c_age": 41,
    "c_contact_years": "1.5",
    "c_contact_type": "toezicht",
    "c_contact_freq": "paar_per_maand",
    "c_social_whatsapp": "dagelijks",
    "c_wa_beveiligd": "eens",
    "c_wa_f2f_nodig": "deels",
}
CLIENT_RESPONSES = "/api/v1/surveys/clienten/responses"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else float("nan")


SERVERS: dict[int, int] = {}  # port -> process id of the server started there (its gunicorn master)


def server_cpu_seconds(port: int) -> float:
    """CPU seconds (user + system) used so far by the server on ``port``: its master and every
    live worker (Linux /proc). Read before and after a timed run, the difference divided by the
    requests is the server's CPU per request: far less disturbed by other load than throughput."""
    return family_cpu_seconds(SERVERS[port])


def postgres_cpu_seconds(db: str) -> float | None:
    """CPU seconds used so far by the local PostgreSQL server of ``db`` (its postmaster and
    backends, found through ``$AFSTAND_PG_DATA`` or scripts/postgres.sh's data folder for the
    URL's port); None for SQLite or a server not started here."""
    parsed = urlparse(db)
    if not parsed.scheme.startswith("postgres"):
        return None
    data = Path(os.environ.get("AFSTAND_PG_DATA") or f"/tmp/afstand-pg-{parsed.port or 5432}")
    try:
        return family_cpu_seconds(int((data / "postmaster.pid").read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return None


def family_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of process ``root`` and its live descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], times[pid] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(times.get(pid, 0.0) for pid in family)


@contextlib.contextmanager
def demo_server(
    tmp: Path, *, db: str | None = None, workers: int = 2, threads: int | None = None, env: dict | None = None, src: str | None = None
) -> Iterator[tuple[int, str]]:
    """``afstand serve --demo`` on a free 127.0.0.1 port with its var folder in ``tmp`` (default
    database: SQLite there), its log in ``tmp/server.log``; yields (port, database URL) once the port
    accepts connections, and stops the server afterwards. ``src``: run another checkout's sources."""
    port = free_port()
    db = db or f"sqlite:///{tmp / 'load.sqlite3'}"
    environment = {**os.environ, "AFSTAND_VAR": str(tmp), **(env or {})}
    if src:
        environment["PYTHONPATH"] = src
        command = [sys.executable, "-m", "afstand.cli"]
    else:
        command = [str(Path(sys.executable).with_name("afstand"))]
    command += ["serve", "--demo", "--port", str(port), "--db", db, "--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    with open(tmp / "server.log", "w") as log:
        server = subprocess.Popen(command, env=environment, stderr=log)
    SERVERS[port] = server.pid
    try:
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, db
    finally:
        server.terminate()
        server.wait(timeout=30)
