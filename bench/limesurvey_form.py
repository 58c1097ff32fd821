"""Benchmark: a LimeSurvey survey structure (.lss) as an afstand instrument.

    .venv/bin/python bench/limesurvey_form.py [--questions 200]

Writes a LimeSurvey 6.x-style .lss with QUESTIONS questions in two languages (a fifth each lists
with 5 answer options, arrays with 10 rows, multiple choice with 6 options, numbers, texts) and
times: the conversion to the XLSForm workbook alone (XML → .xlsx bytes), the first load (the
conversion, pyxform and the model; a fresh cache directory) and a load the cache answers (the
conversion again, pyxform's output from the cache: the workbook bytes are the same each time).
Not a test.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape


def lss(n: int) -> bytes:
    answers, answer_l10ns, questions, subquestions, l10ns = [], [], [], [], []
    aid = qid = 0

    def texts(ident: int, nl: str, en: str) -> None:
        for lang, text in (("nl", nl), ("en", en)):
            l10ns.append(
                f"<row><qid>{ident}</qid><question>&lt;p&gt;{escape(text)}&lt;/p&gt;</question><help/><language>{lang}</language></row>"
            )

    for number in range(1, n + 1):
        qid += 1
        kind = "LFMNS"[number % 5]
        code = f"Q{number}"
        relevance = f'Q{number - 1}.NAOK == "A1"' if kind == "S" and number > 1 else "1"
        questions.append(
            f"<row><qid>{qid}</qid><parent_qid>0</parent_qid><sid>1</sid><gid>{1 + number // 20}</gid><type>{kind}</type>"
            f"<title>{code}</title><other>N</other><mandatory>N</mandatory><question_order>{number}</question_order>"
            f"<relevance>{escape(relevance)}</relevance></row>"
        )
        texts(qid, f"Vraag {number}", f"Question {number}")
        parent = qid
        if kind in ("L", "F"):
            for a in range(1, 6):
                aid += 1
                answers.append(
                    f"<row><aid>{aid}</aid><qid>{parent}</qid><code>A{a}</code><sortorder>{a}</sortorder><scale_id>0</scale_id></row>"
                )
                for lang in ("nl", "en"):
                    answer_l10ns.append(f"<row><aid>{aid}</aid><answer>Antwoord {a} {lang}</answer><language>{lang}</language></row>")
        for s in range({"F": 10, "M": 6}.get(kind, 0)):
            qid += 1
            subquestions.append(
                f"<row><qid>{qid}</qid><parent_qid>{parent}</parent_qid><sid>1</sid><gid>{1 + number // 20}</gid><type>T</type>"
                f"<title>S{number}x{s}</title><question_order>{s}</question_order><scale_id>0</scale_id><relevance>1</relevance></row>"
            )
            texts(qid, f"Rij {s}", f"Row {s}")
    groups = [f"<row><gid>{g}</gid><sid>1</sid><group_order>{g}</group_order><grelevance/></row>" for g in range(1, 2 + n // 20)]
    group_l10ns = [
        f"<row><id>{g}{lang}</id><gid>{g}</gid><group_name>Groep {g}</group_name><language>{lang}</language></row>"
        for g in range(1, 2 + n // 20)
        for lang in ("nl", "en")
    ]

    def table(name: str, rows: list[str]) -> str:
        return f"<{name}><rows>{''.join(rows)}</rows></{name}>"

    return (
        '<?xml version="1.0" encoding="UTF-8"?><document><LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>624</DBVersion>'
        "<languages><language>nl</language><language>en</language></languages>"
        + table("answers", answers)
        + table("answer_l10ns", answer_l10ns)
        + table("groups", groups)
        + table("group_l10ns", group_l10ns)
        + table("questions", questions)
        + table("subquestions", subquestions)
        + table("question_l10ns", l10ns)
        + "<surveys><rows><row><sid>1</sid><language>nl</language><additional_languages>en</additional_languages></row></rows></surveys>"
        "</document>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    raw = lss(args.questions)
    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ["AFSTAND_CACHE_DIR"] = cache_dir
        from afstand.instrument.limesurvey_form import convert
        from afstand.instrument.loader import load_instrument

        path = Path(cache_dir) / "survey.lss"
        path.write_bytes(raw)
        start = time.perf_counter()
        conversion = convert(raw, str(path))
        converted = time.perf_counter() - start
        start = time.perf_counter()
        instrument = load_instrument(path)
        first = time.perf_counter() - start
        start = time.perf_counter()
        load_instrument(path)
        cached = time.perf_counter() - start
    print(
        f".lss: {len(raw) / 1024:.0f} KiB, {args.questions} questions → {len(instrument.items)} items, {len(conversion.xlsx) / 1024:.0f} KiB .xlsx"
    )
    print(f"convert (XML → XLSForm workbook): {converted * 1000:.0f} ms")
    print(f"load_instrument, first (convert + pyxform + model): {first * 1000:.0f} ms")
    print(f"load_instrument, cached (convert + cache): {cached * 1000:.0f} ms")


if __name__ == "__main__":
    main()
