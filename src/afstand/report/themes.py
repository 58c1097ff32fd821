"""Open-answer themes for the report, from coded answers and the study's codebooks.

Coded answers are JSON lines ``{"id", "question", "text", "codes": [...]}`` (the layout of the
coding module's export); the codebook is ``question -> code -> {"label_nl", "description_nl"}``,
built from the study's codebooks (``Study.codebook()``). Per question: each theme's number of answers, its share of the coded
answers, and up to three quotes (e-mail addresses and phone numbers masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afstand.coding.answers import read_answers
from afstand.errors import DataError, Problem
from afstand.report.context import nl
from afstand.report.tables import Table, anonymise

QUOTES_PER_THEME = 3


@dataclass
class ThemeSection:
    question: str
    title: str
    table: Table
    quotes: dict[str, list[str]]  # theme label -> quotes


def load_codings(path: Path) -> list[dict]:
    """Coded answers from a JSONL file, through the format's one reader (:mod:`afstand.coding.answers`)."""
    return read_answers(path)


def theme_sections(
    codings: list[dict], codebook: dict[str, dict[str, dict]], spec: list[dict], source: str = "codings"
) -> list[ThemeSection]:
    sections = []
    for entry in spec:
        question = entry["question"]
        rows_q = sorted((c for c in codings if c["question"] == question), key=lambda c: c["id"])
        answers = [c for c in rows_q if c.get("kind", "answer") != "note"]
        notes = [c for c in rows_q if c.get("kind") == "note"]  # focus-group notes: shown beside the survey
        if not answers:
            continue
        codes = codebook.get(question, {})
        for answer in rows_q:
            for code in answer["codes"]:
                if code not in codes:
                    raise DataError(
                        [
                            Problem(
                                source, f"code {code!r} is not in the codebook of question {question}", column="codes", value=answer["id"]
                            )
                        ]
                    )
        total = len(answers)
        rows, quotes = [], {}
        counted = sorted(codes, key=lambda c: (-sum(c in a["codes"] for a in answers), list(codes).index(c)))
        for code in counted:
            with_code = [a for a in answers if code in a["codes"]]
            if not with_code and not any(code in n["codes"] for n in notes):
                continue
            label = codes[code]["label_nl"]
            row = [label, str(len(with_code)), nl(100 * len(with_code) / total)]
            if notes:
                row.append(str(sum(code in n["codes"] for n in notes)))
            rows.append(row)
            quotes[label] = [anonymise(a["text"]) for a in with_code if 30 <= len(a["text"]) <= 320][:QUOTES_PER_THEME]
        uncoded = sum(1 for a in answers if not a["codes"])
        note = f"{total} gecodeerde antwoorden, waarvan {uncoded} zonder codeerbare inhoud. Eén antwoord kan meer thema's hebben."
        if notes:
            note += f" Focusgroepen: het aantal verslagfragmenten (van {len(notes)}) met dit thema."
        table = Table(
            caption=entry["title"],
            columns=["Thema", "Antwoorden", "% van de antwoorden"] + (["Focusgroepen"] if notes else []),
            rows=rows,
            note=note,
            numeric=[False, True, True] + ([True] if notes else []),
            widths=[52, 16, 16, 16] if notes else [60, 20, 20],
        )
        sections.append(ThemeSection(question, entry["title"], table, quotes))
    return sections
