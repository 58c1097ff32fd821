"""``afstand report``: the report, factsheet and figures from response files."""

from __future__ import annotations

import sys
from pathlib import Path

from afstand.cli.common import keep_freed_memory, key_values
from afstand.errors import AfstandError, not_a_file


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="write the report, factsheet and figures",
        description="Write the study report (HTML, PDF, DOCX), the factsheet and the figures from response data.",
    )
    p.add_argument(
        "--data", action="append", default=[], metavar="INSTRUMENT=PATH", help="data per instrument, e.g. werkers=werkers.csv (repeat)"
    )
    p.add_argument(
        "--wave",
        action="append",
        default=[],
        metavar="LABEL:INSTRUMENT=PATH",
        help="data per wave and instrument, oldest first, e.g. 2021:werkers=w21.csv (repeat); the report is of the last "
        "wave and gets a section on the development since the previous one (instead of --data)",
    )
    p.add_argument("--study", help="study folder or id")
    p.add_argument("--out", required=True, help="output folder (written only when everything succeeded)")
    p.add_argument("--format", default="html,pdf,docx", help="comma-separated: html, pdf, docx (default: all)")
    p.add_argument("--codings", help="coded open answers (JSON lines: id, question, text, codes) for the themes section")
    p.add_argument("--workers", type=int, default=2, help="processes for figures and PDF (default 2)")
    p.add_argument(
        "--base",
        choices=("consented", "valid"),
        default="consented",
        help="percent base: every consented respondent (skipped answers shown grey) or only those who answered",
    )
    p.add_argument(
        "--figures",
        choices=("all", "vector", "none"),
        default="all",
        help="drawings to make: all (SVG and PNG), vector (SVG only; the Word file gets each figure's table without the "
        "picture) or none (text, tables and numbers only, for quick drafts)",
    )
    p.add_argument(
        "--ledger",
        help="publication ledger: groups hidden in an earlier report of the same wave stay hidden, and this report's "
        "hidden groups are added (default: afstand-ledger-<study>.json beside the output folder)",
    )
    p.set_defaults(handler=cmd_report)


def cmd_report(args) -> int:
    keep_freed_memory()
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from afstand.coding.answers import read_answers
    from afstand.report.build import ReportSpec, build_report
    from afstand.report.themes import theme_notes
    from afstand.study import find_study

    study = find_study(args.study)
    data = {}
    if bool(args.data) == bool(args.wave):
        raise AfstandError("give the data with --data INSTRUMENT=PATH, or per wave with --wave LABEL:INSTRUMENT=PATH (not both)")
    for name, path in key_values(args.data, "--data", "INSTRUMENT=PATH").items():
        study.instrument_config(name)  # unknown instrument: clear error before any work
        if not Path(path).is_file():
            raise AfstandError(f"{path}: {not_a_file(path)} (--data {name})")
        data[name] = Path(path)
    waves = None
    if args.wave:
        from afstand.cli.trend import parse_report_waves

        waves = parse_report_waves(args.wave, study)
        data = waves[-1][1]
    from afstand.analysis.ledger import as_ledger, hidden_of, merged, read_ledger, write_ledger

    ledger_path = Path(args.ledger) if args.ledger else Path(args.out).absolute().parent / f"afstand-ledger-{study.id}.json"
    ledger = read_ledger(ledger_path, study.id)  # a broken ledger: a clear error before any work
    label = waves[-1][0] if waves else ""
    study = study.publishing(label, as_ledger(ledger))
    codings = None
    if args.codings:
        if not Path(args.codings).is_file():
            raise AfstandError(f"{args.codings}: no such file (--codings)")
        # checked line by line, and against the study's codebook, before any work
        codings = read_answers(args.codings, codebook=study.codebook())
        wanted = [entry["question"] for entry in ReportSpec.load(study).config.get("themes", [])]
        for note in theme_notes(codings, wanted, args.codings):
            print(f"note: {note}", file=sys.stderr)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("rapport maken", total=None)
        written = build_report(
            study,
            data,
            Path(args.out),
            formats=formats,
            codings=codings,
            workers=max(1, args.workers),
            base=args.base,
            progress=lambda message: progress.update(task, description=message),
            waves=waves,
            drawings=args.figures,
        )
    import json

    published = json.loads((Path(args.out) / "cijfers.json").read_text(encoding="utf-8"))
    write_ledger(ledger_path, study.id, {**ledger, label: merged(ledger.get(label, {}), hidden_of(published))})
    for path in written:
        print(f"wrote {path}")
    print(f"ledger {ledger_path}")
    return 0
