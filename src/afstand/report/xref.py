"""Cross-references: the report text names a section, figure or table by its key; the build numbers it.

In the text (after Jinja2):

* ``@fig:key`` → "figuur 4" (key: the figure's ``key`` in report.toml, or its file stem such as
  ``figuur-04`` or ``trend-werkers-w_form_now``);
* ``@tab:key`` → "tabel 3" (key: ``[[table … #key]]``);
* ``@sec:key`` → "hoofdstuk 3", "paragraaf 6.4" or "bijlage A" (key: ``## Title [#key]``); the
  PDF adds the page ("paragraaf 6.4 (p. 41)", WeasyPrint's ``target-counter``);
* ``@num:key`` → only the number ("de hoofdstukken @num:literatuur en @num:methode");
* ``@Fig:``, ``@Tab:``, ``@Sec:`` → the same with a capital ("Figuur 14 laat zien …").

Figures and tables are numbered in the order they appear, headings as in
:func:`afstand.report.htmlpage.heading_numbers`; appendices get letters. A reference to a key
that does not exist stops the build with the file and line where it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from afstand.errors import StudyError
from afstand.figures.build import numbered
from afstand.report.blocks import REF, Aside, BulletList, Directive, Heading, Paragraph, Quote, Run

WORDS = {"figure": "figuur", "table": "tabel", "chapter": "hoofdstuk", "section": "paragraaf", "appendix": "bijlage"}
KINDS = {"fig": ("figure",), "tab": ("table",), "sec": ("chapter", "section", "appendix")}


@dataclass(frozen=True)
class Target:
    kind: str  # figure, table, chapter, section, appendix
    number: str  # "4", "5.1", "A"
    anchor: str  # the id in the HTML page


def number_all(blocks: list, fig_for: dict, tables: dict, themes: list, headings: dict[int, str]) -> dict[str, Target]:
    """Number the figures and tables in the order they appear (their titles and captions get the
    number) and collect every key a reference may name. ``headings``: block index → number of the
    headings (:func:`afstand.report.htmlpage.heading_numbers`); a keyed heading's anchor is its key."""
    targets: dict[str, Target] = {}
    figure_number = table_number = 0
    seen_tables: set[int] = set()

    def add(key: str, target: Target, where: str) -> None:
        if key in targets and targets[key] != target:
            raise StudyError(f"{where}: the key {key!r} is used twice")
        targets[key] = target

    def number_table(table, key: str = "") -> None:
        nonlocal table_number
        if table is None or id(table) in seen_tables:
            return
        seen_tables.add(id(table))
        table_number += 1
        table.caption = f"Tabel {table_number}. {table.caption}"
        table.anchor = key or f"tabel-{table_number}"
        if key:
            add(key, Target("table", str(table_number), table.anchor), "[[table]]")

    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            if block.key and index in headings:
                number = headings[index]
                kind = "appendix" if number.isalpha() else "chapter" if block.level == 1 else "section"
                add(block.key, Target(kind, number, block.key), f"heading {block.text!r}")
        elif isinstance(block, Directive) and block.name == "figure":
            shown = fig_for.get(block, [])
            if not shown:
                continue
            figure_number += 1
            for figure in shown:
                figure.title = numbered(figure.title, figure_number)
                figure.number = figure_number
            target = Target("figure", str(figure_number), shown[0].key)
            for key in {*(a[1:] for a in block.args if a.startswith("#")), *(f.key for f in shown), *_figure_keys(block)}:
                add(key, target, f"[[figure {' '.join(block.args)}]]")
        elif isinstance(block, Directive) and block.name == "table":
            number_table(tables.get(block), next((a[1:] for a in block.args if a.startswith("#")), ""))
        elif isinstance(block, Directive) and block.name == "themes":
            for section in themes:
                if not block.args or section.question in block.args:
                    number_table(section.table)
    return targets


def _figure_keys(block: Directive) -> list[str]:
    """The key a ``[[figure KEY]]`` directive names (not a bare number)."""
    return [a for a in block.args[:1] if not a.isdigit() and not a.startswith("#")]


def resolve(blocks: list, targets: dict[str, Target], where, tables=()) -> list:
    """The blocks with every reference replaced by its words (a link to its target); in ``tables``
    (captions, cells, notes: e.g. a claim's source) the words are put in place. ``where(token)``
    says where an unknown reference is written ("hoofdstukken/5-resultaten.md: line 30")."""

    def text(ref: str) -> tuple[str, Target]:
        kind, key = ref.split(":", 1)
        target = targets.get(key)
        wanted = KINDS.get(kind.lower())
        if target is None or (wanted is not None and target.kind not in wanted):
            known = sorted(k for k, t in targets.items() if wanted is None or t.kind in wanted)
            raise StudyError(
                f"{where('@' + ref)}: @{ref}: no {'section' if kind.lower() == 'sec' else 'such target' if wanted is None else wanted[0]}"
                f" with the key {key!r} in this report (known: {', '.join(known) or 'none'})"
            )
        if kind == "num":
            return target.number, target
        word = f"{WORDS[target.kind]} {target.number}"
        return (word[:1].upper() + word[1:] if kind[:1].isupper() else word), target

    def fix(runs: tuple[Run, ...]) -> tuple[Run, ...]:
        out = []
        for run in runs:
            if run.ref:
                said, target = text(run.ref)
                out.append(Run(said, link=target.anchor, page=target.kind in ("chapter", "section", "appendix")))
            elif "@" in run.text:  # inside bold, italic or a footnote: the words without a link
                out.append(replace(run, text=words(run.text)))
            else:
                out.append(run)
        return tuple(out)

    def words(value):
        return REF.sub(lambda m: text(f"{m.group(1)}:{m.group(2)}")[0], value) if isinstance(value, str) and "@" in value else value

    for table in tables:
        if table is not None:
            table.caption, table.note = words(table.caption), words(table.note)
            table.rows = [[words(cell) for cell in row] for row in table.rows]
    fixed = []
    for block in blocks:
        if isinstance(block, Paragraph):
            block = Paragraph(fix(block.runs))
        elif isinstance(block, Quote):
            block = Quote(fix(block.runs))
        elif isinstance(block, BulletList):
            block = BulletList(tuple(fix(item) for item in block.items))
        elif isinstance(block, Aside):
            block = Aside(block.title, tuple(fix(p) for p in block.paragraphs))
        fixed.append(block)
    return fixed


def locate(root: Path, content: str, rendered: str):
    """``where(token)`` for :func:`resolve`: the first source file under ``root`` (the report folder's
    Markdown) and line holding the token, else the line of the text after Jinja2."""

    def where(token: str) -> str:
        pattern = re.compile(re.escape(token) + r"(?![A-Za-z0-9_-])")
        for path in sorted(root.rglob("*.md")):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, start=1):
                if pattern.search(line):
                    return f"{path}: line {number}"
        for number, line in enumerate(rendered.splitlines(), start=1):
            if pattern.search(line):
                return f"{root / content} (after Jinja2): line {number}"
        return str(root / content)

    return where
