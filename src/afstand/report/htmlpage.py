"""Render the report and factsheet as HTML (Jinja2, autoescaped) from parsed blocks."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from afstand.report.blocks import Aside, BulletList, Heading, Paragraph, Quote, Run
from afstand.report.tables import Table


def environment(extra_dir: Path | None = None) -> jinja2.Environment:
    """Templates: the study's ``report/templates`` first (to override), then afstand's own."""
    loaders = []
    if extra_dir is not None and extra_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(extra_dir)))
    loaders.append(jinja2.PackageLoader("afstand.report", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["runs"] = render_runs
    env.globals["table_html"] = lambda t: Markup(env.get_template("table.html.j2").render(t=t))
    return env


def css(name: str, extra_dir: Path | None = None) -> str:
    if extra_dir is not None and (extra_dir / name).is_file():
        return (extra_dir / name).read_text(encoding="utf-8")
    return resources.files("afstand.report").joinpath("templates", name).read_text(encoding="utf-8")


def render_runs(runs: tuple[Run, ...]) -> Markup:
    parts = []
    for run in runs:
        text = escape(run.text)
        if run.bold:
            text = Markup(f"<strong>{text}</strong>")
        if run.italic:
            text = Markup(f"<em>{text}</em>")
        if run.link:
            text = Markup(f'<a class="xref{" page" if run.page else ""}" href="#{escape(run.link)}">{text}</a>')
        if run.note:
            text = Markup(f'<span class="footnote">{text}</span>')
        parts.append(text)
    return Markup("").join(parts)


def slug(text: str, seen: set[str]) -> str:
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-") or "sectie"
    candidate, i = base, 2
    while candidate in seen:
        candidate, i = f"{base}-{i}", i + 1
    seen.add(candidate)
    return candidate


_APPENDIX = re.compile(r"^(bijlage|appendix)\b\s*:?\s*", re.IGNORECASE)


def heading_numbers(blocks: list, first_chapter: int = 1) -> dict[int, str]:
    """Numbers for the headings ("5", "5.1", "5.1.2"), by block index; appendices ("Bijlage: …")
    get letters ("A", "B", …) and their sections no number; the colophon none."""
    counters = [first_chapter - 1, 0, 0]
    numbers, appendix, letters = {}, False, 0
    for index, block in enumerate(blocks):
        if not isinstance(block, Heading):
            continue
        if block.level == 1:
            appendix = block.text.lower().startswith(("bijlage", "appendix", "colofon"))
            if _APPENDIX.match(block.text):
                numbers[index] = _letter(letters)
                letters += 1
        if appendix:
            continue
        counters[block.level - 1] += 1
        for deeper in range(block.level, 3):
            counters[deeper] = 0
        numbers[index] = ".".join(str(c) for c in counters[: block.level])
    return numbers


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def heading_text(block: Heading, number: str) -> tuple[str, str]:
    """(number shown before the heading, heading text): an appendix "Bijlage: verantwoording" with
    letter A reads "Bijlage A. Verantwoording" without a separate number."""
    if number.isalpha():
        match = _APPENDIX.match(block.text)
        rest = block.text[match.end() :]
        return "", f"{match.group(1)} {number}. {rest[:1].upper()}{rest[1:]}".rstrip(". ")
    return number, block.text


def page_blocks(blocks: list, figures: dict, tables: dict, themes, first_chapter: int = 1) -> tuple[list[dict], list[dict]]:
    """Blocks as template dicts, and the table of contents (levels 1–2), with heading numbers."""
    out, toc = [], []
    seen = {b.key for b in blocks if isinstance(b, Heading) and b.key}  # a keyed heading's anchor is its key
    numbers = heading_numbers(blocks, first_chapter)
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            number, text = heading_text(block, numbers.get(index, ""))
            ident = block.key or slug(block.text, seen)
            out.append({"type": "heading", "level": block.level, "text": text, "id": ident, "number": number})
            if block.level <= 2:
                toc.append({"level": block.level, "text": text, "id": ident, "number": number})
        elif isinstance(block, Paragraph):
            out.append({"type": "paragraph", "runs": block.runs})
        elif isinstance(block, BulletList):
            out.append({"type": "list", "entries": block.items})
        elif isinstance(block, Quote):
            out.append({"type": "quote", "runs": block.runs})
        elif isinstance(block, Aside):
            out.append({"type": "aside", "title": block.title, "paragraphs": block.paragraphs})
        elif block.name == "figure":
            for figure in figures.get(block, []):
                out.append({"type": "figure", "figure": figure, "table": figure_table(figure)})
        elif block.name == "table":
            if tables.get(block) is not None:
                out.append({"type": "table", "table": tables[block]})
        elif block.name == "themes":
            sections = [t for t in themes if not block.args or t.question in block.args]  # [[themes W1 W2]]: those questions
            if sections:
                out.append({"type": "themes", "sections": sections})
    return out, toc


def figure_table(figure) -> Table:
    columns = [c if c.startswith("%") else f"% {c}" for c in figure.columns]
    note = figure.footnote + " Tussen haken: 95%-betrouwbaarheidsinterval (Wilson). ×: niet getoond (te kleine groep)."
    return Table(
        caption=f"Cijfers bij {figure.title}",
        columns=[""] + columns,
        rows=[[label, *values] for label, values in figure.rows],
        note=note,
        numeric=[False] + [True] * len(figure.columns),
    )


def render_report(
    env: jinja2.Environment,
    *,
    cover: dict,
    blocks: list[dict],
    toc: list[dict],
    versions: list[dict],
    style: str,
    images: bool = True,
    for_print: bool = False,
) -> str:
    """The report page; ``images=False``: figures as caption and table only (a build without
    drawings); ``for_print``: the page the PDF is made of, without the figures' fold-out tables
    (print hides them; leaving them out saves the PDF from styling them)."""
    return env.get_template("report.html.j2").render(
        cover=cover, title=cover["title"], blocks=blocks, toc=toc, versions=versions, css=Markup(style), images=images, for_print=for_print
    )


def render_factsheet(env: jinja2.Environment, *, factsheet: dict, tiles: list[dict], style: str) -> str:
    return env.get_template("factsheet.html.j2").render(fs=factsheet, tiles=tiles, css=Markup(style))
