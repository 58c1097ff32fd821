"""``afstand code …``: qualitative coding from the command line (suggest, evaluate, agreement,
REFI-QDA export/import/inspect, focus-group notes). Calls :mod:`afstand.coding` only; coded
answers are read and written by :mod:`afstand.coding.answers` alone. ``--wave`` keeps the lines
of one wave (lines name their wave, as the web app's downloads write them). The coding stored in
the web app's database: ``afstand code dump`` and ``afstand code stats`` (:mod:`afstand.cli.code_stored`)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from afstand.cli.common import key_values, print_json
from afstand.errors import AfstandError, DataError


def register(sub) -> None:
    p = sub.add_parser(
        "code",
        help="qualitative coding: suggestions, agreement, REFI-QDA, focus groups",
        description="Qualitative coding of open answers and focus-group notes.",
    )
    csub = p.add_subparsers(title="code commands")

    q = csub.add_parser("suggest", help="suggest codes for answers from a hand-coded sample")
    q.add_argument("--codebook", required=True, help="codebook CSV (question, code, label_nl, …)")
    q.add_argument("--train", required=True, help="coded answers (JSONL: id, question, text, codes)")
    q.add_argument("--answers", required=True, help="answers to suggest codes for (JSONL; their codes are ignored)")
    q.add_argument("--json", action="store_true", help='print {"<id>": ["code", ...]}')
    q.add_argument("--details", action="store_true", help="with --json: confidence and reasons per suggestion")
    q.add_argument("--wave", help="suggest only for the answers of this wave (learning from the coded answers of every wave)")
    q.set_defaults(handler=cmd_suggest)

    q = csub.add_parser("evaluate", help="k-fold cross-validation of the suggestions on coded answers")
    q.add_argument("--codebook", required=True, help="codebook CSV (question, code, label_nl, …)")
    q.add_argument("--answers", required=True, help="coded answers (JSONL: id, question, text, codes)")
    q.add_argument("--folds", type=_at_least(2), default=3, help="number of folds (at least 2; default 3)")
    q.add_argument("--seed", type=int, default=0, help="seed of the shuffle (default 0)")
    q.add_argument(
        "--repeats", type=_at_least(1), default=1, help="run the k-fold on this many shuffles (seeds seed, seed+1, …) and report means"
    )
    q.add_argument("--wave", help=WAVE_HELP)
    q.set_defaults(handler=cmd_evaluate)

    q = csub.add_parser("agreement", help="Cohen's kappa and Krippendorff's alpha between coders")
    q.add_argument("--codebook", required=True, help="codebook CSV (question, code, label_nl, …)")
    q.add_argument("--coding", action="append", required=True, metavar="CODER=FILE.jsonl", help="one per coder")
    q.add_argument("--question", help="only this question (default: every question)")
    q.add_argument("--wave", help=WAVE_HELP)
    q.set_defaults(handler=cmd_agreement)

    q = csub.add_parser("export", help="write coded answers as a REFI-QDA project (.qdpx) or codebook (.qdc)")
    q.add_argument("--codebook", required=True, help="codebook CSV (question, code, label_nl, …)")
    q.add_argument(
        "--codings", action="append", default=[], metavar="CODER=FILE.jsonl", help="coded answers of one coder (repeat; none for a .qdc)"
    )
    q.add_argument("--out", required=True, help="FILE.qdpx or FILE.qdc")
    q.add_argument("--wave", help=WAVE_HELP)
    q.set_defaults(handler=cmd_export)

    q = csub.add_parser("import", help="read a REFI-QDA .qdpx/.qdc into a codebook CSV and coded answers JSONL")
    q.add_argument("file", help="a REFI-QDA project (.qdpx) or codebook (.qdc)")
    q.add_argument("--codebook-out", required=True, help="codebook CSV to write")
    q.add_argument("--codings-out", help="coded sources as JSONL (one line per source and coder)")
    q.add_argument(
        "--codebook",
        help="the study's codebook CSV: codes exported by afstand get their ids back by GUID "
        "(also after a round trip through ATLAS.ti, NVivo or MAXQDA)",
    )
    q.set_defaults(handler=cmd_import)

    q = csub.add_parser("inspect", help="count what a .qdpx or .qdc holds (same reader as the import)")
    q.add_argument("file", help="a REFI-QDA project (.qdpx) or codebook (.qdc)")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_inspect)

    q = csub.add_parser("notes", help="turn focus-group session notes (.txt/.docx) into codable sources (JSONL)")
    q.add_argument("--guide", required=True, help="discussion guide (TOML)")
    q.add_argument("--notes", required=True, help="the session's notes (.txt, .md or .docx), theme titles as headings")
    q.add_argument("--session", required=True, help="session name, e.g. 2021-03-10")
    q.add_argument("--out", required=True, help="JSONL file to write (one line per theme)")
    q.set_defaults(handler=cmd_notes)

    from afstand.cli.code_stored import add_parsers

    add_parsers(csub)


WAVE_HELP = "only the lines of this wave (their 'wave' field, e.g. 2022); default: every line"


def _coder_files(specs: list[str], option: str) -> list[tuple[str, str]]:
    return list(key_values(specs, option, "CODER=FILE.jsonl").items())


def _project(codebook_path: str, specs: list[str], option: str, wave: str | None = None):
    from afstand.coding.answers import of_wave, project_from_answers, read_answers
    from afstand.coding.codebook import read_codebook
    from afstand.coding.project import Project

    codebook = read_codebook(codebook_path)
    project = Project(Path(codebook_path).stem, codebook)
    for coder, path in _coder_files(specs, option):
        rows = read_answers(path, codebook=codebook, need_rows=True)
        part = project_from_answers(of_wave(rows, wave, path), codebook, coder, name=path)
        for source in part.sources.values():
            if source.id in project.sources and project.sources[source.id].text != source.text:
                raise AfstandError(f"{path}: answer {source.id} has another text than in an earlier file")
            project.sources.setdefault(source.id, source)
            project.reviewed.add((coder, source.id))
        project.codings.extend(part.codings)
    return project


def cmd_suggest(args) -> int:
    from afstand.coding.answers import codebook_problems, of_wave, read_answers
    from afstand.coding.codebook import read_codebook
    from afstand.coding.suggest import Suggester

    codebook = read_codebook(args.codebook)
    train = read_answers(args.train, codebook=codebook)
    # the answers' codes are ignored: only their questions are checked against the codebook
    new = of_wave(read_answers(args.answers, need_codes=False), args.wave, args.answers)
    check = [{**row, "codes": []} for row in new]
    if problems := codebook_problems(check, codebook, args.answers):
        raise DataError(problems)
    out: dict[str, object] = {}
    for question in dict.fromkeys(r["question"] for r in new):
        sample = [r for r in train if r["question"] == question]
        targets = [r for r in new if r["question"] == question]
        if not sample:
            raise AfstandError(f"{args.train}: no coded answers for question {question} to learn from")
        model = Suggester(codebook, question).fit([r["text"] for r in sample], [r["codes"] for r in sample])
        for row, suggestions in zip(targets, model.suggest([r["text"] for r in targets])):
            out[row["id"]] = (
                [{"code": s.code, "confidence": s.confidence, "because": list(s.because), "rule": s.rule} for s in suggestions]
                if args.details
                else [s.code for s in suggestions]
            )
    if args.json:
        print_json(out)
    else:
        for answer_id, codes in out.items():
            print(f"{answer_id}\t{' '.join(c if isinstance(c, str) else c['code'] for c in codes) or '-'}")
    return 0


def _at_least(minimum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value!r}")
        return number

    return parse


def cmd_evaluate(args) -> int:
    from afstand.coding.answers import of_wave, read_answers
    from afstand.coding.codebook import read_codebook
    from afstand.coding.suggest import evaluate

    codebook = read_codebook(args.codebook)
    rows = of_wave(read_answers(args.answers, codebook=codebook, need_rows=True), args.wave, args.answers)
    print_json(evaluate(rows, codebook, folds=args.folds, seed=args.seed, repeats=args.repeats, name=args.answers))
    return 0


def cmd_agreement(args) -> int:
    from afstand.coding.agreement import agreement

    project = _project(args.codebook, args.coding, "--coding", args.wave)
    questions = [args.question] if args.question else project.codebook.questions()
    print_json([agreement(project, q) for q in questions])
    return 0


def cmd_export(args) -> int:
    from afstand.coding.refi import write_qdc, write_qdpx
    from afstand.fileio import atomic_write_bytes

    out = Path(args.out)
    buffer = io.BytesIO()
    if out.suffix.lower() == ".qdc":
        from afstand.coding.codebook import read_codebook

        write_qdc(read_codebook(args.codebook), buffer)
    elif out.suffix.lower() == ".qdpx":
        write_qdpx(_project(args.codebook, args.codings, "--codings", args.wave), buffer)
    else:
        raise AfstandError(f"--out {out}: expected a .qdpx or .qdc file name")
    atomic_write_bytes(out, buffer.getvalue())
    print(f"wrote {out}")
    return 0


def cmd_import(args) -> int:
    from afstand.coding.answers import answers_jsonl
    from afstand.coding.codebook import write_codebook
    from afstand.coding.refi_import import read_qdc, read_qdpx
    from afstand.fileio import atomic_write_bytes

    path = Path(args.file)
    known = None
    if args.codebook:
        from afstand.coding.codebook import read_codebook

        known = read_codebook(Path(args.codebook))
    if path.suffix.lower() == ".qdc":
        book, project = read_qdc(path.read_bytes(), str(path), known=known), None
    else:
        project = read_qdpx(path, known=known)
        book = project.codebook
    text = io.StringIO()
    write_codebook(book, text)
    rows = []
    if project is not None and args.codings_out:
        for coder in project.coders or [""]:
            codes = project.answer_codes(coder)
            rows += [
                {
                    "id": source.id,
                    "question": source.question,
                    "text": source.text,
                    "kind": source.kind,
                    "coder": coder,
                    **({"wave": source.wave} if source.wave else {}),
                    "codes": sorted(codes.get(source.id, ())),
                }
                for source in project.sources.values()
            ]
    atomic_write_bytes(Path(args.codebook_out), text.getvalue().encode("utf-8"))
    if args.codings_out:
        atomic_write_bytes(Path(args.codings_out), answers_jsonl(rows).encode("utf-8"))
    for note in project.skipped if project else []:
        print(f"skipped: {note}", file=sys.stderr)
    print(f"imported {len(book.codes)} codes" + (f", {len(project.sources)} sources, {len(project.codings)} codings" if project else ""))
    return 0


def cmd_inspect(args) -> int:
    from afstand.coding.refi_import import inspect

    counts = inspect(args.file)
    if args.json:
        print_json({k: counts[k] for k in ("codes", "sources", "selections", "codings", "users")})
    else:
        for key, value in counts.items():
            print(f"{key}: {value}")
    return 0


def cmd_notes(args) -> int:
    from afstand.coding.answers import answers_jsonl
    from afstand.coding.focus import load_guide, parse_session, read_notes
    from afstand.fileio import atomic_write_bytes

    guide = load_guide(args.guide)
    session = parse_session(read_notes(args.notes), guide, args.session, origin=args.notes)
    rows = [{"id": s.id, "question": s.question, "text": s.text, "kind": "note", "codes": []} for s in session.sources()]
    atomic_write_bytes(Path(args.out), answers_jsonl(rows).encode("utf-8"))
    print(f"wrote {len(rows)} sections of {guide.title!r} to {args.out}")
    for statement, (up, down) in session.tallies.items():
        print(f"statement {statement}: {up} up, {down} down")
    if session.unplaced:
        print(f"note: {len(session.unplaced)} characters before the first theme heading were not placed under a theme", file=sys.stderr)
    return 0
