"""Open-answer themes for the report, from coded answers and the study's codebooks.

Coded answers are JSON lines ``{"id", "question", "text", "codes": [...]}`` (the layout of the
coding module's export); the codebook is ``question -> code -> {"label_nl", "description_nl"}``,
built from the study's codebooks (``Study.codebook()``). Per question: each theme's number of answers, its share of the coded
answers, and up to three quotes (e-mail addresses and phone numbers masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afstand.coding.answers import codebook_problems, read_answers
from afstand.coding.codebook import Codebook
from afstand.errors import DataError
from afstand.report.context import nl
from afstand.report.tables import Table, anonymise

QUOTES_PER_THEME = 3


@dataclass
class ThemeSection:
    question: str
    title: str
    table: Table
    quotes: dict[str, list[str]]  # theme label -> quotes


def load_codings(path: Path, codebook: Codebook | None = None) -> list[dict]:
    """Coded answers from a JSONL file, through the format's one reader (:mod:`afstand.coding.answers`);
    with a ``codebook`` every line's question and codes must be in it."""
    return read_answers(path, codebook=codebook)


def checked_codings(codings: Path | list[dict], codebook: Codebook) -> tuple[list[dict], str]:
    """Coded answers (a JSONL file, or rows already read such as the web app's) and the name their
    problems carry, every question and code checked against the study's codebook."""
    if not isinstance(codings, list):
        return load_codings(codings, codebook), str(codings)
    if problems := codebook_problems(codings, codebook, "codings"):
        raise DataError(problems)
    return codings, "codings"


def theme_notes(codings: list[dict], wanted: list[str], source: str = "codings") -> list[str]:
    """What a researcher should know about coded answers the report will not show as themes: none
    at all, or none of the ``wanted`` questions (those with a themes section: the report is then
    built without themes), and questions the report has no themes section for."""
    if not codings:
        return [f"{source} has no coded answers: the report is built without the themes of the open answers"]
    present = dict.fromkeys(r["question"] for r in codings)
    notes = []
    if not any(q in present for q in wanted):
        notes.append(f"{source} has no coded answers of a question with a themes section ({', '.join(wanted) or 'none'}): no themes")
    for question in (q for q in present if q not in wanted):
        n = sum(r["question"] == question for r in codings)
        notes.append(f"{source}: {n} coded answer{'' if n == 1 else 's'} of question {question}, which has no themes section in the report")
    return notes


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
        codes = codebook.get(question, {})  # every code is in it: checked_codings ran first
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
