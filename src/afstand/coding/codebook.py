"""Codebooks: codes with id, Dutch label, description, colour and optional parent, per question.

A codebook is a CSV with the columns ``question, code, label_nl`` and optionally
``description_nl, colour, parent, keywords, examples_nl`` (the layout of
``../shared/reference-study/codebook.csv`` plus extras). ``keywords`` holds transparent suggestion
rules: phrases separated by ``;`` that are matched on Dutch word stems. ``examples_nl`` holds
passages that describe the code in other words (for the study: the report's own text), separated by
``|``; the suggestions learn from them as from coded answers. Code ids are unique within a question.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, TextIO

from afstand.errors import DataError, Problem

REQUIRED = ("question", "code", "label_nl")
COLUMNS = ("question", "code", "label_nl", "description_nl", "colour", "parent", "keywords", "examples_nl")
CODE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")
COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# Okabe–Ito, the palette of the figures: codes without a colour get one in turn
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")


@dataclass(frozen=True)
class Code:
    question: str
    id: str
    label: str
    description: str = ""
    colour: str = ""
    parent: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    codable: bool = True  # False: a heading that groups codes (REFI-QDA isCodable="false")
    guid: str = field(default="", compare=False)  # the REFI-QDA GUID it came with, kept on export

    @property
    def key(self) -> tuple[str, str]:
        return (self.question, self.id)


@dataclass
class Codebook:
    name: str
    codes: list[Code] = field(default_factory=list)

    def questions(self) -> list[str]:
        return list(dict.fromkeys(c.question for c in self.codes))

    def for_question(self, question: str) -> list[Code]:
        return [c for c in self.codes if c.question == question]

    def get(self, question: str, code: str) -> Code | None:
        return next((c for c in self.codes if c.question == question and c.id == code), None)

    def merged(self, other: "Codebook") -> "Codebook":
        seen = {c.key for c in self.codes}
        return Codebook(self.name, self.codes + [c for c in other.codes if c.key not in seen])


def read_codebook(source: str | Path | TextIO, name: str | None = None) -> Codebook:
    """Read and check a codebook CSV; every problem names file, row, column and value."""
    label = str(source) if isinstance(source, (str, Path)) else (name or "<codebook>")
    if isinstance(source, (str, Path)):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise DataError([Problem(label, f"cannot read codebook: {err}")]) from None
    else:
        text = source.read()
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError([Problem(label, f"missing column(s) {', '.join(missing)}", row=1)])
    problems: list[Problem] = []
    codes: list[Code] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, row in enumerate(reader, start=2):
        question, code = (row.get("question") or "").strip(), (row.get("code") or "").strip()
        if not question:
            problems.append(Problem(label, "empty question", row=row_number, column="question", value=question))
            continue
        if not CODE_ID.match(code):
            problems.append(
                Problem(label, "code id must be letters, digits, _ . - (at most 80)", row=row_number, column="code", value=code)
            )
            continue
        if (question, code) in seen:
            problems.append(
                Problem(label, f"duplicate code (first on row {seen[(question, code)]})", row=row_number, column="code", value=code)
            )
            continue
        seen[(question, code)] = row_number
        colour = (row.get("colour") or "").strip()
        if colour and not COLOUR.match(colour):
            problems.append(Problem(label, "colour must be #RRGGBB", row=row_number, column="colour", value=colour))
        if not (row.get("label_nl") or "").strip():
            problems.append(Problem(label, "empty label", row=row_number, column="label_nl", value=""))
        keywords = tuple(k.strip() for k in (row.get("keywords") or "").split(";") if k.strip())
        examples = tuple(e.strip() for e in (row.get("examples_nl") or "").split("|") if e.strip())
        codes.append(
            Code(
                question,
                code,
                (row.get("label_nl") or "").strip(),
                (row.get("description_nl") or "").strip(),
                colour,
                (row.get("parent") or "").strip(),
                keywords,
                examples,
            )
        )
    for c in codes:
        if c.parent and (c.question, c.parent) not in seen:
            problems.append(Problem(label, "parent is not a code of the same question", row=seen[c.key], column="parent", value=c.parent))
        if c.parent == c.id:
            problems.append(Problem(label, "a code cannot be its own parent", row=seen[c.key], column="parent", value=c.parent))
    if problems:
        raise DataError(problems)
    book = Codebook(name or Path(label).stem, codes)
    return with_colours(book)


def with_colours(book: Codebook) -> Codebook:
    out, i = [], 0
    for c in book.codes:
        if c.colour:
            out.append(c)
        else:
            out.append(replace(c, colour=PALETTE[i % len(PALETTE)]))
            i += 1
    return Codebook(book.name, out)


def read_codebooks(paths: Iterable[Path]) -> Codebook:
    """Several codebook files as one (question, code) space; the same code twice is an error."""
    combined = Codebook("codebooks")
    for path in paths:
        book = read_codebook(path)
        clash = [c for c in book.codes if combined.get(c.question, c.id)]
        if clash:
            raise DataError(
                [Problem(str(path), "code already defined in another codebook", column="code", value=f"{clash[0].question}/{clash[0].id}")]
            )
        combined = combined.merged(book)
    return combined


def write_codebook(book: Codebook, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in book.codes:
        writer.writerow([c.question, c.id, c.label, c.description, c.colour, c.parent, "; ".join(c.keywords), " | ".join(c.examples)])
