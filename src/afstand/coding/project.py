"""Sources, codings and memos: what coders produce, independent of storage (web DB, JSONL, REFI-QDA).

A source is an open answer (question, instrument, item, response) or a focus-group note. A coding
is (source, start, end, code, coder, time) with ``start``/``end`` as Unicode code-point offsets,
half-open ``[start, end)`` — Python string indices, and REFI-QDA's character positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from afstand.coding.codebook import Codebook
from afstand.errors import DataError, Problem


@dataclass(frozen=True)
class Source:
    id: str
    question: str
    text: str
    kind: str = "answer"  # answer | note
    instrument: str = ""
    item: str = ""
    title: str = ""
    guid: str = field(default="", compare=False)  # REFI-QDA: kept from an import, written back on export
    attributes: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # REFI-QDA: creatingUser, dates, richTextPath
    wave: str = ""  # the wave (repeated measurement) the answer or note belongs to, when known


@dataclass(frozen=True)
class Coding:
    source: str
    start: int
    end: int
    code: str
    coder: str
    created: str = ""  # ISO 8601 date-time (the coder's action, not the respondent's)
    guid: str = field(default="", compare=False)  # REFI-QDA Coding GUID, kept from an import

    @property
    def whole(self) -> bool:
        return self.start == 0


@dataclass(frozen=True)
class Memo:
    target: str  # "code:<question>/<code>", "coding:<source>:<start>:<end>" or "source:<id>"
    text: str
    author: str
    created: str = ""
    guid: str = field(default="", compare=False)  # REFI-QDA Note GUID, kept from an import


@dataclass
class Project:
    name: str
    codebook: Codebook
    sources: dict[str, Source] = field(default_factory=dict)
    codings: list[Coding] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    reviewed: set[tuple[str, str]] = field(default_factory=set)  # (coder, source): gone through, perhaps with no code
    users: list[str] = field(default_factory=list)  # coders known to the project, also those without codings yet
    skipped: list[str] = field(default_factory=list)  # what an import could not take over, said out loud
    # REFI-QDA details kept from an import so that an export gives them back unchanged
    user_info: dict[str, dict[str, str]] = field(default_factory=dict)  # user name → guid, id
    attributes: dict[str, str] = field(default_factory=dict)  # Project: creatingUserGUID, creationDateTime, …
    selections: dict[tuple[str, int, int], dict[str, str]] = field(default_factory=dict)  # (source, start, end) → guid, name, user, dates
    attachments: dict[str, bytes] = field(default_factory=dict)  # archive members besides the plain texts (rich text)

    def coded_by(self, coder: str) -> set[str]:
        """Sources this coder coded or marked as gone through."""
        return {c.source for c in self.codings if c.coder == coder} | {s for c, s in self.reviewed if c == coder}

    @property
    def coders(self) -> list[str]:
        names = list(self.users) + [c.coder for c in self.codings] + [m.author for m in self.memos]
        return sorted(set(n for n in names if n))

    def add_source(self, source: Source) -> None:
        if source.id in self.sources:
            raise DataError([Problem(self.name, "duplicate source id", column="id", value=source.id)])
        self.sources[source.id] = source

    def check(self, coding: Coding, origin: str = "") -> list[Problem]:
        where = origin or self.name
        source = self.sources.get(coding.source)
        if source is None:
            return [Problem(where, "coding refers to an unknown source", column="source", value=coding.source)]
        problems = []
        if not (0 <= coding.start < coding.end <= len(source.text)):
            problems.append(
                Problem(
                    where,
                    f"selection [{coding.start}, {coding.end}) is outside the text of {source.id} ({len(source.text)} characters)",
                    column="start/end",
                    value=f"{coding.start}-{coding.end}",
                )
            )
        if self.codebook.get(source.question, coding.code) is None:
            problems.append(Problem(where, f"code is not in the codebook of question {source.question}", column="code", value=coding.code))
        if not coding.coder:
            problems.append(Problem(where, "coding without a coder", column="coder", value=""))
        return problems

    def add_coding(self, coding: Coding) -> None:
        problems = self.check(coding)
        if problems:
            raise DataError(problems)
        if coding not in self.codings:
            self.codings.append(coding)

    def answer_codes(self, coder: str | None = None, question: str | None = None) -> dict[str, set[str]]:
        """Source id → the codes applied anywhere in it (by ``coder``, or by anyone)."""
        out: dict[str, set[str]] = {}
        for c in self.codings:
            if coder is not None and c.coder != coder:
                continue
            if question is not None and self.sources[c.source].question != question:
                continue
            out.setdefault(c.source, set()).add(c.code)
        return out

    def text_of(self, coding: Coding) -> str:
        return self.sources[coding.source].text[coding.start : coding.end]
