"""What reading an XLSForm's sheets and checking them before pyxform costs, beside pyxform's own
conversion (uncached; a cached form skips both). Runs on ../shared/xlsform-corpus, else on the
study folders' forms. Usage: PYTHONPATH=src python bench/form_load.py [--rounds 5]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from afstand.instrument.form_sheets import read_book
from afstand.instrument.loader import _convert, _read
from afstand.instrument.sheet_checks import sheet_problems

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "xlsform-corpus"


def _best(rounds: int, work) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    forms = sorted(CORPUS.glob("*.xls*")) or sorted((ROOT / "studies").glob("*/instruments/*.md"))
    total_checks = total_convert = 0.0
    for path in forms:
        raw, file_type, label = _read(path, None)
        if file_type == ".xls":
            from afstand.instrument.workbook_files import xls_to_xlsx

            raw, file_type = xls_to_xlsx(raw, label), ".xlsx"
        checks = _best(args.rounds, lambda: sheet_problems(read_book(raw, file_type)))  # noqa: B023 - called at once
        convert = _best(args.rounds, lambda: _convert(raw, file_type, label))  # noqa: B023 - includes the checks
        total_checks, total_convert = total_checks + checks, total_convert + convert
        print(f"{path.name:45} sheets read and checked {checks * 1e3:7.1f} ms   whole conversion {convert * 1e3:7.1f} ms")
    print(f"{'all':45} sheets read and checked {total_checks * 1e3:7.1f} ms   whole conversion {total_convert * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
