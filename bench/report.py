"""Benchmark: `afstand report` (all formats) on the reference study and on 300k responses.

    .venv/bin/python bench/report.py [--repeat 3] [--n 300000] [--reference ../shared/reference-study]

Times the whole command as a user runs it (process start-up included). The 300k case uses
300,000 generated worker responses and 30,000 client responses. Not a test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AFSTAND = [sys.executable, "-m", "afstand.cli"]


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(AFSTAND + args, check=True, capture_output=True)
    return time.perf_counter() - start


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
    args = parser.parse_args()
    cases = {}
    reference = Path(args.reference)
    if (reference / "werkers.csv").is_file():
        cases["reference study (228 + 26)"] = [f"werkers={reference / 'werkers.csv'}", f"clienten={reference / 'clienten.csv'}"]
    folder = generated(args.n)
    cases[f"generated ({args.n} + {args.n // 10})"] = [f"werkers={folder / 'werkers.csv'}", f"clienten={folder / 'clienten.csv'}"]
    for name, data in cases.items():
        runs = []
        for _ in range(args.repeat):
            target = OUT / "report-out"
            shutil.rmtree(target, ignore_errors=True)
            runs.append(timed(["report", *sum((["--data", d] for d in data), []), "--out", str(target)]))
        print(f"{name}: best {min(runs):.1f} s (runs: {', '.join(f'{r:.1f}' for r in runs)})")


if __name__ == "__main__":
    main()
