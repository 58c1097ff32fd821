"""``afstand instrument show|check|export``: inspect, check and export XLSForm instruments."""

from __future__ import annotations

from pathlib import Path

from afstand.cli.common import EXIT_BAD_INPUT, print_json, study_or_none


def register(sub) -> None:
    p = sub.add_parser(
        "instrument", help="inspect, check and export instruments", description="Inspect, check and export XLSForm instruments."
    )
    isub = p.add_subparsers(title="instrument commands")
    q = isub.add_parser(
        "show",
        help="items, groups and version id of an instrument",
        description="Items, groups, languages and version id of an instrument (pyxform's warnings on stderr).",
    )
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--study", help="study folder or id")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_show)
    q = isub.add_parser(
        "check",
        help="what afstand can collect, analyse or refuses, per question",
        description="Check an XLSForm against afstand's support matrix (docs/xlsform.md): per question "
        "and feature whether afstand collects it on the web, only analyses it, or refuses it. "
        "Exit status 2 when the form is refused: exactly when the upload page and 'afstand study create' "
        "refuse it (the same check: every expression the web survey evaluates is compiled), with the same message.",
    )
    q.add_argument("instrument", help="instrument name or XLSForm path")
    q.add_argument("--study", help="study folder or id")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_check)
    q = isub.add_parser(
        "export",
        help="write an instrument as .xlsx for ODK / KoboToolbox (a LimeSurvey .lss: as an XLSForm to edit)",
        description="Write an instrument as .xlsx for ODK / KoboToolbox; checks that it reads back to the same version id. "
        "A LimeSurvey survey structure (.lss) is written as the XLSForm afstand converts it to, for the researcher to edit "
        "(what could not be converted is printed as warnings).",
    )
    q.add_argument("instrument", help="instrument name, XLSForm path or LimeSurvey .lss")
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
        print_json(
            {
                "form_id": instrument.form_id,
                "version_id": instrument.version_id,
                "languages": list(instrument.languages),
                "warnings": list(instrument.warnings),
                "groups": [{"name": g.name, "label": g.label(), "elements": list(g.elements)} for g in instrument.groups],
                "items": {i.name: {"type": i.type, "label": i.label(), "group": i.group} for i in instrument.items.values()},
            }
        )
    else:
        from afstand.textreport import print_instrument

        print_instrument(instrument)
    return 0


def cmd_check(args) -> int:
    import sys

    from afstand.errors import AfstandError
    from afstand.instrument.loader import check_instrument

    path = Path(args.instrument)
    if not path.is_file():
        study = study_or_none(args.study, args.instrument)
        if study is None:
            raise AfstandError(f"{args.instrument}: no such XLSForm file")
        path = study.form_path(args.instrument)
    support = check_instrument(path)
    if args.json:
        print_json(support.as_dict())
    else:
        verdict = {
            "web": "accepted: every question can be collected on the web",
            "analysis": "accepted: some questions are analysed only (not collected on the web)",
            "refused": "refused",
        }[support.status]
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


def cmd_export(args) -> int:
    import sys

    from afstand.instrument.export import export_xlsx
    from afstand.study import resolve_instrument

    instrument, _name = resolve_instrument(args.instrument, study_or_none(args.study, args.instrument))
    for warning in instrument.warnings:
        print(f"afstand: warning: {warning}", file=sys.stderr)
    out = Path(args.out)
    export_xlsx(Path(instrument.source), out)
    print(f"wrote {out} ({instrument.version_id})")
    return 0
