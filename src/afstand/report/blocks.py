"""The report's content format: a small Markdown subset with directives.

A study's ``rapport.md`` is first rendered by Jinja2 (so every number is computed), then
parsed here into blocks that the HTML and DOCX renderers share:

* ``# Title`` / ``## Section`` / ``### Subsection`` → :class:`Heading`; a heading ending in
  ``[#key]`` can be referred to by that key
* paragraphs (lines separated by a blank line) → :class:`Paragraph`, with ``**bold**``,
  ``*italic*``, ``“quotes”`` and footnotes ``^[text]`` kept as inline runs
* ``- item`` lines → :class:`BulletList`
* ``> text`` lines → :class:`Quote`
* ``[[figure werkalliantie-werkers]]``, ``[[table scales werkers #schalen-werkers]]``,
  ``[[themes]]`` → :class:`Directive` (a figure by its key in report.toml, or its number; a table
  with an optional ``#key``)
* ``@fig:key``, ``@tab:key``, ``@sec:key`` (``@Fig:`` etc. at the start of a sentence) and
  ``@num:key`` → a cross-reference run, numbered by the build (:mod:`afstand.report.xref`)
* ``::: Title`` … ``:::`` → :class:`Aside` (a boxed text, e.g. "Hoe lees je deze cijfers")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"^\[\[\s*(\w+)((?:\s+#?[\w:.-]+)*)\s*\]\]$")
# a cross-reference: @fig:key, @tab:key, @sec:key, @num:key (capitalised kind: capitalised word)
REF = re.compile(r"(?<![\w@])@(fig|tab|sec|num|Fig|Tab|Sec):([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)")
_INLINE = re.compile(r"(\^\[[^\]]+\]|\*\*[^*]+\*\*|\*[^*]+\*|" + REF.pattern + ")")
_HEADING_KEY = re.compile(r"\s*\[#([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)\]$")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    note: bool = False  # a footnote (at the foot of the page in print)
    ref: str = ""  # a cross-reference not yet resolved: "fig:key" (text: what was written)
    link: str = ""  # a resolved cross-reference: the anchor it links to
    page: bool = False  # print the target's page after it (PDF)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    key: str = ""  # "[#key]" at the end of the heading: the key cross-references name


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True)
class Quote:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Aside:
    title: str
    paragraphs: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]
    line: int


Block = Heading | Paragraph | BulletList | Quote | Aside | Directive


class ContentError(ValueError):
    pass


def parse(text: str, source: str = "rapport.md") -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(runs(" ".join(paragraph))))
            paragraph.clear()
        if bullets:
            blocks.append(BulletList(tuple(runs(b) for b in bullets)))
            bullets.clear()
        if quote:
            blocks.append(Quote(runs(" ".join(quote))))
            quote.clear()

    aside: list | None = None  # (title, [paragraph lines]) while inside ::: … :::
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith(":::"):
            flush()
            if aside is None:
                aside = [line[3:].strip(), [[]]]
            else:
                paragraphs = tuple(runs(" ".join(p)) for p in aside[1] if p)
                blocks.append(Aside(aside[0], paragraphs))
                aside = None
            continue
        if aside is not None:
            if line:
                aside[1][-1].append(line)
            elif aside[1][-1]:
                aside[1].append([])
            continue
        if not line:
            flush()
            continue
        if line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            if level > 3:
                raise ContentError(f"{source}: line {number}: headings go three levels deep at most")
            text = line[level:].strip()
            key = _HEADING_KEY.search(text)
            blocks.append(Heading(level, text[: key.start()].strip(), key.group(1)) if key else Heading(level, text))
        elif line.startswith("[["):
            flush()
            match = _DIRECTIVE.match(line)
            if not match:
                raise ContentError(f"{source}: line {number}: not a directive: {line!r}")
            blocks.append(Directive(match.group(1), tuple(match.group(2).split()), number))
        elif line.startswith("- "):
            if paragraph or quote:
                flush()
            bullets.append(line[2:].strip())
        elif line.startswith(">"):
            if paragraph or bullets:
                flush()
            quote.append(line[1:].strip())
        else:
            if bullets or quote:
                flush()
            paragraph.append(line)
    flush()
    if aside is not None:
        raise ContentError(f"{source}: a box opened with ':::' is not closed")
    return blocks


def runs(text: str) -> tuple[Run, ...]:
    out = []
    at = 0
    for match in _INLINE.finditer(text):
        if match.start() > at:
            out.append(Run(text[at : match.start()]))
        at = match.end()
        part = match.group(0)
        ref = REF.fullmatch(part)
        if ref:
            out.append(Run(part, ref=f"{ref.group(1)}:{ref.group(2)}"))
        elif part.startswith("^[") and part.endswith("]"):
            out.append(Run(part[2:-1].strip(), note=True))
        elif part.startswith("**") and part.endswith("**"):
            out.append(Run(part[2:-2], bold=True))
        elif part.startswith("*") and part.endswith("*") and len(part) > 1:
            out.append(Run(part[1:-1], italic=True))
        else:
            out.append(Run(part))
    if at < len(text):
        out.append(Run(text[at:]))
    return tuple(out)


def plain(runs_: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs_)
