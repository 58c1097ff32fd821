"""All benchmarks from one command, with the machine described — results for docs/benchmarks.md.

    .venv/bin/python bench/run.py [--quick] [--skip analyze,report,load]

Runs, in order: analyze on 300,000 responses vs pandas (bench/analyze.py), the report on the
reference study and on 300,000 responses (bench/report.py), and the submission API under load
on SQLite and on PostgreSQL (bench/load.py; PostgreSQL 15 from Debian, started here on
127.0.0.1 with fsync on). Writes bench/out/results.md and prints it. --quick makes every run
short (a smoke run of the harness, not numbers to publish). Load only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
# below Linux's ephemeral range (32768–60999): the load runs' client sockets cannot hold it
PG_PORT = "25433"


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
    packages = ", ".join(f"{p} {version(p)}" for p in ("numpy", "pandas", "pyarrow", "matplotlib", "weasyprint", "django", "gunicorn", "psycopg"))
    return [f"- CPU: {cpu}, {os.cpu_count()} cores visible; RAM {mem_kb / 1024 / 1024:.1f} GiB; {platform.system()} {platform.release()} ({platform.machine()})",
            f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; {packages}"]


def run(title: str, args: list[str], env: dict | None = None) -> list[str]:
    print(f"== {title}", file=sys.stderr, flush=True)
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0:
        lines.append(f"FAILED (exit {result.returncode}): {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}")
    return [f"### {title}", "", "```", *lines, "```", ""]


def postgres() -> str:
    started = subprocess.run(["bash", "scripts/postgres.sh"], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "AFSTAND_PG_PORT": PG_PORT, "AFSTAND_PG_FSYNC": "on"})
    if started.returncode:
        raise SystemExit(f"scripts/postgres.sh failed (exit {started.returncode}):\n{started.stderr}{started.stdout}")
    return started.stdout.strip()


def save(lines: list[str]) -> None:
    """Write what has been measured so far, so a failure later in the run keeps the earlier results."""
    OUT.mkdir(exist_ok=True)
    tmp = OUT / "results.md.tmp"
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(OUT / "results.md")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    quick = args.quick
    lines = [f"# Benchmark run {dt.datetime.now().isoformat(timespec='minutes')}", "", *machine(), ""]
    if "analyze" not in skip:
        lines += run("analyze: 300,000 worker responses vs pandas", ["bench/analyze.py", "--n", "3000" if quick else "300000", "--repeat", "1" if quick else "3"])
        save(lines)
    if "report" not in skip:
        lines += run("report: reference study and 300,000 responses", ["bench/report.py", "--repeat", "1" if quick else "3", "--n", "3000" if quick else "300000"])
        save(lines)
    if "pages" not in skip:
        lines += run("respondent pages: weight and time per page on a phone, fast and slow link",
                     ["bench/respondent_pages.py", "--runs", "1" if quick else "3"])
        save(lines)
    if "load" not in skip:
        seconds = "3" if quick else "20"
        for threads in ("1", "4"):
            lines += run(f"load: SQLite, 32 clients, 2 workers x {threads} threads",
                         ["bench/load.py", "--seconds", seconds, "--concurrency", "32", "--threads", threads])
            save(lines)
        try:
            url = postgres()
            base = url.rsplit("/", 1)[0]
            for threads in ("1", "4"):
                db = f"bench_{threads}"
                subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"psql -h 127.0.0.1 -p {PG_PORT} -U postgres -qc 'CREATE DATABASE {db}'"], check=True)
                lines += run(f"load: PostgreSQL (fsync on), 32 clients, 2 workers x {threads} threads",
                             ["bench/load.py", "--seconds", seconds, "--concurrency", "32", "--threads", threads, "--db", f"{base}/{db}"])
                save(lines)
        finally:
            subprocess.run(["bash", "scripts/postgres.sh", "stop"], cwd=ROOT, env={**os.environ, "AFSTAND_PG_PORT": PG_PORT}, capture_output=True)
    save(lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
