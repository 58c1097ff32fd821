"""PDF from the report's HTML with WeasyPrint (figures as SVG, fonts from the system)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO


def write_pdf(html: str, base_dir: Path, out: BinaryIO) -> None:
    """Render ``html`` (relative links resolved against ``base_dir``) as PDF into ``out``."""
    from weasyprint import HTML  # imported here: only PDF output needs WeasyPrint and its system libraries

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_dir) + "/").write_pdf(out)
