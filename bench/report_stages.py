"""Where the time of one `afstand report` goes, per process: the CPU seconds of each step.

    .venv/bin/python bench/report_stages.py [--reference ../shared/reference-study] [--cache]

Runs the report build in this process (as the CLI does, two workers) and prints, for the main
process, the two figure workers and the PDF's process, when (wall clock since the start) each
step ended and how many CPU seconds the process had used by then. On a busy machine the wall
clock means little; the CPU seconds per step do not depend on the load. From them the shortest
time on two idle cores follows: the steps on the longest chain (start-up, analysis, text, the
PDF) against what runs beside them. Without --cache the figure cache is off (every figure is
drawn). Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = time.perf_counter()


def mark(who: str, what: str) -> None:
    print(f"{time.perf_counter() - START:7.2f} s  {who:<8} cpu {time.process_time():6.2f} s  {what}", file=sys.stderr, flush=True)


ORIGINAL: dict = {}


def traced_drawn(*args, **kwargs):
    mark("painter", "job received")
    for fmt in ORIGINAL["drawn"](*args, **kwargs):
        mark("painter", f"{fmt} drawn")
        yield fmt


def traced_painter(connection):
    mark("painter", "started")
    ORIGINAL["painter"](connection)


def traced_prepare():
    mark("pdf", "started")
    ORIGINAL["prepare"]()
    mark("pdf", "WeasyPrint loaded")


def traced_placed(html):
    mark("pdf", "text received")
    out = ORIGINAL["placed"](html)
    mark("pdf", "figures floated")
    return out


def traced_pdf_file(html, folder, name, made):
    ORIGINAL["pdf_file"](html, folder, name, made)
    mark("pdf" if name == "rapport.pdf" else "factsheet", f"{name} written")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", default=str(HERE.parent.parent / "shared" / "reference-study"))
    parser.add_argument("--cache", action="store_true", help="keep the figure cache on (default: off)")
    args = parser.parse_args()
    if not args.cache:
        os.environ["AFSTAND_CACHE_DIR"] = "off"
    mark("main", "python started, afstand not loaded")
    from afstand.figures import render
    from afstand.report import build, floats
    from afstand.report import pdf as pdfmod
    from afstand.study import find_study

    mark("main", "afstand.report loaded")
    ORIGINAL.update(drawn=render._drawn, painter=render._painter, prepare=pdfmod.prepare, placed=floats.placed, pdf_file=build._pdf_file)
    render._drawn, render._painter = traced_drawn, traced_painter
    pdfmod.prepare, floats.placed, build._pdf_file = traced_prepare, traced_placed, traced_pdf_file
    study = find_study(None)
    reference = Path(args.reference)
    data = {"werkers": reference / "werkers.csv", "clienten": reference / "clienten.csv"}
    out = Path(tempfile.mkdtemp()) / "out"
    try:
        build.build_report(study, data, out, workers=2, progress=lambda step: mark("main", f"step: {step}"))
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    mark("main", "done")


if __name__ == "__main__":
    main()
