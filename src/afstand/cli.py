"""The ``afstand`` command: a thin layer over the core.

Bad input ends with one line ``afstand: error: …`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from afstand.errors import AfstandError

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args) or 0
    except AfstandError as err:
        print(f"afstand: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, KeyError) as err:
        print(f"afstand: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="afstand", description="The 'Werken op afstand' study system.")
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("analyze", help="analyse one instrument's responses", description="Analyse one instrument's responses: frequencies, numbers, Likert, scales, group comparisons.")
    p.add_argument("--instrument", required=True, help="an instrument of the study (werkers, clienten) or a path to an XLSForm")
    p.add_argument("--data", required=True, help="responses: .csv or .xlsx export of afstand, KoboToolbox, ODK Central or Microsoft Forms")
    p.add_argument("--layout", choices=_layouts(), help="force the export layout (default: detected, and named in the output)")
    p.add_argument("--study", help="study folder or id (default: the bundled werken-op-afstand)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--lenient", action="store_true", help="report data problems instead of stopping on them")
    p.add_argument("--base", choices=("consented", "valid"), default="consented", help="percent base: every consented respondent (report convention) or only those who answered")
    p.add_argument("--exclude-outliers", action="store_true", help="leave flagged outliers out of number statistics")
    p.add_argument("--min-group-size", type=int, help="smallest group shown in breakdowns (default: the study's setting)")
    p.set_defaults(handler=cmd_analyze)

    p = sub.add_parser("pairs", help="worker and client statements side by side", description="The statement pairs of two instruments side by side (XLSForm 'pair' column).")
    p.add_argument("--data", action="append", required=True, metavar="INSTRUMENT=PATH", help="data per instrument, e.g. werkers=werkers.csv (repeat)")
    p.add_argument("--study", help="study folder or id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pairs)

    p = sub.add_parser("report", help="write the report, factsheet and figures", description="Write the study report (HTML, PDF, DOCX), the factsheet and the figures from response data.")
    p.add_argument("--data", action="append", required=True, metavar="INSTRUMENT=PATH", help="data per instrument, e.g. werkers=werkers.csv (repeat)")
    p.add_argument("--study", help="study folder or id")
    p.add_argument("--out", required=True, help="output folder (written only when everything succeeded)")
    p.add_argument("--format", default="html,pdf,docx", help="comma-separated: html, pdf, docx (default: all)")
    p.add_argument("--codings", help="coded open answers (JSON lines: id, question, text, codes) for the themes section")
    p.add_argument("--workers", type=int, default=2, help="processes for figures and PDF (default 2)")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("serve", help="run the web app (gunicorn); migrations run on start", description="Run the web app with gunicorn on embedded SQLite (default) or PostgreSQL.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="database URL: sqlite:///path (default var/afstand.sqlite3) or postgresql://...")
    p.add_argument("--demo", action="store_true", help="load the demo study's instruments")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker (gunicorn gthread worker when > 1; default 1)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("export", help="export stored responses", description="Export stored responses of one instrument in the canonical layout.")
    p.add_argument("--instrument", required=True)
    p.add_argument("--db", help="database URL (as for serve)")
    p.add_argument("--study", default="werken-op-afstand", help="study id in the database")
    p.add_argument("--format", choices=("csv", "xlsx", "sav", "dta"), default="csv",
                   help="csv, xlsx, SPSS .sav or Stata .dta (codes, labels, missing values: docs/export.md)")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("createuser", help="create a researcher account with a role in a study", description="Create (or update) a researcher account. The password is read from AFSTAND_PASSWORD or asked for.")
    p.add_argument("--username", required=True)
    p.add_argument("--study", default="werken-op-afstand")
    p.add_argument("--role", choices=("owner", "analyst", "coder"), default="analyst")
    p.add_argument("--db", help="database URL (as for serve)")
    p.set_defaults(handler=cmd_createuser)

    p = sub.add_parser("purge", help="delete responses and sign-ups older than the retention period", description="Delete stored responses and sign-ups older than N days (default: AFSTAND_RETENTION_DAYS).")
    p.add_argument("--older-than", type=int, help="days (default: $AFSTAND_RETENTION_DAYS)")
    p.add_argument("--db", help="database URL (as for serve)")
    p.set_defaults(handler=cmd_purge)

    p = sub.add_parser("instrument", help="inspect, check and export instruments", description="Inspect, check and export XLSForm instruments.")
    isub = p.add_subparsers(title="instrument commands")
    q = isub.add_parser("show", help="items, groups and version id of an instrument")
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--study")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_instrument_show)
    q = isub.add_parser("check", help="what afstand can collect, analyse or refuses, per question",
                        description="Check an XLSForm against afstand's support matrix (docs/xlsform.md): per question "
                                    "and feature whether afstand collects it on the web, only analyses it, or refuses it. "
                                    "Exit status 2 when the form is refused.")
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--study")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_instrument_check)
    q = isub.add_parser("export", help="write an instrument as .xlsx for ODK / KoboToolbox")
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--out", required=True, help="output .xlsx file")
    q.add_argument("--study")
    q.set_defaults(handler=cmd_instrument_export)

    from afstand.cli_code import add_parser as add_code_parser

    add_code_parser(sub)

    p = sub.add_parser("demo-data", help="write a plausible demo study", description="Write generated, seeded response files for the study's instruments.")
    p.add_argument("--n-workers", type=int, default=228)
    p.add_argument("--n-clients", type=int, default=26)
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--study")
    p.set_defaults(handler=cmd_demo_data)
    return parser


def cmd_analyze(args) -> int:
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses
    from afstand.study import resolve_instrument

    study = _study_or_none(args.study, args.instrument)
    instrument, name = resolve_instrument(args.instrument, study)
    responses = load_responses(args.data, instrument, lenient=args.lenient, layout=args.layout,
                               missing=study.missing_codes if study is not None else ())
    result = analyze(
        responses, name=name, study=study, base=args.base, exclude_outliers=args.exclude_outliers, min_group_size=args.min_group_size
    )
    if args.json:
        _print_json(result)
    else:
        from afstand.textreport import print_analysis

        print_analysis(result, instrument)
    return 0


def cmd_pairs(args) -> int:
    from afstand.analysis.summary import analyze, pairs
    from afstand.responses import load_responses
    from afstand.study import find_study

    study = find_study(args.study)
    results, instruments = {}, {}
    for spec in args.data:
        if "=" not in spec:
            raise AfstandError(f"--data {spec!r}: expected INSTRUMENT=PATH")
        name, path = spec.split("=", 1)
        instruments[name] = study.instrument(name)
        results[name] = analyze(load_responses(path, instruments[name]), name=name, study=None)
    found = pairs(results, instruments)
    if args.json:
        _print_json({"pairs": found})
    else:
        from afstand.textreport import print_pairs

        print_pairs(found, instruments)
    return 0


def cmd_report(args) -> int:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from afstand.report.build import build_report
    from afstand.study import find_study

    study = find_study(args.study)
    data = {}
    for spec in args.data:
        if "=" not in spec:
            raise AfstandError(f"--data {spec!r}: expected INSTRUMENT=PATH")
        name, path = spec.split("=", 1)
        study.instrument_config(name)  # unknown instrument: clear error before any work
        if not Path(path).is_file():
            raise AfstandError(f"{path}: no such file (--data {name})")
        data[name] = Path(path)
    codings = Path(args.codings) if args.codings else None
    if codings is not None and not codings.is_file():
        raise AfstandError(f"{codings}: no such file (--codings)")
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("rapport maken", total=None)
        written = build_report(study, data, Path(args.out), formats=formats, codings=codings, workers=max(1, args.workers),
                               progress=lambda message: progress.update(task, description=message))
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_serve(args) -> int:
    from afstand.web.config.server import configure, migrate, serve

    configure(args.db)
    migrate()
    if args.demo:
        from afstand.services.studies import load_demo

        load_demo()
    print(f"afstand serving on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    serve(args.host, args.port, max(1, args.workers), max(1, args.threads))
    return 0


def cmd_export(args) -> int:
    from afstand.web.config.server import configure, migrate

    configure(args.db)
    migrate()
    from afstand.services.exports import export

    n = export(args.study, args.instrument, args.format, Path(args.out))
    print(f"wrote {args.out} ({n} responses)")
    return 0


def cmd_createuser(args) -> int:
    import getpass
    import os

    from afstand.web.config.server import configure, migrate

    configure(args.db)
    migrate()
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import ValidationError, validate_password

    from afstand.services.studies import load_demo
    from afstand.web.models import Membership, Study

    password = os.environ.get("AFSTAND_PASSWORD") or getpass.getpass("Wachtwoord: ")
    try:
        validate_password(password)
    except ValidationError as err:
        raise AfstandError("password: " + " ".join(err.messages)) from None
    study = Study.objects.filter(slug=args.study).first()
    if study is None and args.study == "werken-op-afstand":
        study = load_demo()
    if study is None:
        raise AfstandError(f"no study {args.study!r} in this database")
    user, _ = User.objects.get_or_create(username=args.username)
    user.set_password(password)
    user.save()
    Membership.objects.update_or_create(user=user, study=study, defaults={"role": args.role})
    print(f"{args.username}: {args.role} of {study.slug}")
    return 0


def cmd_purge(args) -> int:
    import os

    days = args.older_than if args.older_than is not None else os.environ.get("AFSTAND_RETENTION_DAYS")
    if days is None or int(days) < 0:
        raise AfstandError("give --older-than DAYS or set AFSTAND_RETENTION_DAYS")
    from afstand.web.config.server import configure, migrate

    configure(args.db)
    migrate()
    from afstand.services.submissions import purge

    counts = purge(int(days))
    print(f"deleted {counts['responses']} responses and {counts['signups']} sign-ups older than {int(days)} days")
    return 0


def cmd_instrument_show(args) -> int:
    from afstand.study import resolve_instrument

    instrument, _ = resolve_instrument(args.instrument, _study_or_none(args.study, args.instrument))
    if args.json:
        _print_json({
            "form_id": instrument.form_id,
            "version_id": instrument.version_id,
            "languages": list(instrument.languages),
            "groups": [{"name": g.name, "label": g.label(), "elements": list(g.elements)} for g in instrument.groups],
            "items": {i.name: {"type": i.type, "label": i.label(), "group": i.group} for i in instrument.items.values()},
        })
    else:
        from afstand.textreport import print_instrument

        print_instrument(instrument)
    return 0


def cmd_instrument_check(args) -> int:
    from afstand.instrument.loader import check_instrument

    path = Path(args.instrument)
    if not path.is_file():
        study = _study_or_none(args.study, args.instrument)
        if study is None:
            raise AfstandError(f"{args.instrument}: no such XLSForm file")
        path = study.form_path(args.instrument)
    support = check_instrument(path)
    if args.json:
        _print_json(support.as_dict())
    else:
        verdict = {"web": "accepted: every question can be collected on the web",
                   "analysis": "accepted: some questions are analysed only (not collected on the web)",
                   "refused": "refused"}[support.status]
        print(f"{support.source}: {verdict}")
        for question in support.questions:
            if question.status == "web":
                continue
            features = ", ".join(f"{f.kind} {f.name} ({f.status})" for f in question.features if f.status != "web")
            print(f"  {question.status:8}  {question.path} [{question.type}]: {features}")
        for setting in support.settings:
            if setting.status != "web":
                print(f"  {setting.status:8}  setting {setting.name}: {setting.note}")
        for line in support.errors:
            print(f"  refused   {line}")
    if not support.accepted:
        print(f"afstand: error: {support.source}: refused: " + "; ".join(support.refusals()), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def cmd_instrument_export(args) -> int:
    from afstand.instrument.export import export_xlsx
    from afstand.study import resolve_instrument

    study = _study_or_none(args.study, args.instrument)
    instrument, name = resolve_instrument(args.instrument, study)
    source = Path(instrument.source)
    out = Path(args.out)
    export_xlsx(source, out)
    print(f"wrote {out} ({instrument.version_id})")
    return 0


def cmd_demo_data(args) -> int:
    from afstand.demo import write_study
    from afstand.study import find_study

    study = find_study(args.study)
    names = study.instrument_names
    sizes = {names[0]: args.n_workers}
    if len(names) > 1:
        sizes[names[1]] = args.n_clients
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_study(study, out, sizes, seed=args.seed)  # each file written atomically
    for name, n in sizes.items():
        print(f"wrote {out / (name + '.csv')} ({n} responses)")
    return 0


def _layouts() -> list[str]:
    from afstand.responses.layouts import layout_names

    return layout_names()


def _study_or_none(study_arg, instrument_arg):
    from afstand.study import find_study

    path = Path(instrument_arg)
    if study_arg is None and (path.suffix.lower() in (".md", ".csv", ".xlsx", ".xls") or path.is_file()):
        return None
    return find_study(study_arg)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))
    sys.stdout.write("\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
