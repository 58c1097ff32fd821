"""The report as a Word document (python-docx), from the same blocks as the HTML."""

from __future__ import annotations

import io
from typing import BinaryIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from afstand.report.blocks import Aside, BulletList, Heading, Paragraph, Quote, Run
from afstand.report.htmlpage import figure_table, heading_numbers, heading_text
from afstand.report.tables import Table

ACCENT = RGBColor(0x5E, 0x3C, 0x99)


def write_docx(
    out: BinaryIO, *, cover: dict, blocks: list, figures: dict, tables: dict, themes, png: dict[str, bytes], versions: list[dict]
) -> None:
    title, subtitle, organisation = cover["title"], cover["subtitle"], cover["organisation"]
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    doc.core_properties.title = title
    doc.core_properties.author = ", ".join(cover.get("authors") or []) or organisation
    doc.core_properties.comments = "Gemaakt met afstand"

    p = doc.add_paragraph(organisation)
    p.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    heading = doc.add_heading(title, level=0)
    heading.runs[0].font.color.rgb = ACCENT
    doc.add_paragraph(subtitle)
    if cover.get("authors"):
        doc.add_paragraph(", ".join(cover["authors"])).runs[0].bold = True
    doc.add_paragraph(
        " · ".join(
            x for x in (cover.get("publisher"), cover.get("date"), f"versie {cover['version']}" if cover.get("version") else "") if x
        )
    )
    numbers = heading_numbers(blocks, int(cover.get("first_chapter") or 1))

    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            number, text = heading_text(block, numbers.get(index, ""))
            doc.add_heading(f"{number} {text}" if number else text, level=block.level)
        elif isinstance(block, Paragraph):
            _runs(doc.add_paragraph(), block.runs)
        elif isinstance(block, BulletList):
            for item in block.items:
                _runs(doc.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Quote):
            _runs(doc.add_paragraph(style="Quote"), block.runs)
        elif isinstance(block, Aside):
            doc.add_heading(block.title, level=4)
            for paragraph in block.paragraphs:
                _runs(doc.add_paragraph(style="Intense Quote"), paragraph)
        elif block.name == "figure":
            for figure in figures.get(block, []):
                if figure.key in png:  # a build without drawings: caption and table only
                    doc.add_picture(io.BytesIO(png[figure.key]), width=Cm(16.5))
                    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption = doc.add_paragraph(figure.title, style="Caption")
                caption.alignment = WD_ALIGN_PARAGRAPH.LEFT
                source = doc.add_paragraph(figure.footnote)
                source.runs[0].font.size = Pt(8)
                _table(doc, figure_table(figure))
        elif block.name == "table" and tables.get(block) is not None:
            _table(doc, tables[block])
        elif block.name == "themes" and themes:
            for theme_section in (t for t in themes if not block.args or t.question in block.args):
                _table(doc, theme_section.table)
                for theme, quotes in theme_section.quotes.items():
                    if quotes:
                        doc.add_heading(theme, level=4)
                        for quote in quotes:
                            doc.add_paragraph(f"“{quote}”", style="Quote")
    doc.add_heading("Colofon", level=1)
    doc.add_paragraph(
        "Gegevens: "
        + "; ".join(f"{v['group']} ({v['n']} met toestemming, vragenlijst {v['version']})" for v in versions)
        + ". Alle cijfers, figuren en tabellen zijn met afstand uit deze gegevens berekend."
    )
    doc.save(out)


def _runs(paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        r = paragraph.add_run(f" (noot: {run.text})" if run.note else run.text)  # python-docx writes no footnotes
        r.bold = run.bold or None
        r.italic = run.italic or None
        if run.note:
            r.font.size = Pt(8.5)


def _table(doc, table: Table) -> None:
    doc.add_paragraph(table.caption, style="Caption")
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.columns):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row)):
            cell.text = text
            if table.numeric and i < len(table.numeric) and table.numeric[i]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    if table.note:
        note = doc.add_paragraph(table.note)
        note.runs[0].font.size = Pt(8)
        note.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
