"""Benchmark: `afstand trend` over K waves of N generated worker responses each.

    .venv/bin/python bench/trend.py [--n 30000] [--waves 2,4,6,8,10] [--repeat 3] [--cache] [--profile]

Generates the waves once with the demo generator (one seed per wave, cached in bench/out/),
then runs the whole command as a user does — ``afstand trend --instrument werkers --wave
2021=… --wave 2022=… --json`` in a fresh process, start-up included, output written to a
file — for each K and prints the best wall time, the CPU seconds of that process (user +
system, every thread; the better measure on a machine shared with other jobs), the time per
wave and the peak RSS. ``--cache`` adds a warm run with ``afstand trend --cache`` (columnar
copies of the CSVs made by a first run). ``--profile`` runs the largest K once in this process
under cProfile with a CPU-time clock and prints where the CPU goes. The target (issue 17) is
10 waves of 30,000 rows in under 10 s on 2 cores. Not a test.
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


def trend_args(paths: list[Path], cache: bool = False) -> list[str]:
    args = ["trend", "--instrument", "werkers", "--json"] + (["--cache"] if cache else [])
    for i, path in enumerate(paths):
        args += ["--wave", f"{2021 + i}={path}"]
    return args


def run_trend(paths: list[Path], cache: bool = False) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB of the children so far) of one ``afstand trend`` process."""
    exe = Path(sys.executable).with_name("afstand")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "afstand.cli"]
    target = OUT / "trend-result.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with target.open("wb") as out:
        result = subprocess.run(
            command + trend_args(paths, cache),
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "AFSTAND_CACHE_DIR": str(OUT / "cache")},  # compiled form and columnar copies: bench/out only
        )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise SystemExit(result.stderr.decode()[-2000:])
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["waves"]) == len(paths)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, max(before.ru_maxrss, after.ru_maxrss) / 1024


def profile(paths: list[Path], top: int = 25) -> None:
    """The command in this process under cProfile with a CPU clock (threads included), output discarded."""
    import contextlib
    import cProfile
    import io
    import pstats

    from afstand.cli import main as cli_main

    profiler = cProfile.Profile(time.process_time)
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.runcall(cli_main, trend_args(paths))
    print(
        f"profiled run ({len(paths)} waves): {time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s CPU (with the profiler's overhead)"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30000)
    parser.add_argument("--waves", default="2,4,6,8,10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", action="store_true", help="also a warm run with afstand trend --cache")
    parser.add_argument("--profile", action="store_true", help="profile the largest run in this process (CPU clock)")
    args = parser.parse_args()
    counts = [int(k) for k in args.waves.split(",")]
    paths = wave_files(args.n, max(counts))
    if args.profile:
        profile(paths[: max(counts)])
        return 0
    print(f"afstand trend, {args.n} worker rows per wave, {os.cpu_count()} cores visible; best of {args.repeat}, start-up included")
    print(
        f"{'waves':>5} {'rows':>9} {'wall s':>7} {'CPU s':>6} {'CPU s/wave':>10}"
        + (f" {'cached wall':>11} {'cached CPU':>10}" if args.cache else "")
    )
    for k in counts:
        runs = [run_trend(paths[:k]) for _ in range(args.repeat)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        line = f"{k:>5} {k * args.n:>9} {wall:>7.2f} {cpu:>6.2f} {cpu / k:>10.2f}"
        if args.cache:
            run_trend(paths[:k], cache=True)  # makes the columnar copies (or finds them)
            warm = [run_trend(paths[:k], cache=True) for _ in range(args.repeat)]
            line += f" {min(r[0] for r in warm):>11.2f} {min(r[1] for r in warm):>10.2f}"
        print(line, flush=True)
    print(f"peak RSS of one trend process (largest run): {run_trend(paths[: max(counts)])[2]:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
