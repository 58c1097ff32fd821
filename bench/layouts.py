"""Benchmark: reading the same responses in each export layout (afstand, Kobo XML with groups and
split select_multiple columns, ODK Central, Kobo labels, LimeSurvey with question codes and answer
codes, LimeSurvey with full question texts and full answers).

    .venv/bin/python bench/layouts.py [--n 100000]

Generates N worker responses with the demo generator, writes them in each layout (CSV; Kobo labels
also as CSV, since writing a large XLSX takes longer than reading it), and times
``load_responses`` (read + layout detection + validation) on each. The ODK Central and Kobo labels
files are also written with a version column whose rows alternate between the study's two
versions of the form (``FormVersion`` / ``__version__``), read with ``known_versions`` (each row
as its version asked it; afstand.responses.mixed). Last, the time of matching the canonical
file's columns alone (``apply_layout`` on the parsed grid: detection and the table built), which
the LimeSurvey layouts must not change (they are tried after the canonical layout). Not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from pathlib import Path

from afstand.demo import generate, write_csv
from afstand.responses import load_responses
from afstand.study import find_study

OUT = Path(__file__).resolve().parent / "out"


def layouts(instrument, columns):
    header = list(columns)
    n = len(columns[header[0]])
    paths = instrument.field_paths  # key -> group path (instrument.paths maps the other way)
    groups = {g.name: g for g in instrument.groups}

    def path_of(name, sep):
        return sep.join(paths.get(name, (name,))) if name in paths else name

    def label_path(name):
        return "/".join([groups[g].label() for g in paths[name][:-1]] + [instrument.items[name].label()])

    out = {}
    # Kobo XML with groups: group/q, plus q/choice 0/1 columns
    kobo_header, kobo_cols = [], []
    for h in header:
        if h not in instrument.items:
            continue
        item = instrument.items[h]
        kobo_header.append(path_of(h, "/"))
        kobo_cols.append([v or "" for v in columns[h]])
        if item.type == "select_multiple":
            for choice in item.choice_list.choices:
                kobo_header.append(path_of(h, "/") + "/" + choice.name)
                kobo_cols.append(["" if not v else ("1" if choice.name in v.split() else "0") for v in columns[h]])
    kobo_header.append("_uuid")
    kobo_cols.append([f"uuid-{i}" for i in range(n)])
    out["kobo-xml"] = (kobo_header, kobo_cols, ";")
    # ODK Central: group-q
    central_header = ["SubmissionDate"] + [path_of(h, "-") for h in header if h in instrument.items] + ["KEY"]
    central_cols = [["2024-01-01T00:00:00.000Z"] * n] + [[v or "" for v in columns[h]] for h in header if h in instrument.items]
    central_cols.append([f"uuid:{i}" for i in range(n)])
    out["odk-central"] = (central_header, central_cols, ",")
    # Kobo labels (split columns for select_multiple)
    labels_header, labels_cols = [], []
    for h in header:
        if h not in instrument.items:
            continue
        item = instrument.items[h]
        if item.type == "select_multiple":
            for choice in item.choice_list.choices:
                labels_header.append(label_path(h) + "/" + choice.label())
                labels_cols.append(["" if not v else ("1" if choice.name in v.split() else "0") for v in columns[h]])
            continue
        labels_header.append(label_path(h))
        if item.choice_list is not None:
            lookup = {c.name: c.label() for c in item.choice_list.choices}
            labels_cols.append([lookup.get(v, "") if v else "" for v in columns[h]])
        else:
            labels_cols.append([v or "" for v in columns[h]])
    labels_header.append("_uuid")
    labels_cols.append([f"uuid-{i}" for i in range(n)])
    out["kobo-labels"] = (labels_header, labels_cols, ",")
    # LimeSurvey: LimeSurvey's own columns first; a multiple choice as q[choice] (Y / "" or Yes / No)
    meta = [("id", "Response ID", [str(i + 1) for i in range(n)]), ("submitdate", "Date submitted", ["2024-01-01 10:00:00"] * n)]
    for answers in ("codes", "texts"):
        lime_header = [code if answers == "codes" else text for code, text, _ in meta]
        lime_cols = [cells for _, _, cells in meta]
        for h in header:
            if h not in instrument.items:
                continue
            item = instrument.items[h]
            if item.type == "select_multiple":
                for choice in item.choice_list.choices:
                    lime_header.append(f"{h}[{choice.name}]" if answers == "codes" else f"{item.label()} [{choice.label()}]")
                    yes, no = ("Y", "") if answers == "codes" else ("Yes", "No")
                    lime_cols.append([yes if v and choice.name in v.split() else no for v in columns[h]])
                continue
            lime_header.append(h if answers == "codes" else item.label())
            if item.choice_list is not None and answers == "texts":
                lookup = {c.name: c.label() for c in item.choice_list.choices}
                lime_cols.append([lookup.get(v, "") if v else "" for v in columns[h]])
            else:
                lime_cols.append([v or "" for v in columns[h]])
        out["limesurvey" if answers == "codes" else "limesurvey-labels"] = (lime_header, lime_cols, ";")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    study = find_study()
    instrument = study.instrument("werkers")
    OUT.mkdir(exist_ok=True)
    columns = generate(instrument, args.n, seed=11, name="werkers")
    files = {"afstand": OUT / f"layout-afstand-{args.n}.csv"}
    text = io.StringIO()
    write_csv(columns, text)
    files["afstand"].write_text(text.getvalue(), encoding="utf-8")
    for name, (header, cols, delimiter) in layouts(instrument, columns).items():
        path = OUT / f"layout-{name}-{args.n}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            writer.writerows(zip(*cols))
        files[name] = path
    from afstand.instrument.loader import load_instrument

    versions = [load_instrument(p) for p in study.form_paths("werkers")]
    for name, column in (("odk-central", "FormVersion"), ("kobo-labels", "__version__")):
        header, cols, delimiter = layouts(instrument, columns)[name]
        path = OUT / f"layout-{name}-mixed-{args.n}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header + [column])
            tags = [versions[i % 2].version for i in range(args.n)]
            writer.writerows(zip(*cols, tags))
        files[f"{name}-mixed"] = path
    print(f"{args.n} responses (busy machine: numbers are rough)")
    for name, path in files.items():
        start = time.perf_counter()
        mixed = name.endswith("-mixed")
        responses = load_responses(path, instrument, known_versions=versions if mixed else None)
        seconds = time.perf_counter() - start
        assert responses.layout == name.removesuffix("-mixed"), (name, responses.layout)
        print(f"  {name:18s} {seconds:6.2f} s  ({responses.n_consented} consented, {path.stat().st_size / 1e6:.0f} MB)")
    from afstand.responses.layouts import apply_layout
    from afstand.responses.readers import read_csv_grid

    grid = read_csv_grid(files["afstand"])
    start = time.perf_counter()
    for _ in range(5):
        assert apply_layout(grid, instrument).layout == "afstand"
    print(f"  matching the canonical file's columns (apply_layout): {1000 * (time.perf_counter() - start) / 5:.1f} ms")


if __name__ == "__main__":
    main()
