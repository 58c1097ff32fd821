"""PDF from the report's HTML with WeasyPrint (figures as SVG, fonts from the system).

The PDF is tagged (WeasyPrint's ``pdf/ua-1`` variant): a screen reader gets the headings,
reading order, tables and the figures' alternative text; the outline (bookmarks) follows
the numbered headings.

The figures are inside the page (data: URIs, as :func:`afstand.report.build.embed_figures`
makes them) or, in a build with figure workers, files of a folder: the PDF is then started
before its figures are drawn, reads the HTML and its styles at once and waits for each file of
that folder (written whole by the workers) only when it needs it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse
from urllib.request import url2pathname

FIGURE_TIMEOUT = 600.0  # seconds: a figure that never comes (its worker failed) ends the PDF's wait


def prepare() -> None:
    """Load WeasyPrint, the fonts and the hyphenation dictionary (a job started early does this
    while the build analyses the data)."""
    from weasyprint import HTML

    HTML(string='<html lang="nl"><body><table><tr><td style="hyphens: auto">werkalliantie</td></tr></table></body></html>').render()


def write_pdf(html: str, out: BinaryIO, base_dir: Path | None = None, *, wait_for: Path | None = None, floats: bool = False) -> None:
    """Render ``html`` as PDF into ``out``; relative links, if any, resolve against ``base_dir``.
    Files under ``wait_for`` are waited for until they exist; ``floats``: the figures are placed
    as page floats (:mod:`afstand.report.floats`)."""
    from weasyprint import HTML  # imported here: only PDF output needs WeasyPrint and its system libraries

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = _waiting_fetcher(Path(wait_for).resolve()) if wait_for is not None else None
    if floats:
        from afstand.report.floats import placed

        html = placed(html)
    # PDF/UA-1: tagged (headings, paragraphs, tables, figures with alt text), language and title set
    base_url = None if base_dir is None else str(base_dir) + "/"
    HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(out, pdf_variant="pdf/ua-1")


def _wait(url: str, folder: Path) -> None:
    path = Path(url2pathname(urlparse(url).path)) if url.startswith("file:") else None
    if path is not None and path.resolve().parent == folder:
        deadline = time.monotonic() + FIGURE_TIMEOUT
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)


def _waiting_fetcher(folder: Path):
    """WeasyPrint's URL fetcher, waiting first for files of ``folder`` until they exist."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 68 and later
    except ImportError:
        from weasyprint import default_url_fetcher

        def fetcher(url: str, *args, **kwargs):
            _wait(url, folder)
            return default_url_fetcher(url, *args, **kwargs)

        return fetcher

    class Waiting(URLFetcher):
        def fetch(self, url, headers=None):
            _wait(url, folder)
            return super().fetch(url, headers)

    return Waiting()
