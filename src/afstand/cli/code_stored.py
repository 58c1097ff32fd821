"""``afstand code dump`` and ``afstand code stats``: the coding stored in the web app's database,
of one wave or of the whole study. They call :mod:`afstand.services.coding` and
:mod:`afstand.services.qdpx`, the functions behind the coding screens and their downloads."""

from __future__ import annotations

import io
from pathlib import Path

from afstand.cli.common import print_json
from afstand.errors import AfstandError
from afstand.fileio import atomic_write_bytes

DB_HELP = "database URL: sqlite:///path (default var/afstand.sqlite3) or postgresql://… (default: $AFSTAND_DB_URL)"
WAVE_HELP = "only this wave (its label, e.g. 2022); default: every wave of the study"


def add_parsers(csub) -> None:
    q = csub.add_parser("dump", help="write the coding stored in the web app (one wave or all) as JSONL or .qdpx")
    q.add_argument("--study", required=True, help="study id in the database")
    q.add_argument("--wave", help=WAVE_HELP)
    q.add_argument("--out", required=True, help="FILE.jsonl (coded answers, each line naming its wave) or FILE.qdpx (REFI-QDA)")
    q.add_argument("--db", help=DB_HELP)
    q.set_defaults(handler=cmd_dump)

    q = csub.add_parser("stats", help="per question: coded answers, code frequencies, agreement, keywords set aside (one wave or all)")
    q.add_argument("--study", required=True, help="study id in the database")
    q.add_argument("--wave", help=WAVE_HELP)
    q.add_argument("--question", help="only this codebook question (default: every question)")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.set_defaults(handler=cmd_stats)


def _study_and_wave(args):
    from afstand.cli.common import open_database

    open_database(args.db)
    from afstand.services import studies, waves

    study = studies.study_by_slug(args.study)
    if args.wave and waves.wave_by_label(study, args.wave) is None:
        known = ", ".join(w.label for w in waves.waves_of(study)) or "none"
        raise AfstandError(f"--wave {args.wave}: study {args.study} has no such wave (waves: {known})")
    return study, args.wave or None


def cmd_dump(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".jsonl", ".qdpx"):
        raise AfstandError(f"--out {out}: expected a .jsonl or .qdpx file name")
    study, wave = _study_and_wave(args)
    if out.suffix.lower() == ".qdpx":
        from afstand.services.qdpx import qdpx_bytes

        data, project = qdpx_bytes(study.slug, wave)
        atomic_write_bytes(out, data)
        print(f"wrote {out} ({len(project.sources)} sources, {len(project.codings)} codings)")
        for note in project.skipped:
            print(f"skipped: {note}")
        return 0
    from afstand.services.coding import answer_lines

    lines = answer_lines(study.slug, wave)
    atomic_write_bytes(out, "".join(line + "\n" for line in lines).encode("utf-8"))
    print(f"wrote {out} ({len(lines)} coded answers)")
    return 0


def stats(study_slug: str, wave: str | None, only: str | None = None) -> dict:
    """Per codebook question, of one wave or all: answers, coded answers, frequency per code,
    agreement between coders and the keywords the coding set aside."""
    from afstand.services import coding

    questions = coding.all_questions(study_slug)
    if only is not None and only not in questions:
        raise AfstandError(f"--question {only}: not a question of the codebook ({', '.join(questions) or 'none'})")
    out = {}
    for question in [only] if only else questions:
        units = coding.answers(study_slug, question, wave)
        coded = set(coding.codes_by_unit(study_slug, question, wave)) | coding.reviewed_keys(study_slug, question, wave=wave)
        out[question] = {
            "answers": len(units),
            "coded": len(coded & {coding.key(u) for u, _ in units}),
            "codes": [
                {"code": row["code"].id, "label": row["code"].label, "answers": row["answers"], "percent": row["percent"]}
                for row in coding.frequencies(study_slug, question, quotes=0, wave=wave)
            ],
            "agreement": coding.agreement(study_slug, question, wave),
            "set_aside": [
                {"code": r["code"].id, "keyword": r["keyword"], "fires": r["fires"], "right": r["right"]}
                for r in coding.set_aside_rules(study_slug, question, wave)
            ],
        }
    return {"study": study_slug, "wave": wave, "questions": out}


def cmd_stats(args) -> int:
    study, wave = _study_and_wave(args)
    found = stats(study.slug, wave, args.question)
    if args.json:
        print_json(found)
        return 0
    text = io.StringIO()
    print(f"{study.slug}: {'wave ' + wave if wave else 'every wave'}", file=text)
    for question, entry in found["questions"].items():
        alpha = entry["agreement"]["alpha_pooled"]
        print(
            f"{question}: {entry['coded']} of {entry['answers']} answers coded; "
            f"α {'–' if alpha is None else f'{alpha:.3f}'} over {len(entry['agreement']['units'])} answers of two or more coders",
            file=text,
        )
        for row in entry["codes"]:
            print(f"  {row['code']}: {row['answers']} ({row['percent']}%)", file=text)
        for rule in entry["set_aside"]:
            print(f"  keyword set aside: {rule['code']} / {rule['keyword']} ({rule['right']} of {rule['fires']})", file=text)
    print(text.getvalue(), end="")
    return 0
