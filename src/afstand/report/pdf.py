"""PDF from the report's HTML with WeasyPrint (figures as SVG, fonts from the system).

The PDF is tagged (WeasyPrint's ``pdf/ua-1`` variant): a screen reader gets the headings,
reading order, tables and the figures' alternative text; the outline (bookmarks) follows
the numbered headings.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO


def write_pdf(html: str, out: BinaryIO, base_dir: Path | None = None) -> None:
    """Render ``html`` as PDF into ``out``. Its figures are inside the page (data: URIs, as
    :func:`afstand.report.build.embed_figures` makes them); relative links, if any, resolve against
    ``base_dir``."""
    from weasyprint import HTML  # imported here: only PDF output needs WeasyPrint and its system libraries

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # PDF/UA-1: tagged (headings, paragraphs, tables, figures with alt text), language and title set
    HTML(string=html, base_url=None if base_dir is None else str(base_dir) + "/").write_pdf(out, pdf_variant="pdf/ua-1")
