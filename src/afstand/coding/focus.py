"""Focus groups: the discussion guide as data, and session notes imported as codable sources.

A guide (TOML, see ``studies/*/focusgroepen/``) lists themes with minutes, questions, the codebook
question its notes are coded with, and statements put to the group (thumbs up/down). Session
notes are plain text or ``.docx``; a line that names a theme (``Thema 1: Werkalliantie``,
``## Werkalliantie``, or the theme id) starts that theme's section, and a statement tally is
written as ``Stelling S1: 5 omhoog, 2 omlaag``. Each section becomes one source, coded like an
open answer.
"""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from afstand.coding.project import Source
from afstand.errors import DataError, Problem

TALLY = re.compile(
    r"^\s*stelling\s+(?P<id>[A-Za-z0-9_-]+)\s*:\s*(?P<up>\d+)\s*(?:x\s*)?(?:omhoog|eens|up|👍)\s*[,;/]\s*(?P<down>\d+)\s*(?:x\s*)?(?:omlaag|oneens|down|👎)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    minutes: int
    question: str
    questions: tuple[str, ...] = ()
    statements: tuple[Statement, ...] = ()


@dataclass
class Guide:
    id: str
    title: str
    group: str
    themes: list[Theme]

    @property
    def minutes(self) -> int:
        return sum(t.minutes for t in self.themes)


@dataclass
class Session:
    guide: Guide
    name: str
    sections: dict[str, str] = field(default_factory=dict)  # theme id → notes
    tallies: dict[str, tuple[int, int]] = field(default_factory=dict)  # statement id → (up, down)
    unplaced: str = ""  # text before the first theme heading

    def sources(self) -> list[Source]:
        by_id = {t.id: t for t in self.guide.themes}
        return [
            Source(
                f"{self.guide.id}/{self.name}/{theme_id}",
                by_id[theme_id].question,
                text,
                kind="note",
                title=f"{self.guide.title}, {self.name}: {by_id[theme_id].title}",
            )
            for theme_id, text in self.sections.items()
            if text.strip()
        ]


def load_guide(path: str | Path) -> Guide:
    path = Path(path)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DataError([Problem(str(path), f"cannot read guide: {err}")]) from None
    head = config.get("guide", {})
    themes, problems = [], []
    for number, entry in enumerate(config.get("themes", []), start=1):
        missing = [k for k in ("id", "title", "minutes", "question") if k not in entry]
        if missing:
            problems.append(Problem(str(path), f"theme {number}: missing {', '.join(missing)}", column="themes", value=entry.get("id")))
            continue
        statements = tuple(Statement(s["id"], s["text"]) for s in entry.get("statements", []))
        themes.append(
            Theme(entry["id"], entry["title"], int(entry["minutes"]), entry["question"], tuple(entry.get("questions", ())), statements)
        )
    if not themes:
        problems.append(Problem(str(path), "a guide needs at least one [[themes]] entry"))
    if problems:
        raise DataError(problems)
    return Guide(head.get("id", path.stem), head.get("title", path.stem), head.get("group", ""), themes)


def read_notes(path: str | Path) -> str:
    """The text of a notes file: ``.txt``/``.md`` (UTF-8) or ``.docx`` (paragraphs, via python-docx)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            import docx

            return "\n".join(p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs)
        if suffix in (".txt", ".md", ""):
            return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        raise DataError([Problem(str(path), f"not UTF-8 text: {err.reason} at byte {err.start}")]) from None
    except Exception as err:  # python-docx raises several kinds on a broken file
        raise DataError([Problem(str(path), f"cannot read notes: {type(err).__name__}: {err}")]) from None
    raise DataError([Problem(str(path), "notes must be .txt, .md or .docx", value=suffix)])


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def parse_session(text: str, guide: Guide, name: str, origin: str = "notes") -> Session:
    session = Session(guide, name)
    headings = {}
    for theme in guide.themes:
        headings[_norm(theme.title)] = theme.id
        headings[_norm(theme.id)] = theme.id
        short = theme.title.split(":", 1)[-1]
        headings.setdefault(_norm(short), theme.id)
    statements = {s.id.lower(): s.id for t in guide.themes for s in t.statements}
    current, buffer, unplaced = None, [], []
    for number, line in enumerate(text.splitlines(), start=1):
        key = _norm(line.lstrip("#").strip())
        if key in headings and len(line) < 120:
            if current is not None:
                session.sections[current] = (session.sections.get(current, "") + "\n" + "\n".join(buffer)).strip()
            current, buffer = headings[key], []
            continue
        tally = TALLY.match(line)
        if tally:
            statement = statements.get(tally.group("id").lower())
            if statement is None:
                raise DataError([Problem(origin, "tally for a statement that is not in the guide", row=number, value=tally.group("id"))])
            session.tallies[statement] = (int(tally.group("up")), int(tally.group("down")))
            continue
        (buffer if current is not None else unplaced).append(line)
    if current is not None:
        session.sections[current] = (session.sections.get(current, "") + "\n" + "\n".join(buffer)).strip()
    session.unplaced = "\n".join(unplaced).strip()
    if not session.sections:
        raise DataError([Problem(origin, f"no theme of the guide {guide.title!r} found as a heading in the notes")])
    return session
