"""``afstand analyze`` and ``afstand pairs``: the analysis of response files."""

from __future__ import annotations

from afstand.cli.common import keep_freed_memory, key_values, print_json, study_or_none


def register(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse one instrument's responses",
        description="Analyse one instrument's responses: frequencies, numbers, Likert, scales, group comparisons.",
    )
    p.add_argument("--instrument", required=True, help="an instrument of the study (e.g. werkers) or a path to an XLSForm")
    p.add_argument(
        "--data",
        required=True,
        help="responses: .csv, .xlsx or .zip export of afstand, KoboToolbox, ODK Central or Microsoft Forms, or an SPSS .sav / Stata .dta",
    )
    # no choices=: the names live in afstand.responses.layouts, which loads pyarrow (kept out of start-up);
    # an unknown name is refused there, listing the known ones (exit 2)
    p.add_argument(
        "--layout",
        metavar="LAYOUT",
        help="force the export layout: afstand, kobo-xml, kobo-labels, odk-central, ms-forms, limesurvey, "
        "limesurvey-labels or spss (default: detected, and named in the output; docs/data-formats.md)",
    )
    p.add_argument("--study", help="study folder or id (default: $AFSTAND_STUDY, else the bundled study)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--lenient", action="store_true", help="report data problems instead of stopping on them")
    p.add_argument(
        "--base",
        choices=("consented", "valid"),
        default="consented",
        help="percent base: every consented respondent (report convention) or only those who answered",
    )
    p.add_argument("--exclude-outliers", action="store_true", help="leave flagged outliers out of number statistics")
    p.add_argument("--min-group-size", type=int, help="smallest group shown in breakdowns (default: the study's setting)")
    p.add_argument(
        "--version-form",
        action="append",
        default=[],
        metavar="XLSFORM",
        help="another instrument version the data's rows may have used (their instrument_version, Kobo __version__ or "
        "ODK Central FormVersion column); items not in a row's version count as not asked, outside the base (repeat). "
        "Default: the study's versions of the form (study.toml form and next)",
    )
    p.add_argument(
        "--cache",
        action="store_true",
        help="keep a columnar copy of a CSV data file in the afstand cache (AFSTAND_CACHE_DIR) and reuse it next time; "
        "worth it for large files analysed more than once",
    )
    p.add_argument("--repeat", help="analyse the table of this repeat (one row per instance, Kobo's layout); default: the main table")
    p.set_defaults(handler=cmd_analyze)

    p = sub.add_parser(
        "pairs",
        help="worker and client statements side by side",
        description="The statement pairs of two instruments side by side (XLSForm 'pair' column).",
    )
    p.add_argument(
        "--data", action="append", required=True, metavar="INSTRUMENT=PATH", help="data per instrument, e.g. werkers=werkers.csv (repeat)"
    )
    p.add_argument("--study", help="study folder or id")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=cmd_pairs)


def cmd_analyze(args) -> int:
    keep_freed_memory()
    from afstand.analysis.distributions import background_import_done, import_in_background
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses
    from afstand.study import resolve_instrument

    study = study_or_none(args.study, args.instrument)
    instrument, name = resolve_instrument(args.instrument, study)
    versions = known = None
    if args.version_form:
        from afstand.instrument.loader import load_instrument

        versions = [load_instrument(path) for path in args.version_form]
    elif study is not None and name in study.instrument_names:
        known = study.versions(name)  # a file that names its rows' versions is read as each asked
    if args.repeat or instrument.repeats:
        from afstand.responses.tables import section

        instrument = section(instrument, args.repeat)
    import_in_background()  # scipy.special, for the tests, while the file is parsed
    try:
        responses = load_responses(
            args.data,
            instrument,
            lenient=args.lenient,
            versions=versions,
            known_versions=known,
            columnar_cache=args.cache,
            layout=args.layout,
            missing=study.missing_codes if study is not None else (),
        )
    finally:
        background_import_done()  # before anything else imports scipy in this thread (even after an error)
    result = analyze(
        responses, name=name, study=study, base=args.base, exclude_outliers=args.exclude_outliers, min_group_size=args.min_group_size
    )
    if args.json:
        print_json(result)
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
    for name, path in key_values(args.data, "--data", "INSTRUMENT=PATH").items():
        instruments[name] = study.instrument(name)
        results[name] = analyze(load_responses(path, instruments[name]), name=name, study=None)
    found = pairs(results, instruments)
    if args.json:
        print_json({"pairs": found})
    else:
        from afstand.textreport import print_pairs

        print_pairs(found, instruments)
    return 0
