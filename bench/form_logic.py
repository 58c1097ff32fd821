"""What the web survey's check of a form's expressions (afstand.instrument.form_logic) adds to
reading it: load_instrument (cached, as an upload of a known form) against load_for_web, which
also compiles every expression with the form engine; and a refusal, which reads the sheets again
for the places. Runs on the study folders' forms. Usage: PYTHONPATH=src python bench/form_logic.py [--rounds 5]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from afstand.errors import InstrumentError
from afstand.instrument.form_logic import load_for_web
from afstand.instrument.loader import load_instrument

ROOT = Path(__file__).resolve().parents[1]


def _best(rounds: int, work) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _refused(raw: bytes) -> None:
    try:
        load_for_web(raw, name="broken.md")
    except InstrumentError:
        return
    raise AssertionError("not refused")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    for path in sorted((ROOT / "studies").glob("*/instruments/*.md")):
        raw = path.read_bytes()
        load_instrument(raw, name=path.name)  # pyxform once; the cache serves the rest
        loaded = _best(rounds, lambda raw=raw, name=path.name: load_instrument(raw, name=name))
        checked = _best(rounds, lambda raw=raw, name=path.name: load_for_web(raw, name=name))
        print(f"{path.name}: load_instrument {loaded * 1000:.1f} ms, load_for_web {checked * 1000:.1f} ms")
    rows = "".join(f"| | integer | q{n} | Vraag {n} | . >= {n} and |\n" for n in range(20))
    broken = f"| survey |\n| | type | name | label | constraint |\n{rows}".encode()
    print(f"a refusal of 20 broken constraints, with their places: {_best(rounds, lambda: _refused(broken)) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
