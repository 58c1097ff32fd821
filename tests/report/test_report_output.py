"""The report, factsheet and figures of the reference study: numbers, files, look."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import docx
import numpy as np
import pytest
from PIL import Image

from tests.helpers import FIGURE_13, assert_golden

GOLDEN = Path(__file__).parent / "golden"
TILES = ["73", "53", "77", "23", "12", "46"]
SENTENCES = [
    "In totaal hebben 228 reclasseringswerkers de enquête ingevuld.",
    "De respondenten waren 59 mannen (26%) en 169 vrouwen (74%).",
    "De gemiddelde leeftijd was 40 jaar en gemiddeld hadden de respondenten 10,4 jaar werkervaring.",
    "31 respondenten (14%) werkten bij Leger des Heils",
    "26 cliënten vulden de enquête in. Het aantal mannen en vrouwen wordt niet genoemd: een van beide groepen is kleiner dan 10.",
    "Gemiddeld hadden de cliënten 1,3 jaar contact met de reclassering",
    "daarnaast antwoordde een cliënt 32 jaar",
    "Nu werkt 55% hoofdzakelijk online met aanvullend face to face",
    "Waar 46% van de werkers vindt dat online werken sneller tot miscommunicatie leidt, vindt 12% van de cliënten",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def pdftext(path: Path) -> str:
    return squash(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout)


class TileParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tiles, self._in = [], None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class", "")
        if "pct" in classes.split():
            self._in = "pct"
        elif "who" in classes.split():
            self._in = "who"

    def handle_data(self, data):
        if self._in == "pct":
            self.tiles.append(data.strip())
        elif self._in == "who":
            self.tiles.append(data.strip())
        self._in = None


def test_files_written(demo_full_report):
    full_report = demo_full_report
    names = {p.name for p in full_report.iterdir()}
    assert names == {"figures", "rapport.html", "rapport.pdf", "rapport.docx", "factsheet.html", "factsheet.pdf", "cijfers.json"}
    figures = sorted(p.name for p in (full_report / "figures").iterdir())
    for n in range(1, 15):
        assert f"figuur-{n:02d}.svg" in figures and f"figuur-{n:02d}.png" in figures
    assert "figuur-13-divergerend.svg" in figures and "figuur-14-divergerend.png" in figures
    assert not list(full_report.parent.glob(".out.*"))  # no staging folder left behind


def test_factsheet_tiles_in_html_and_pdf(full_report):
    parser = TileParser()
    parser.feed((full_report / "factsheet.html").read_text(encoding="utf-8"))
    assert parser.tiles == ["Werker", "73%", "Werker", "53%", "Cliënt", "77%", "Cliënt", "23%", "Cliënt", "12%", "Werker", "46%"]
    text = pdftext(full_report / "factsheet.pdf")
    found = re.findall(r"(WERKER|CLIËNT) EENS (\d+)%", text)
    assert [p for _, p in found] == TILES and [w for w, _ in found] == ["WERKER", "WERKER", "CLIËNT", "CLIËNT", "CLIËNT", "WERKER"]
    assert "N = 228 reclasseringswerkers, N = 26 cliënten" in text
    assert "Focusgroepen (N = 20 reclasseringswerkers, N = 4 cliënten)" in text
    assert "Aanbevelingen voor de organisatie" in text and "Kansen voor de werkalliantie" in text
    from statsmodels.stats.proportion import proportion_confint

    likert = json.loads((full_report / "cijfers.json").read_text(encoding="utf-8"))["werkers"]["likert"]["w_wa_inschatten_gevoel"]
    low, high = proportion_confint(likert["counts"]["eens"], likert["base"], method="wilson")
    assert f"95%-BI {round(100 * low)}–{round(100 * high)} · n = 228" in text  # the Wilson interval under the tile
    info = subprocess.run(["pdfinfo", str(full_report / "factsheet.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info) and "595.276 x 841.89" in info  # one A4 page


def test_figure_13_labels_equal_published(full_report):
    tree = ET.parse(full_report / "figures" / "figuur-13.svg")
    ns = {"svg": "http://www.w3.org/2000/svg"}
    labels = {}
    for group in tree.getroot().iter("{http://www.w3.org/2000/svg}g"):
        ident = group.get("id", "")
        if ident.startswith("label-"):
            labels[ident[len("label-") :]] = "".join(group.find(".//svg:text", ns).itertext()).strip()
    for item, published in FIGURE_13.items():
        got = tuple(int(labels[f"{item}-{category}"]) for category in ("oneens", "neutraal", "eens"))
        assert got == published, item


def test_numbers_in_html_and_pdf_text(full_report):
    html = squash((full_report / "rapport.html").read_text(encoding="utf-8"))
    pdf = pdftext(full_report / "rapport.pdf").replace("- ", "-")
    for sentence in SENTENCES:
        assert sentence in html, sentence
        assert squash(sentence) in pdf, sentence


def test_pdf_pages_are_not_blank(demo_full_report, tmp_path):
    full_report = demo_full_report
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(full_report / "rapport.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 10
    for page in pages:
        pixels = np.asarray(Image.open(page).convert("L"))
        ink = (pixels < 200).mean()
        assert ink > 0.005, f"{page.name} looks blank ({ink:.4f} ink)"


def test_docx_has_text_figures_and_tables(full_report, study):
    document = docx.Document(full_report / "rapport.docx")
    text = squash(" ".join(p.text for p in document.paragraphs))
    assert "De respondenten waren 59 mannen (26%) en 169 vrouwen (74%)." in text
    assert len(document.inline_shapes) == 16  # 14 figures + 2 diverging variants
    assert len(document.tables) >= 16
    assert document.core_properties.title == "Werken op afstand bij de reclassering"


def test_methods_appendix_from_the_data(study_full_report, study_files, study):
    html = squash((study_full_report / "rapport.html").read_text(encoding="utf-8"))
    for name in ("werkers", "clienten"):
        with study_files[name].open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        total, consented = len(rows), sum(r["consent"] == "ja" for r in rows)  # 231/228 and 27/26 in the reference study
        assert study.instrument(name).version_id in html
        assert f"{total} ingevulde vragenlijsten, waarvan {consented} met toestemming" in html
    assert "geen groep met minder dan 10 respondenten getoond" in html


def test_themes_from_codings(full_report, reference):
    html = (full_report / "rapport.html").read_text(encoding="utf-8")
    codings = [json.loads(line) for line in (reference / "open-answers.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    w1 = [c for c in codings if c["question"] == "W1"]
    expected = sum("jongvolwassenen" in c["codes"] for c in w1)
    assert re.search(rf"<th scope=\"row\">Jongvolwassenen</th><td class=\"num\">{expected}</td>", html)
    assert "Werken op afstand met diverse groepen reclasseringscliënten" in html


def test_themes_left_out_without_codings(demo_html_report):
    html_report = demo_html_report
    html = (html_report / "rapport.html").read_text(encoding="utf-8")
    assert 'class="themes"' not in html and "voor deze bouw zijn geen coderingen opgegeven" in html  # 5.7–5.9: a placeholder
    assert sorted(p.name for p in html_report.iterdir()) == ["cijfers.json", "factsheet.html", "figures", "rapport.html"]


def test_two_builds_are_byte_identical(demo_full_report, demo_html_report):
    full_report, html_report = demo_full_report, demo_html_report
    assert (full_report / "figures" / "figuur-13.svg").read_bytes() == (html_report / "figures" / "figuur-13.svg").read_bytes()
    for name in sorted(p.name for p in (html_report / "figures").glob("*.svg")):
        assert (full_report / "figures" / name).read_bytes() == (html_report / "figures" / name).read_bytes(), name
    assert (full_report / "factsheet.html").read_bytes() == (html_report / "factsheet.html").read_bytes()


@pytest.mark.parametrize("name", ["rapport.html", "factsheet.html", "figures/figuur-13.svg", "figures/figuur-05.svg"])
def test_golden_files(html_report, name):
    assert_golden((html_report / name).read_bytes(), GOLDEN / Path(name).name)


def test_toc_and_outline_carry_page_numbers(study_full_report):
    full_report = study_full_report
    """The printed table of contents gives each section's page (target-counter), and so does the PDF outline."""
    from weasyprint import HTML

    toc_page = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(full_report / "rapport.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    entries = dict(re.findall(r"^\s*(5\.\d+)\s+[^\n]*?(?:\.\s*){3,}(\d+)\s*$", toc_page, flags=re.M))
    assert {"5.1", "5.6", "5.10"} <= set(entries), toc_page
    pages = [int(entries[k]) for k in sorted(entries, key=lambda k: int(k.split(".")[1]))]
    assert pages == sorted(pages) and pages[0] >= 3
    document = HTML(filename=str(full_report / "rapport.html")).render()

    def flatten(entries):  # WeasyPrint bookmarks: (label, (page, x, y), children, state)
        for label, target, children, _state in entries:
            yield " ".join(label.split()), target[0] + 1
            yield from flatten(children)

    outline = dict(flatten(document.make_bookmark_tree()))
    respondents = next(label for label in outline if label.startswith("5.1 "))
    assert outline[respondents] == int(entries["5.1"])
    info = subprocess.run(["pdfinfo", str(full_report / "rapport.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+yes", info)


def test_published_json_is_the_disclosure_controlled_result(full_report):
    published = json.loads((full_report / "cijfers.json").read_text(encoding="utf-8"))
    gender = published["clienten"]["items"]["c_gender"]
    assert gender["counts"]["man"] is None and gender["counts"]["vrouw"] is None  # 20 and 6: the 6 must not show
    assert published["clienten"]["disclosure"]["published"] is True
    assert all("mean" not in g for t in published["werkers"]["comparisons"]["tests"] for g in t["by_group"].values())
    html = squash((full_report / "rapport.html").read_text(encoding="utf-8"))
    assert "77% mannen" not in html and "23% vrouwen" not in html
