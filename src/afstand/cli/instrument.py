"""``afstand instrument show|export``: inspect and export XLSForm instruments."""

from __future__ import annotations

from pathlib import Path

from afstand.cli.common import print_json, study_or_none


def register(sub) -> None:
    p = sub.add_parser("instrument", help="inspect, check and export instruments", description="Inspect, check and export XLSForm instruments.")
    isub = p.add_subparsers(title="instrument commands")
    q = isub.add_parser("show", help="items, groups and version id of an instrument",
                        description="Items, groups, languages and version id of an instrument (pyxform's warnings on stderr).")
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--study", help="study folder or id")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_show)
    q = isub.add_parser("export", help="write an instrument as .xlsx for ODK / KoboToolbox",
                        description="Write an instrument as .xlsx for ODK / KoboToolbox; checks that it reads back to the same version id.")
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--out", required=True, help="output .xlsx file")
    q.add_argument("--study", help="study folder or id")
    q.set_defaults(handler=cmd_export)

    from afstand.cli.trend import add_diff_parser

    add_diff_parser(isub)


def cmd_show(args) -> int:
    import sys

    from afstand.study import resolve_instrument

    instrument, _ = resolve_instrument(args.instrument, study_or_none(args.study, args.instrument))
    for warning in instrument.warnings:
        print(f"afstand: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({
            "form_id": instrument.form_id,
            "version_id": instrument.version_id,
            "languages": list(instrument.languages),
            "warnings": list(instrument.warnings),
            "groups": [{"name": g.name, "label": g.label(), "elements": list(g.elements)} for g in instrument.groups],
            "items": {i.name: {"type": i.type, "label": i.label(), "group": i.group} for i in instrument.items.values()},
        })
    else:
        from afstand.textreport import print_instrument

        print_instrument(instrument)
    return 0


def cmd_export(args) -> int:
    from afstand.instrument.export import export_xlsx
    from afstand.study import resolve_instrument

    instrument, _name = resolve_instrument(args.instrument, study_or_none(args.study, args.instrument))
    out = Path(args.out)
    export_xlsx(Path(instrument.source), out)
    print(f"wrote {out} ({instrument.version_id})")
    return 0
