"""Render the report and factsheet as HTML (Jinja2, autoescaped) from parsed blocks."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from afstand.report.blocks import BulletList, Heading, Paragraph, Quote, Run
from afstand.report.tables import Table


def environment(extra_dir: Path | None = None) -> jinja2.Environment:
    """Templates: the study's ``report/templates`` first (to override), then afstand's own."""
    loaders = []
    if extra_dir is not None and extra_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(extra_dir)))
    loaders.append(jinja2.PackageLoader("afstand.report", "templates"))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
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


def page_blocks(blocks: list, figures: dict, tables: dict, themes) -> tuple[list[dict], list[dict]]:
    """Blocks as template dicts, and the table of contents (levels 1–2)."""
    out, toc, seen = [], [], set()
    for block in blocks:
        if isinstance(block, Heading):
            ident = slug(block.text, seen)
            out.append({"type": "heading", "level": block.level, "text": block.text, "id": ident})
            if block.level <= 2:
                toc.append({"level": block.level, "text": block.text, "id": ident})
        elif isinstance(block, Paragraph):
            out.append({"type": "paragraph", "runs": block.runs})
        elif isinstance(block, BulletList):
            out.append({"type": "list", "entries": block.items})
        elif isinstance(block, Quote):
            out.append({"type": "quote", "runs": block.runs})
        elif block.name == "figure":
            for figure in figures.get(block, []):
                out.append({"type": "figure", "figure": figure, "table": figure_table(figure)})
        elif block.name == "table":
            if tables.get(block) is not None:
                out.append({"type": "table", "table": tables[block]})
        elif block.name == "themes":
            if themes:
                out.append({"type": "themes", "sections": themes})
    return out, toc


def figure_table(figure) -> Table:
    return Table(caption=f"Cijfers bij {figure.title}", columns=[""] + [f"% {c}" if c != "%" else "%" for c in figure.columns],
                 rows=[[label, *values] for label, values in figure.rows], note=figure.footnote,
                 numeric=[False] + [True] * len(figure.columns))


def render_report(env: jinja2.Environment, *, title: str, subtitle: str, organisation: str, blocks: list[dict], toc: list[dict],
                  versions: list[dict], style: str) -> str:
    return env.get_template("report.html.j2").render(title=title, subtitle=subtitle, organisation=organisation, blocks=blocks,
                                                     toc=toc, versions=versions, css=Markup(style))


def render_factsheet(env: jinja2.Environment, *, factsheet: dict, tiles: list[dict], style: str) -> str:
    return env.get_template("factsheet.html.j2").render(fs=factsheet, tiles=tiles, css=Markup(style))
