"""Throughput of check_submission (the server-side check of every web page and API submission) on
the reference study's rows. Usage: PYTHONPATH=src python bench/submission_check.py [--rounds 3]"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from afstand.responses.submission import check_submission
from afstand.study import find_study

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference-study"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    study = find_study()
    for name in ("werkers", "clienten"):
        instrument = study.instrument(name)
        with (REFERENCE / f"{name}.csv").open(encoding="utf-8") as handle:
            rows = [{k: v for k, v in row.items() if k != "response_id" and v} for row in csv.DictReader(handle)]
        check_submission(instrument, rows[0])  # compile once
        best = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            for row in rows:
                check_submission(instrument, row)
            best = min(best, time.perf_counter() - started)
        print(
            f"{name}: {len(rows)} submissions, best of {args.rounds}: {len(rows) / best:,.0f} checks/s ({best / len(rows) * 1e3:.2f} ms each)"
        )


if __name__ == "__main__":
    main()
