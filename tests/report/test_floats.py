"""Figures float in the PDF (afstand.report.floats): text after a figure that did not fit fills the gap it left."""

from __future__ import annotations

from afstand.report.floats import placed

HEAD = "<html><head><style>@page { size: A4; margin: 2cm } body { font: 11pt sans-serif } figure { margin: 0 }</style></head>"


def _page(*parts: str) -> str:
    return f"{HEAD}<body><main>\n" + "\n".join(parts) + "\n</main></body></html>"


def _order(html: str, *marks: str) -> list[str]:
    return sorted(marks, key=html.index)


def test_a_list_that_runs_over_two_pages_is_pulled_before_the_figure_that_left_a_gap():
    """The text after a figure may itself run over two pages (a long list); it is measured by
    its parts and still fills the gap (the demo report's section 5.10 left half a page empty)."""
    intro = "<h2>Kop</h2>" + "".join(f"<p>Inleiding {n}. " + "woord " * 60 + "</p>" for n in range(3))
    figure = '<figure><img src="a.svg" width="400" height="560"></figure>'  # 17 cm × 23.8 → capped at 22 cm: a page of its own
    items = "".join(f"<li>Punt {n}: " + "tekst " * 40 + "</li>" for n in range(6))
    html = _page(intro, figure, f'<ul id="lijst">{items}</ul>')
    out = placed(html)
    assert _order(out, '<ul id="lijst">', "<figure>") == ['<ul id="lijst">', "<figure>"]


def test_nothing_moves_when_the_figure_fits():
    html = _page("<h2>Kop</h2><p>Kort.</p>", '<figure><img src="a.svg" width="400" height="100"></figure>', "<p>Daarna.</p>")
    assert placed(html) == html


def test_text_is_not_pulled_across_a_section():
    intro = "<h2>Kop</h2>" + "".join(f"<p>Inleiding {n}. " + "woord " * 60 + "</p>" for n in range(3))
    figure = '<figure><img src="a.svg" width="400" height="560"></figure>'
    html = _page(intro, figure, "<h3>Volgende</h3>", "<p>Na de kop.</p>")
    assert placed(html) == html
