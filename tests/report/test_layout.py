"""The printed report's layout: no half-empty pages (figures float), figure text at 8 pt or more."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tests.helpers import empty_shares

MOST_EMPTY = 0.35  # of a page's text area, for every page in the body but the last of a chapter


def _chapter_start(first_line: str) -> bool:
    """A page that starts a chapter: "5 Resultaten", an appendix or the colophon."""
    return bool(re.match(r"^\d+\s+\S", first_line)) or first_line.startswith(("Bijlage", "Colofon"))


def test_no_half_empty_pages_in_the_body(study_full_report):
    pages = empty_shares(study_full_report / "rapport.pdf")
    body = next(i for i, (_, first) in enumerate(pages) if _chapter_start(first))  # after the cover and contents
    too_empty = [
        (number + 1, round(share, 2), first[:50])
        for number, (share, first) in enumerate(pages[:-1])
        if number >= body and not _chapter_start(pages[number + 1][1]) and share > MOST_EMPTY
    ]
    assert not too_empty, too_empty


def test_contents_fit_one_page(study_full_report):
    pages = empty_shares(study_full_report / "rapport.pdf")
    assert pages[1][1] == "Inhoud" and _chapter_start(pages[2][1]), [first for _, first in pages[:4]]


def test_figure_text_is_at_least_8_pt_in_print(study_full_report):
    """Every text of every figure in the report, at the size the PDF prints it (the figure's width
    set to the text width, 17 cm, unless its height is capped at 22 cm)."""
    from afstand.report.floats import CONTENT_WIDTH_CM, MAX_FIGURE_CM

    html = (study_full_report / "rapport.html").read_text(encoding="utf-8")
    shown = re.findall(r'<img src="(figures/[^"]+\.svg)"', html)
    assert len(shown) >= 14
    for name in shown:
        root = ET.parse(study_full_report / name).getroot()
        width, height = (float(root.get(side).removesuffix("pt")) for side in ("width", "height"))  # SVG user unit = 1 pt
        scale = min(CONTENT_WIDTH_CM / 2.54 * 72 / width, MAX_FIGURE_CM / 2.54 * 72 / height)
        sizes = [float(m) for m in re.findall(r"font-size: ([\d.]+)px", ET.tostring(root, encoding="unicode"))]
        assert sizes and min(sizes) * scale >= 8.0, (name, min(sizes), round(scale, 4))
