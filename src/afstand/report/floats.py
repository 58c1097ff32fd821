"""Figures that float in the PDF: text that follows a figure fills the space the figure left.

WeasyPrint has no page floats: a figure that does not fit in what is left of a page (figures
are never split) moves to the next page and leaves the rest of this one empty. This module
lays the chapters with figures out once more, quickly — each drawing replaced by an empty box
of its size (known before it is drawn), so no drawing is needed and it can run while the
figures are still being drawn — and finds every page that ends with a large gap because the
figure after it did not fit. The text that follows that figure (past it and any figures after
it, which keep their order), up to what fits in the gap and no more than closes it (a later
gap may need the rest), is then put before it: the text flows on and the figures follow, as page
floats do. Text that runs over two pages (a long list) is measured by its parts. Text is never moved across the start of
a chapter or section, a table keeps its note, a heading its text, and nothing is changed when
the layout cannot be read (the PDF is then made as written).

Only the PDF's page is rearranged; the HTML page, the Word file and the text are not.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

log = logging.getLogger("afstand.report")

CONTENT_WIDTH_CM = 17.0  # report.css: A4 (21 cm) with 2 cm side margins
MAX_FIGURE_CM = 22.0  # report.css: figure img { max-height: 22cm } in print
ROUNDS = 2  # layouts to place the figures (each: the chapters with figures, drawings as empty boxes)
GAP = 0.2  # a page whose empty foot is larger than this share of the page gets text pulled forward
SLACK_PX = 12.0  # what is pulled forward must fit with this much room to spare (CSS px)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SPLITS = {"p", "ul", "ol", "blockquote", "table"}  # what may go on on the next page
_STOP = {"h1", "h2", "h3"}  # text is not pulled across the start of a chapter or section


@dataclass
class _Element:
    start: int  # offsets of the element in the HTML
    end: int
    tag: str
    classes: str


class _TopLevel(HTMLParser):
    """The children of <main>, with their offsets in the HTML."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self._lines = [0]
        for line in html.splitlines(keepends=True):
            self._lines.append(self._lines[-1] + len(line))
        self.elements: list[_Element] = []
        self.main: tuple[int, int] | None = None
        self._depth = -1  # depth below <main>; -1: outside
        self._open: _Element | None = None
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag == "main" and self._depth < 0:
            self._depth = 0
            self.main = (self._offset() + len(self.get_starttag_text()), -1)
            return
        if self._depth < 0:
            return
        if self._depth == 0:
            start = self._offset()
            element = _Element(start, start + len(self.get_starttag_text()), tag, dict(attrs).get("class") or "")
            if tag in _VOID:
                self.elements.append(element)
                return
            self._open = element
        if tag not in _VOID:
            self._depth += 1

    def handle_startendtag(self, tag, attrs):
        if self._depth == 0:
            start = self._offset()
            self.elements.append(_Element(start, start + len(self.get_starttag_text()), tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag):
        if self._depth < 0:
            return
        if tag == "main" and self._depth == 0:
            self.main = (self.main[0], self._offset())
            self._depth = -1
            return
        if tag in _VOID:
            return
        self._depth -= 1
        if self._depth == 0 and self._open is not None:
            end = self._offset() + len(f"</{tag}>")
            self._open.end = end
            self.elements.append(self._open)
            self._open = None


def placed(html: str) -> str:
    """``html`` with the PDF's figures placed as floats (see the module's text); unchanged when
    nothing needs to move or the layout cannot be read."""
    try:
        parsed = _TopLevel(html)
    except Exception:  # not our page: leave it as it is
        return html
    elements = parsed.elements
    if parsed.main is None or parsed.main[1] < 0 or not any(e.tag == "figure" for e in elements):
        return html
    order = list(range(len(elements)))
    changed = None  # chapters (by their first element) to lay out again; None: every chapter with figures
    for _ in range(ROUNDS):  # text pulled forward shifts the pages after it: a second look places the rest
        chapters = [c for c in _chapters(elements, order) if any(elements[i].tag == "figure" for i in c)]
        chapters = [c for c in chapters if changed is None or c[0] in changed]
        if not chapters:
            break
        try:
            pages = _layout(html, elements, [i for chapter in chapters for i in chapter])
        except Exception as err:  # an internal of WeasyPrint changed: the PDF is made as written
            log.debug("figures not floated: %s", err)
            break
        moves = _moves(elements, order, pages)
        if not moves:
            break
        for figure, pulled in moves:
            order = [i for i in order if i not in pulled]
            at = order.index(figure)
            order[at:at] = pulled
        changed = {c[0] for c in chapters if any(figure in c for figure, _ in moves)}
    if order == sorted(order):
        return html
    main_start, main_end = parsed.main
    body = "\n".join(html[elements[i].start : elements[i].end] for i in order)
    return html[:main_start] + "\n" + body + "\n" + html[main_end:]


def _chapters(elements: list[_Element], order: list[int]) -> list[list[int]]:
    chapters: list[list[int]] = [[]]
    for index in order:
        if elements[index].tag == "h2" and chapters[-1]:
            chapters.append([])
        chapters[-1].append(index)
    return chapters


_IMG = re.compile(r"<img\b[^>]*>")
# a cross-reference that prints its page: in a layout of some chapters only its target may be
# absent, so it is laid out with a page number of the same width instead ("(p. 00)")
_PAGE_REF = re.compile(r'<a class="xref page" href="#[^"]*">([^<]*)</a>')
_SIZE = re.compile(r'\bwidth="(\d+)"[^>]*\bheight="(\d+)"')


def _placeholder(match: re.Match) -> str:
    size = _SIZE.search(match.group(0))
    width, height = (int(size.group(1)), int(size.group(2))) if size else (4, 3)
    cm = min(CONTENT_WIDTH_CM * height / width, MAX_FIGURE_CM)
    return f'<div style="height: {cm:.3f}cm"></div>'


def _layout(html: str, elements: list[_Element], wanted: list[int]) -> list[dict]:
    """Per page of a layout of the ``wanted`` elements in this order (drawings as empty boxes):
    its content bottom and height, and per element on it its top and bottom, in CSS px."""
    from weasyprint import HTML

    head = html[: html.index("<body")] if "<body" in html else ""
    parts = []
    for index in wanted:
        element = elements[index]
        text = html[element.start : element.end]
        text = text[: len(element.tag) + 1] + f' data-float="{index}"' + text[len(element.tag) + 1 :]
        text = _PAGE_REF.sub(lambda m: f'<a class="xref">{m.group(1)} (p. 00)</a>', text)
        parts.append(_IMG.sub(_placeholder, text))
    document = HTML(string=f"{head}<body><main>{''.join(parts)}</main></body></html>").render()
    pages = []
    for page in document.pages:
        box = page._page_box
        bottom = box.content_box_y() + box.height
        found: dict[int, list[float]] = {}
        for child in box.descendants():
            element = getattr(child, "element", None)
            index = element.get("data-float") if element is not None and hasattr(element, "get") else None
            if index is None or not hasattr(child, "margin_height"):
                continue
            top, end = child.position_y, child.position_y + child.margin_height()
            spans = found.setdefault(int(index), [top, end])
            spans[0], spans[1] = min(spans[0], top), max(spans[1], end)
        pages.append({"bottom": bottom, "height": box.height, "boxes": found})
    return pages


def _moves(elements: list[_Element], order: list[int], pages: list[dict]) -> list[tuple[int, list[int]]]:
    """(figure at the top of a page, the elements to put before it) for every page gap to fill.

    The elements are the text that follows the figure — past it and past later figures, which
    keep their order, as the text flows past page floats — as far as it fits in the gap.
    """
    where: dict[int, list[int]] = {}
    for number, page in enumerate(pages):
        for index in page["boxes"]:
            where.setdefault(index, []).append(number)
    gaps = [
        (page["bottom"] - max(end for _, end in page["boxes"].values()), number)
        for number, page in enumerate(pages[:-1])
        if page["boxes"] and pages[number + 1]["boxes"]
    ]
    moves, used = [], set()
    for gap, number in sorted(gaps, reverse=True):  # the largest gaps first
        page, following = pages[number], pages[number + 1]["boxes"]
        if gap <= GAP * page["height"]:
            break
        first = min(following, key=lambda i: following[i][0])
        if elements[first].tag != "figure":
            continue
        room, pulled, taken, at = gap - SLACK_PX, [], [], order.index(first) + 1
        while at < len(order) and room > GAP * page["height"]:  # enough to close the gap: later gaps may want the rest
            candidate = order[at]
            element = elements[candidate]
            if element.tag == "figure":  # a later figure stays where it is: the text flows past it
                at += 1
                continue
            spread = len(where.get(candidate, []))  # pages it is on: text (not a figure) may run over two or more
            if element.tag in _STOP or candidate in used or spread == 0 or (spread > 1 and element.tag not in _SPLITS):
                break  # (text pulled to an earlier page is not pulled again)
            unit = [candidate]
            if element.tag == "table" and at + 1 < len(order) and "note" in elements[order[at + 1]].classes:
                unit.append(order[at + 1])  # a table keeps its note
            heights = [_height(pages, where, i) for i in unit]
            if None in heights:
                break
            if _left_gap(elements, order, pages, where, taken + unit, at + len(unit)) > max(gap, GAP * page["height"]):
                break  # it fills the foot of a page the figure after it does not fit on: moving it leaves a larger gap
            if sum(heights) > room:
                if element.tag in _SPLITS and sum(heights) <= 2 * room:
                    pulled = taken + unit  # it fills the gap and goes on on the next page, before the figure
                break
            room -= sum(heights)
            taken += unit
            if not elements[unit[-1]].tag.startswith("h"):  # a heading is not left behind without its text
                pulled = list(taken)
            at += len(unit)
        if pulled:
            moves.append((first, pulled))
            used.update(pulled)
    return moves


def _left_gap(elements, order, pages, where, units: list[int], after: int) -> float:
    """The gap the page the last of ``units`` starts on would have without them: none when what
    follows them is text (it flows up) or a figure that then fits; else the space they took."""
    number = where[units[-1]][0]
    if after >= len(order) or elements[order[after]].tag != "figure":
        return 0.0
    page = pages[number]
    top = min(page["boxes"][i][0] for i in units if i in page["boxes"])
    freed = page["bottom"] - top
    figure = _height(pages, where, order[after])
    return 0.0 if figure is not None and figure <= freed else freed


def _height(pages: list[dict], where: dict[int, list[int]], index: int) -> float | None:
    """The height of an element: of each of its parts when it runs over more than one page."""
    on = where.get(index, [])
    if not on:
        return None
    return sum(pages[number]["boxes"][index][1] - pages[number]["boxes"][index][0] for number in on)
