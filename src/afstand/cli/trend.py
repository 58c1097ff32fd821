"""``afstand trend``, ``afstand instrument diff`` and ``afstand study wave``: the waves of a repeated study, from the command line."""

from __future__ import annotations

from pathlib import Path

from afstand.cli.common import keep_freed_memory
from afstand.errors import AfstandError, not_a_file


def register(sub) -> None:
    add_trend_parser(sub)


def add_trend_parser(sub) -> None:
    p = sub.add_parser(
        "trend",
        help="compare waves of the same instrument (changes with intervals)",
        description="Per wave: the analysis' counts and percentages; between consecutive waves: the change in "
        "percentage points with Newcombe's 95%% interval, the z-test p and Holm's adjustment; scale means "
        "with Welch's difference. Items whose question or categories changed are flagged, not compared.",
    )
    p.add_argument("--instrument", required=True, help="an instrument of the study (werkers, clienten) or a path to an XLSForm")
    p.add_argument(
        "--wave",
        action="append",
        required=True,
        metavar="LABEL=PATH",
        help="one wave's responses, e.g. 2021=w21.csv (repeat, oldest first)",
    )
    p.add_argument(
        "--form",
        action="append",
        default=[],
        metavar="LABEL=XLSFORM",
        help="the instrument version a wave used, when it differs from --instrument (repeat)",
    )
    p.add_argument("--study", help="study folder or id (default: the bundled werken-op-afstand)")
    p.add_argument("--base", choices=("consented", "valid"), default="consented", help="percent base, as for analyze")
    p.add_argument("--lenient", action="store_true", help="report data problems instead of stopping on them")
    p.add_argument(
        "--cache",
        action="store_true",
        help="keep a columnar copy of each CSV wave file in the afstand cache (AFSTAND_CACHE_DIR) and reuse it next time (as analyze --cache)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=cmd_trend)


def add_diff_parser(isub) -> None:
    q = isub.add_parser(
        "diff",
        help="what changed between two instrument versions",
        description="Items added, removed, relabelled, re-scaled, or changed in type or relevance between "
        "two versions: XLSForm files, versions of a study folder's instrument (werkers, werkers@next, "
        "werkers@<hash>) or, with --db, the versions a web study's waves use (2021:werkers, 2022:werkers, "
        "werkers@<hash>).",
    )
    q.add_argument("before", help="older version: XLSForm path, instrument name, NAME@VERSION or (with --db) WAVE:NAME")
    q.add_argument("after", help="newer version: XLSForm path, instrument name, NAME@VERSION or (with --db) WAVE:NAME")
    q.add_argument("--study", help="study folder or id whose instruments the names refer to (with --db: the study in the database)")
    q.add_argument("--db", help="the web app's database (sqlite:///… or postgresql://…): names are the versions the --study's waves store")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_instrument_diff)


def parse_waves(specs: list[str], option: str = "--wave") -> list[tuple[str, str]]:
    out = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep or not label.strip() or not path:
            raise AfstandError(f"{option} {spec!r}: expected LABEL=PATH, e.g. 2021=werkers-2021.csv")
        out.append((label.strip(), path))
    labels = [label for label, _ in out]
    duplicate = next((label for label in labels if labels.count(label) > 1), None)
    if duplicate is not None:
        raise AfstandError(f"{option} {duplicate}: this wave label is given twice")
    return out


def cmd_trend(args) -> int:
    keep_freed_memory()
    from afstand.analysis.distributions import background_import_done, import_in_background
    from afstand.analysis.trend import Wave, trend
    from afstand.cli.common import print_json as _print_json
    from afstand.cli.common import study_or_none as _study_or_none
    from afstand.instrument.loader import load_instrument
    from afstand.responses import load_responses
    from afstand.study import resolve_instrument

    study = _study_or_none(args.study, args.instrument)
    instrument, name = resolve_instrument(args.instrument, study)
    waves = parse_waves(args.wave)
    if len(waves) < 2:
        raise AfstandError("--wave: give at least two waves (LABEL=PATH), oldest first")
    forms = dict(parse_waves(args.form, "--form"))
    unknown = [label for label in forms if label not in dict(waves)]
    if unknown:
        raise AfstandError(f"--form {unknown[0]}: no --wave with this label")
    missing = study.missing_codes if study is not None else ()  # as analyze: the same counts per wave
    # as analyze: a wave file that names its rows' versions (the study's forms) is read as each asked
    known = study.versions(name) if study is not None and name in study.instrument_names else None
    for label, path in waves:
        if not Path(path).is_file():
            raise AfstandError(f"{path}: {not_a_file(path)} (--wave {label})")
    import_in_background()  # scipy.special, for the intervals, while the first file is parsed
    loaded = []
    try:
        for label, path in waves:  # each wave read once (pyarrow parses it on both cores), then analysed column by column
            wave_instrument = load_instrument(forms[label]) if label in forms else instrument
            loaded.append(
                Wave(
                    label,
                    load_responses(
                        path, wave_instrument, lenient=args.lenient, missing=missing, columnar_cache=args.cache, known_versions=known
                    ),
                )
            )
    finally:
        background_import_done()  # before anything else imports scipy in this thread (even after an error)
    result = trend(loaded, name=name, base=args.base)
    if args.json:
        _print_json(result)
    else:
        print_trend(result)
    return 0


def cmd_instrument_diff(args) -> int:
    from afstand.cli.common import print_json as _print_json
    from afstand.cli.common import study_or_none as _study_or_none
    from afstand.instrument.diff import diff_instruments
    from afstand.study import resolve_instrument

    if args.db:
        before, after = _stored_pair(args)
    else:
        before, _ = resolve_instrument(args.before, _study_or_none(args.study, args.before))
        after, _ = resolve_instrument(args.after, _study_or_none(args.study, args.after))
    diff = diff_instruments(before, after)
    if args.json:
        _print_json(diff.as_dict())
        return 0
    out = diff.as_dict()
    print(f"{out['from']['version_id']} → {out['to']['version_id']}")
    if not out["changed"]:
        print("geen verschillen in de vragen")
    for name, entry in out["changed"].items():
        verdict = "vergelijkbaar" if entry["comparable"] else "NIET vergelijkbaar"
        print(f"{name}: {verdict}")
        for change in entry["changes"]:
            print(f"  {change['kind']}: {change['from'] or '–'}  →  {change['to'] or '–'}")
            for detail in change.get("details", []):
                print("    " + ", ".join(f"{k}={v}" for k, v in detail.items()))
    return 0


def _stored_pair(args):
    """``instrument diff --db``: each side an XLSForm path or a version stored in the web study ``--study``."""
    from afstand.cli.common import form_path_given, open_database
    from afstand.study import resolve_instrument

    if not args.study:
        raise AfstandError("--db: give --study, the study in the database whose versions to compare")
    files = {spec: resolve_instrument(spec)[0] for spec in (args.before, args.after) if form_path_given(spec)}
    open_database(args.db)
    from afstand.services import studies, waves

    study = studies.study_by_slug(args.study)
    return tuple(files[spec] if spec in files else waves.stored_instrument(study, spec) for spec in (args.before, args.after))


def print_trend(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    waves = result["waves"]
    console.print(f"[bold]{result['instrument']}[/bold]: metingen {', '.join(waves)}")
    for section in ("items", "likert"):
        for name, entry in result[section].items():
            table = Table(title=f"{name}: {entry['label']}", title_justify="left", show_edge=False)
            table.add_column("antwoord")
            for label in waves:
                table.add_column(f"% {label}", justify="right")
            table.add_column("verschil (pp) [95%-BI]", justify="right")
            table.add_column("p (Holm)", justify="right")
            choices = list(dict.fromkeys(c for w in entry["waves"].values() for c in w["percent"]))
            for choice in choices:
                row = [choice]
                for label in waves:
                    value = entry["waves"].get(label, {}).get("percent", {}).get(choice)
                    row.append("–" if value is None else f"{value:.1f}")
                change = entry["change"].get(choice)
                if change:
                    row += [
                        f"{change['pp']:+.1f} [{change['ci'][0]:.1f}; {change['ci'][1]:.1f}]",
                        "–" if change["p_holm"] is None else f"{change['p_holm']:.3f}",
                    ]
                else:
                    row += ["niet vergelijkbaar" if not entry["comparable"] else "–", ""]
                table.add_row(*row)
            console.print(table)
            for flag in entry["flags"]:
                wording = " → ".join(f"{k}: {v or '–'}" for k, v in flag["wording"].items())
                console.print(f"  [yellow]gewijzigd ({flag['kind']})[/yellow] {wording}")
    for name, entry in result["scales"].items():
        parts = [f"{label}: {w['mean']:.2f}" if w["mean"] is not None else f"{label}: –" for label, w in entry["waves"].items()]
        change = entry["change"]
        text = f"schaal {name}: " + ", ".join(parts)
        if change:
            text += f"; verschil {change['diff']:+.2f} [{change['ci'][0]:.2f}; {change['ci'][1]:.2f}], p={change['p']:.3f}"
        console.print(text)


def parse_report_waves(specs: list[str], study) -> list[tuple[str, dict[str, Path]]]:
    """``LABEL:INSTRUMENT=PATH`` options → [(label, {instrument: path})] in the order given."""
    waves: dict[str, dict[str, Path]] = {}
    for spec in specs:
        head, sep, path = spec.partition("=")
        label, colon, name = head.partition(":")
        if not sep or not colon or not label.strip() or not name.strip() or not path:
            raise AfstandError(f"--wave {spec!r}: expected LABEL:INSTRUMENT=PATH, e.g. 2021:werkers=werkers-2021.csv")
        label, name = label.strip(), name.strip()
        study.instrument_config(name)  # unknown instrument: clear error before any work
        if not Path(path).is_file():
            raise AfstandError(f"{path}: no such file (--wave {label}:{name})")
        files = waves.setdefault(label, {})
        if name in files:
            raise AfstandError(f"--wave {label}:{name}: given twice")
        files[name] = Path(path)
    return list(waves.items())


def add_wave_parser(ssub) -> None:
    """``afstand study wave create|list|close|dates|reopen`` (added to the study command group)."""
    w = ssub.add_parser("wave", help="waves (repeated measurements) of a study")
    wsub = w.add_subparsers(title="wave commands")
    q = wsub.add_parser("create", help="start a new wave as a copy of the current one (its forms as new deployments)")
    q.add_argument("--study", required=True, help="study id in the database")
    q.add_argument("--label", required=True, help="the wave's label, e.g. 2022 (letters, digits, hyphens)")
    q.add_argument("--starts", help="first day of fieldwork (YYYY-MM-DD)")
    q.add_argument("--ends", help="last day of fieldwork (YYYY-MM-DD)")
    q.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="INSTRUMENT[:CHANNEL]=N",
        help="response target of the wave per instrument, or per instrument and channel (repeat; default: the previous wave's)",
    )
    q.add_argument("--db", help="database URL (as for serve)")
    q.set_defaults(handler=cmd_wave_create)
    q = wsub.add_parser("list", help="the study's waves with their versions and stored responses")
    q.add_argument("--study", required=True, help="study id in the database")
    q.add_argument("--db", help="database URL (as for serve)")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_wave_list)
    from afstand.cli.wave_dates import add_date_parsers

    add_date_parsers(wsub)  # close, dates, reopen


def _date(value: str | None, option: str):
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AfstandError(f"{option} {value!r}: not a date (YYYY-MM-DD)") from None


def _database(args) -> None:
    from afstand.cli.common import open_database

    open_database(args.db)


def cmd_wave_create(args) -> int:
    starts, ends = _date(args.starts, "--starts"), _date(args.ends, "--ends")
    _database(args)
    from afstand.services import studies, waves

    targets = waves.parse_targets(args.target) if args.target else None

    wave = waves.create_wave(studies.study_by_slug(args.study), args.label, starts_on=starts, ends_on=ends, targets=targets)
    copied = wave.versions.count()
    print(
        f"{args.study}: wave {wave.label} created with {copied} questionnaire{'s' if copied != 1 else ''}; "
        f"links /s/{args.study}/m/{wave.label}/<questionnaire>"
    )
    return 0


def cmd_wave_list(args) -> int:
    _database(args)
    from afstand.cli.common import print_json as _print_json
    from afstand.services import studies, waves

    found = waves.summary(studies.study_by_slug(args.study))
    if args.json:
        _print_json(found)
        return 0
    for wave in found:
        dates = f" ({wave['starts_on'] or '…'} – {wave['ends_on'] or '…'})" if wave["starts_on"] or wave["ends_on"] else ""
        parts = ", ".join(
            f"{name}: {info['responses']} responses, {len(info['versions'])} version(s)" for name, info in wave["instruments"].items()
        )
        state = {"ended": " [closed]", "not_started": " [not started]"}.get(wave["state"], "")
        print(f"{wave['label']}{dates}{state}: {parts or 'no questionnaires'}")
    return 0
