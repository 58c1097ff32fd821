"""Benchmark: `afstand analyze` on generated responses vs a plain pandas baseline.

    .venv/bin/python bench/analyze.py [--n 300000] [--repeat 3]

Generates N worker responses with the demo generator (cached in bench/out/), then runs, each
in a fresh process so that peak memory is its own:

* afstand: load + validate the CSV and run the whole analysis (frequencies, numbers, Likert,
  scales with α/ω, group comparisons) — what `afstand analyze` does after start-up;
* baseline: ``pandas.read_csv(dtype=str)`` and ``value_counts()`` of every column.

Prints the best wall time of each, their ratio and the peak RSS. Not a test.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

AFSTAND = """
import json, resource, sys, time
from afstand.study import find_study
from afstand.responses import load_responses
from afstand.analysis.summary import analyze
study = find_study(); instrument = study.instrument("werkers")
t = time.perf_counter()
result = analyze(load_responses(sys.argv[1], instrument), name="werkers", study=study)
json.dumps(result, allow_nan=False)
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "n": result["n_total"]}))
"""

BASELINE = """
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str)
counts = {c: frame[c].value_counts() for c in frame.columns}
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "n": len(frame)}))
"""


def data_file(n: int) -> Path:
    path = OUT / f"werkers-{n}.csv"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "afstand.cli", "demo-data", "--n-workers", str(n), "--n-clients", "10",
                        "--seed", "300", "--out", str(OUT / f"gen-{n}")], check=True)
        (OUT / f"gen-{n}" / "werkers.csv").rename(path)
    return path


def run(code: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = data_file(args.n)
    size_mb = path.stat().st_size / 1e6
    results = {"afstand": [], "baseline": []}
    for _ in range(args.repeat):  # interleaved, so load on the machine hits both alike
        results["afstand"].append(run(AFSTAND, path))
        results["baseline"].append(run(BASELINE, path))
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in results.items()}
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {path.name} {size_mb:.0f} MB, {args.n} responses")
    for name, r in best.items():
        all_s = ", ".join(f"{x['seconds']:.2f}" for x in results[name])
        print(f"{name:9s} best {r['seconds']:.2f} s (runs: {all_s}), peak RSS {r['peak_mb']:.0f} MB")
    print(f"ratio baseline / afstand: {best['baseline']['seconds'] / best['afstand']['seconds']:.2f}x")


if __name__ == "__main__":
    main()
