"""What the CSV reader's checks cost: on a clean file (the control-character scan, per distinct
value) and on damaged copies of it (the error path: which row, line and cell). Not a test.

    .venv/bin/python bench/csv_checks.py FILE.csv [--repeat 5] [--damaged]

FILE.csv: e.g. bench/out/report-data-300000/werkers.csv. With ``--damaged`` copies with a last
line of spaces, an extra cell 20 rows before the end and an unclosed quote 20 rows before the
end are written to a temporary folder and read once each (time to the message or the table).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from afstand.errors import DataError
from afstand.responses.control import refuse_control_characters
from afstand.responses.readers import read_csv_grid


def timed(action, *args) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        out = action(*args)
    except DataError as err:
        out = err
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--damaged", action="store_true")
    args = parser.parse_args()

    reads, scans = [], []
    for _ in range(args.repeat):
        seconds, grid = timed(read_csv_grid, args.file)
        reads.append(seconds)
        scans.append(timed(refuse_control_characters, str(args.file), grid.headers, grid.columns)[0])
    print(f"read_csv_grid (scan included): median {statistics.median(reads):.3f} s over {args.repeat}")
    print(f"control-character scan alone: median {statistics.median(scans) * 1e3:.2f} ms ({grid.n_rows} rows, {len(grid.headers)} columns)")

    if args.damaged:
        data = args.file.read_bytes()
        lines = data.split(b"\n")
        at = len(lines) - 21
        extra = b"\n".join(lines[:at] + [lines[at] + b",extra"] + lines[at + 1 :])
        quote = b"\n".join(lines[:at] + [lines[at].replace(b",", b',"open', 1)] + lines[at + 1 :])
        with tempfile.TemporaryDirectory() as folder:
            for name, content in (("last line of spaces", data + b"  \n"), ("extra cell", extra), ("unclosed quote", quote)):
                path = Path(folder) / "damaged.csv"
                path.write_bytes(content)
                seconds, out = timed(read_csv_grid, path)
                said = str(out)[:160] if isinstance(out, DataError) else f"read, {out.n_rows} rows"
                print(f"{name}: {seconds:.2f} s: {said}")


if __name__ == "__main__":
    main()
