"""Benchmark: `afstand trend` over K waves of N generated worker responses each.

    .venv/bin/python bench/trend.py [--n 30000] [--waves 2,4,6,8,10] [--repeat 3]

Generates the waves once with the demo generator (one seed per wave, cached in bench/out/),
then runs the whole command as a user does — ``afstand trend --instrument werkers --wave
2021=… --wave 2022=… --json`` in a fresh process, start-up included, output written to a
file — for each K and prints the best wall time, the time per wave and the peak RSS. The
target (issue 17) is 10 waves of 30,000 rows in under 10 s on 2 cores. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"


def wave_files(n: int, k: int) -> list[Path]:
    folder = OUT / f"trend-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(k):
        path = folder / f"werkers-{2021 + i}.csv"
        if not path.is_file():
            gen = folder / f"gen-{i}"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "afstand.cli",
                    "demo-data",
                    "--n-workers",
                    str(n),
                    "--n-clients",
                    "10",
                    "--seed",
                    str(5000 + i),
                    "--out",
                    str(gen),
                ],
                check=True,
                capture_output=True,
            )
            (gen / "werkers.csv").rename(path)
        paths.append(path)
    return paths


def run_trend(paths: list[Path]) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("afstand")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "afstand.cli"]
    args = ["trend", "--instrument", "werkers", "--json"]
    for i, path in enumerate(paths):
        args += ["--wave", f"{2021 + i}={path}"]
    target = OUT / "trend-result.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    with target.open("wb") as out:
        result = subprocess.run(command + args, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stderr.decode()[-2000:])
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["waves"]) == len(paths)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30000)
    parser.add_argument("--waves", default="2,4,6,8,10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    counts = [int(k) for k in args.waves.split(",")]
    paths = wave_files(args.n, max(counts))
    print(f"afstand trend, {args.n} worker rows per wave, {os.cpu_count()} cores visible; best of {args.repeat}, start-up included")
    print(f"{'waves':>5} {'rows':>9} {'seconds':>8} {'s/wave':>7}")
    for k in counts:
        times = [run_trend(paths[:k])[0] for _ in range(args.repeat)]
        best = min(times)
        print(f"{k:>5} {k * args.n:>9} {best:>8.2f} {best / k:>7.2f}")
    print(f"peak RSS of one trend process (largest run): {run_trend(paths[: max(counts)])[1]:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
