"""PDF from the report's HTML with WeasyPrint (figures as SVG, fonts from the system).

The PDF is tagged (WeasyPrint's ``pdf/ua-1`` variant): a screen reader gets the headings,
reading order, tables and the figures' alternative text; the outline (bookmarks) follows
the numbered headings.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO


def write_pdf(html: str, base_dir: Path, out: BinaryIO) -> None:
    """Render ``html`` (relative links resolved against ``base_dir``) as PDF into ``out``."""
    from weasyprint import HTML  # imported here: only PDF output needs WeasyPrint and its system libraries

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # PDF/UA-1: tagged (headings, paragraphs, tables, figures with alt text), language and title set
    HTML(string=html, base_url=str(base_dir) + "/").write_pdf(out, pdf_variant="pdf/ua-1")
