"""Time of matching an export's columns to its form (``apply_layout``), per export of
tests/responses/data/foreign (several layouts, languages and group separators), without reading
rows again: the matching cost does not grow with the number of rows.

    PYTHONPATH=src python bench/layout_match.py
"""

from __future__ import annotations

import time
from pathlib import Path

from afstand.instrument.loader import load_instrument
from afstand.responses import containers
from afstand.responses.layouts import apply_layout
from afstand.responses.readers import read_csv_grid
from afstand.responses.tables import section

DATA = Path(__file__).resolve().parents[1] / "tests" / "responses" / "data" / "foreign"


def main(repeat: int = 20) -> None:
    form = section(load_instrument(DATA / "thuiswerk.xlsx"), None)
    for name in ("kobo-xml-groups.csv", "kobo-labels-en-groups.xlsx", "kobo-labels-nl-dots.xlsx", "odk-central.csv", "excel-nl.csv"):
        path = DATA / name
        grid = containers.workbook_grid(path, str(path), form, None, []) if name.endswith(".xlsx") else read_csv_grid(path)
        start = time.perf_counter()
        for _ in range(repeat):
            layout = apply_layout(grid, form).layout
        print(f"{name:32s} {layout:12s} {1000 * (time.perf_counter() - start) / repeat:7.1f} ms per match")


if __name__ == "__main__":
    main()
