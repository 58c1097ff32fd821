"""``afstand demo-data``: seeded, plausible response files for a study's instruments."""

from __future__ import annotations

from pathlib import Path

from afstand.cli.common import key_values, study_or_none
from afstand.errors import AfstandError


def register(sub) -> None:
    p = sub.add_parser(
        "demo-data",
        help="write a plausible demo study, or valid answers for any form",
        description="Write generated, seeded response files for the study's instruments "
        "(sizes from the study's [demo] sizes unless given); with --instrument, valid answers for any "
        "XLSForm: FORM.jsonl (JSON API payloads) and the export made of them (FORM.csv, FORM-REPEAT.csv).",
    )
    p.add_argument("--instrument", help="an XLSForm path or an instrument of the study: generate answers for this form only")
    p.add_argument("--n", type=int, default=50, help="responses to generate with --instrument (default 50)")
    p.add_argument("--size", action="append", default=[], metavar="INSTRUMENT=N", help="respondents of one instrument (repeat)")
    p.add_argument("--n-workers", type=int, help="respondents of the instrument the study's [demo] options names 'workers'")
    p.add_argument("--n-clients", type=int, help="respondents of the instrument the study's [demo] options names 'clients'")
    p.add_argument("--seed", type=int, default=2021, help="random seed (default 2021): the same seed, the same files")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--study", help="study folder or id")
    p.set_defaults(handler=cmd_demo_data)


def sizes_for(study, size_specs: list[str], named: dict[str, int | None]) -> dict[str, int]:
    """Respondents per instrument: the study's ``[demo] sizes``, then ``--n-<option>``, then ``--size``."""
    demo = study.config.get("demo", {})
    sizes = {name: int(n) for name, n in demo.get("sizes", {}).items()}
    options = demo.get("options", {})
    for option, value in named.items():
        if value is None:
            continue
        if option not in options:
            raise AfstandError(
                f"--n-{option}: the study {study.id} names no '{option}' instrument ([demo] options); use --size INSTRUMENT=N"
            )
        sizes[options[option]] = value
    for name, text in key_values(size_specs, "--size", "INSTRUMENT=N").items():
        try:
            sizes[name] = int(text)
        except ValueError:
            raise AfstandError(f"--size {name}={text}: not a whole number") from None
    for name, n in sizes.items():
        study.instrument_config(name)  # an unknown instrument: a clear error
        if n < 0:
            raise AfstandError(f"--size {name}={n}: must be 0 or more")
    if not sizes:
        raise AfstandError(f"the study {study.id} has no [demo] sizes: give --size INSTRUMENT=N")
    return sizes


def cmd_demo_data(args) -> int:
    from afstand.demo import write_study
    from afstand.study import find_study

    if args.instrument:
        return _form_demo(args)
    study = find_study(args.study)
    sizes = sizes_for(study, args.size, {"workers": args.n_workers, "clients": args.n_clients})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_study(study, out, sizes, seed=args.seed)  # each file written atomically
    for name, n in sizes.items():
        print(f"wrote {out / (name + '.csv')} ({n} responses)")
    return 0


def _form_demo(args) -> int:
    """``--instrument FORM``: valid answers for any form, and the export the server makes of them."""
    from afstand.demo_form import write_form_demo
    from afstand.responses.submission import compile_rules
    from afstand.study import resolve_instrument

    if args.n < 0:
        raise AfstandError(f"--n {args.n}: must be 0 or more")
    instrument, name = resolve_instrument(args.instrument, study_or_none(args.study, args.instrument))
    compile_rules(instrument)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(args.instrument).stem if Path(args.instrument).is_file() else name
    for path in write_form_demo(instrument, args.n, out, seed=args.seed, stem=stem):
        print(f"wrote {path}")
    return 0
