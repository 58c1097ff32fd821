"""All benchmarks from one command, with the machine described — results for docs/benchmarks.md.

    .venv/bin/python bench/run.py [--quick] [--skip analyze,report,pages,trend,load,privacy,stored]

Runs, in order: analyze on 300,000 responses next to a bare pyarrow read and pandas, 5 rounds,
with where its time goes (bench/analyze.py), the report on the reference study and on 300,000
responses (bench/report.py), `afstand trend` over 2–10 waves of 30,000 responses
(bench/trend.py), where a submission's time goes (bench/submission.py), and the
submission API under load on SQLite and on PostgreSQL, 2 runs of each setting (bench/load.py;
PostgreSQL 15 from Debian, started here on 127.0.0.1 with fsync on). Then issue 13's load with sign-ups
(bench/privacy_load.py, SQLite) and issue 12's analysis page of 100,000 stored responses on
SQLite and PostgreSQL (bench/stored.py). Every target is reported
with every run and the best next to its limit or peer. Writes bench/out/results.md and prints
it. --quick makes every run short (a smoke run of the harness, not numbers to publish). Load
only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
    packages = ", ".join(
        f"{p} {version(p)}" for p in ("numpy", "pandas", "pyarrow", "matplotlib", "weasyprint", "django", "gunicorn", "psycopg")
    )
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores visible; RAM {mem_kb / 1024 / 1024:.1f} GiB; {platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; {packages}",
    ]


def run(title: str, args: list[str], env: dict | None = None) -> tuple[list[str], list[str]]:
    """Run one benchmark script; the section for results.md and the script's output lines."""
    print(f"== {title}", file=sys.stderr, flush=True)
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0:
        lines.append(f"FAILED (exit {result.returncode}): {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}")
    shown = [line for line in lines if not line.startswith("RESULT ")]
    return [f"### {title}", "", *shown, ""], lines


def load_runs(title: str, args: list[str], rounds: int) -> tuple[list[str], list[dict]]:
    """``rounds`` runs of bench/load.py with the same settings: every run's line and its numbers."""
    section, results = [f"### {title}", ""], []
    for _ in range(rounds):
        _, lines = run(title, args)
        section += [f"- {line}" for line in lines if not line.startswith("RESULT ")]
        results += [json.loads(line[len("RESULT ") :]) for line in lines if line.startswith("RESULT ")]
    return section + [""], results


def load_summary(rows: list[tuple[str, list[dict]]]) -> list[str]:
    """Every run next to the target: ≥ 500 submissions/s, p99 < 200 ms, 0 errors (issue 18)."""
    out = [
        "### load: every run against the target (≥ 500/s, p99 < 200 ms, 0 errors)",
        "",
        "| database, workers × threads | submissions/s per run | p99 ms per run | errors | best /s | met |",
        "|---|---|---|---|---|---|",
    ]
    for label, results in rows:
        if not results:
            out.append(f"| {label} | failed | | | | 0 of 0 |")
            continue
        met = sum(r["rate"] >= 500 and r["p99_ms"] < 200 and r["errors"] == 0 for r in results)
        rates = ", ".join(f"{r['rate']:.0f}" for r in results)
        p99s = ", ".join(f"{r['p99_ms']:.0f}" for r in results)
        errors = ", ".join(str(r["errors"]) for r in results)
        out.append(f"| {label} | {rates} | {p99s} | {errors} | {max(r['rate'] for r in results):.0f} | {met} of {len(results)} |")
    return out + [""]


def postgres() -> str:
    started = subprocess.run(
        ["bash", "scripts/postgres.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "AFSTAND_PG_PORT": PG_PORT, "AFSTAND_PG_FSYNC": "on"},
    )
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
    parser.add_argument("--load-rounds", type=int, default=2, help="runs of each load setting (the target asks for 2 of 2)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    quick = args.quick
    lines = [f"# Benchmark run {dt.datetime.now().isoformat(timespec='minutes')}", "", *machine(), ""]
    if "analyze" not in skip:
        section, _ = run(
            "analyze: 300,000 worker responses next to a bare pyarrow read (limit) and pandas (peer)",
            ["bench/analyze.py", "--n", "3000" if quick else "300000", "--repeat", "1" if quick else "5"],
        )
        lines += section
        section, _ = run(
            "analyze: where the time goes (one in-process run)", ["bench/analyze.py", "--n", "3000" if quick else "300000", "--phases"]
        )
        lines += section
        save(lines)
    if "report" not in skip:
        lines += run(
            "report: reference study and 300,000 responses",
            ["bench/report.py", "--repeat", "1" if quick else "3", "--n", "3000" if quick else "300000"],
        )[0]
        save(lines)
    if "pages" not in skip:
        lines += run(
            "respondent pages: weight and time per page on a phone, fast and slow link",
            ["bench/respondent_pages.py", "--runs", "1" if quick else "3"],
        )[0]
        save(lines)
    if "trend" not in skip:
        lines += run(
            "trend: 10 waves of 30,000 worker responses (growth with the number of waves)",
            ["bench/trend.py", "--repeat", "1" if quick else "3", "--n", "3000" if quick else "30000"],
        )[0]
        save(lines)
    if "load" not in skip:
        section, _ = run(
            "submission: where the time goes (in-process, no network)", ["bench/submission.py", "--n", "300" if quick else "3000"]
        )
        lines += section
        seconds = "3" if quick else "20"
        rounds = 1 if quick else args.load_rounds
        summary: list[tuple[str, list[dict]]] = []
        settings = (("2", "1"), ("2", "4"))
        for workers, threads in settings:
            label = f"SQLite, {workers} × {threads}"
            section, results = load_runs(
                f"load: {label}, 32 clients",
                ["bench/load.py", "--seconds", seconds, "--concurrency", "32", "--workers", workers, "--threads", threads],
                rounds,
            )
            lines += section
            summary.append((label, results))
            save(lines + load_summary(summary))
        if "privacy" not in skip:  # issue 13: sign-ups spooled in shuffled batches, limits in the shared store
            section, results = load_runs(
                "privacy load: SQLite, every 4th request a sign-up, 32 clients (target ≥ 300 submissions/s, p99 < 200 ms)",
                ["bench/privacy_load.py", "--seconds", seconds, "--concurrency", "32", "--workers", "2"],
                rounds,
            )
            lines += section
            save(lines + load_summary(summary))
        try:
            url = postgres()
            base = url.rsplit("/", 1)[0]
            for workers, threads in settings:
                db = f"bench_{workers}_{threads}"
                subprocess.run(
                    ["su", "postgres", "-s", "/bin/sh", "-c", f"psql -h 127.0.0.1 -p {PG_PORT} -U postgres -qc 'CREATE DATABASE {db}'"],
                    check=True,
                )
                label = f"PostgreSQL (fsync on), {workers} × {threads}"
                section, results = load_runs(
                    f"load: {label}, 32 clients",
                    [
                        "bench/load.py",
                        "--seconds",
                        seconds,
                        "--concurrency",
                        "32",
                        "--workers",
                        workers,
                        "--threads",
                        threads,
                        "--db",
                        f"{base}/{db}",
                    ],
                    rounds,
                )
                lines += section
                summary.append((label, results))
                save(lines + load_summary(summary))
            if "stored" not in skip:  # issue 12: the analysis page of 100,000 stored responses, target < 5 s
                subprocess.run(
                    [
                        "su",
                        "postgres",
                        "-s",
                        "/bin/sh",
                        "-c",
                        f"psql -h 127.0.0.1 -p {PG_PORT} -U postgres -qc 'CREATE DATABASE bench_stored'",
                    ],
                    check=True,
                )
                for label, extra in (("SQLite", []), ("PostgreSQL", ["--db", f"{base}/bench_stored"])):
                    lines += run(
                        f"stored: analysis page of 100,000 stored worker responses, {label} (target < 5 s)",
                        ["bench/stored.py", "--n", "3000" if quick else "100000", "--skip-before", *extra],
                    )[0]
                    save(lines + load_summary(summary))
        finally:
            subprocess.run(
                ["bash", "scripts/postgres.sh", "stop"], cwd=ROOT, env={**os.environ, "AFSTAND_PG_PORT": PG_PORT}, capture_output=True
            )
        lines += load_summary(summary)
    save(lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
