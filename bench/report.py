"""Benchmark: `afstand report` (all formats) on the reference study and on 300k responses.

    .venv/bin/python bench/report.py [--repeat 3] [--n 300000] [--reference ../shared/reference-study] [--skip-large]

Times the whole command as a user runs it (process start-up included): wall time, and the CPU
seconds of the command and every process it starts (user + system) — on a busy machine the CPU
time says more than the wall time. Each case runs "cold" (the figure cache switched off:
AFSTAND_CACHE_DIR=off, every figure drawn) and "warm" (a figure cache filled by a first run,
as when a report is rebuilt after a change of text). The 300k case uses 300,000 generated worker
responses and 30,000 client responses. Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AFSTAND = [sys.executable, "-m", "afstand.cli"]


def timed(args: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(AFSTAND + args, check=True, capture_output=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def generated(n: int) -> Path:
    folder = OUT / f"report-data-{n}"
    if not (folder / "werkers.csv").is_file():
        subprocess.run(
            AFSTAND + ["demo-data", "--n-workers", str(n), "--n-clients", str(n // 10), "--seed", "11", "--out", str(folder)], check=True
        )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--reference", default=str(HERE.parent.parent / "shared" / "reference-study"))
    parser.add_argument("--skip-large", action="store_true", help="only the reference study")
    args = parser.parse_args()
    cases = {}
    reference = Path(args.reference)
    if (reference / "werkers.csv").is_file():
        cases["reference study (228 + 26)"] = [f"werkers={reference / 'werkers.csv'}", f"clienten={reference / 'clienten.csv'}"]
    if not args.skip_large:
        folder = generated(args.n)
        cases[f"generated ({args.n} + {args.n // 10})"] = [f"werkers={folder / 'werkers.csv'}", f"clienten={folder / 'clienten.csv'}"]
    for name, data in cases.items():
        command = ["report", *sum((["--data", d] for d in data), [])]
        with tempfile.TemporaryDirectory() as cache:
            for label, env in (
                ("cold, no figure cache", {"AFSTAND_CACHE_DIR": "off"}),
                ("warm figure cache", {"AFSTAND_CACHE_DIR": cache}),
            ):
                if label.startswith("warm"):
                    timed([*command, "--out", str(OUT / "report-out")], env)  # fills the cache
                runs = []
                for _ in range(args.repeat):
                    target = OUT / "report-out"
                    shutil.rmtree(target, ignore_errors=True)
                    runs.append(timed([*command, "--out", str(target)], env))
                best = min(runs)
                print(
                    f"{name}, {label}: best {best[0]:.1f} s wall, {best[1]:.1f} s CPU "
                    f"(runs: {', '.join(f'{w:.1f} s / {c:.1f} s CPU' for w, c in runs)})"
                )


if __name__ == "__main__":
    main()
