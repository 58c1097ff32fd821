"""The report, factsheet and figures: numbers, files, look. Each test reads the study's report (the
reference study's when ../shared is there, else the seeded demo study's) and checks what it shows
against the published result it was written from (cijfers.json); the reference layer checks the
printed numbers of the published report (tests/helpers.py FIGURE_13, TILES and SENTENCES here)."""

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

from afstand.analysis.frequencies import round_half_up
from afstand.figures.charts import LABEL_MIN
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
    "Waar 46% van de werkers vindt dat online werken sneller tot miscommunicatie leidt, vindt 12% [4–29] van de cliënten",
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


def factsheet_config(study) -> dict:
    import tomllib

    return tomllib.loads(study.path("report", "factsheet.toml").read_text(encoding="utf-8"))


def published(report: Path) -> dict:
    return json.loads((report / "cijfers.json").read_text(encoding="utf-8"))


def test_factsheet_tiles_in_html_and_pdf(study_full_report, study):
    from statsmodels.stats.proportion import proportion_confint

    config, result = factsheet_config(study), published(study_full_report)
    tiles = []
    for tile in config["tiles"]:
        likert = result[tile["instrument"]]["likert"][tile["item"]]
        tiles.append((config["who"][tile["instrument"]], likert["labels"][tile["category"]], dutch(likert["percent"][tile["category"]])))
    assert len(tiles) == 6
    parser = TileParser()
    parser.feed((study_full_report / "factsheet.html").read_text(encoding="utf-8"))
    assert parser.tiles == [text for who, _, pct in tiles for text in (who, f"{pct}%")]
    text = pdftext(study_full_report / "factsheet.pdf")
    found = re.findall(r"(\w+) (\w+) (\d+)%", text)
    wanted = [(who.upper(), what.upper(), str(pct)) for who, what, pct in tiles]
    assert [f for f in found if f in wanted] == wanted
    assert f"N = {result['werkers']['n_consented']} reclasseringswerkers, N = {result['clienten']['n_consented']} cliënten" in text
    import tomllib

    design = tomllib.loads(study.path("report", "report.toml").read_text(encoding="utf-8")).get("design", {})
    groups = config.get("focusgroups") or design["focusgroups"]  # the study design (report.toml), shared with the report
    assert f"Focusgroepen (N = {groups['werkers']} reclasseringswerkers, N = {groups['clienten']} cliënten)" in text
    assert "Aanbevelingen voor de organisatie" in text and "Kansen voor de werkalliantie" in text
    likert = result["werkers"]["likert"]["w_wa_inschatten_gevoel"]
    low, high = proportion_confint(likert["counts"]["eens"], likert["base"], method="wilson")
    assert f"95%-BI {round(100 * low)}–{round(100 * high)} · n = {likert['base']}" in text  # the Wilson interval under the tile
    info = subprocess.run(["pdfinfo", str(study_full_report / "factsheet.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info) and "595.276 x 841.89" in info  # one A4 page


def figure_labels(svg: Path) -> dict[str, str]:
    tree = ET.parse(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    labels = {}
    for group in tree.getroot().iter("{http://www.w3.org/2000/svg}g"):
        ident = group.get("id", "")
        if ident.startswith("label-"):
            labels[ident[len("label-") :]] = "".join(group.find(".//svg:text", ns).itertext()).strip()
    return labels


def test_figure_13_labels_equal_the_published_percentages(study_full_report, study):
    """Every percentage printed in figure 13 is the published (collapsed) Likert share, rounded half up."""
    import tomllib

    config = tomllib.loads(study.path("report", "report.toml").read_text(encoding="utf-8"))
    figure = next(f for f in config["figures"] if f["number"] == 13)
    likert = published(study_full_report)[figure["instrument"]]["likert"]
    labels = figure_labels(study_full_report / "figures" / "figuur-13.svg")
    expected = {}
    for item in figure["items"]:
        entry = likert[item]
        # the collapsed shares, and those who did not answer (the base is every consented respondent)
        shares = {**entry["percent"], "geen_antwoord": 100 * entry["missing"] / entry["base"]}
        for category, percent in shares.items():
            if percent is not None and percent >= LABEL_MIN:  # narrower segments carry no label
                expected[f"{item}-{category}"] = dutch(percent)
    assert len(expected) >= 2 * len(figure["items"])
    assert labels == expected


def dutch(value: float, digits: int = 0) -> str:
    """A number as the report prints it: rounded half up, decimal comma."""
    return f"{round_half_up(value, digits):.{digits}f}".replace(".", ",")


def expected_sentences(result: dict) -> list[str]:
    """Sentences of the report's text with the numbers of the published result (cijfers.json) filled in."""
    workers, clients = result["werkers"], result["clienten"]

    def count(entry, item, choice):
        return entry["items"][item]["counts"][choice]

    def pct(entry, item, choice):
        return dutch(100 * count(entry, item, choice) / entry["items"][item]["base"])

    sentences = [f"In totaal hebben {workers['n_consented']} reclasseringswerkers de enquête ingevuld."]
    if count(workers, "w_gender", "man") is not None and count(workers, "w_gender", "vrouw") is not None:
        sentences.append(
            f"De respondenten waren {count(workers, 'w_gender', 'man')} mannen ({pct(workers, 'w_gender', 'man')}%) en "
            f"{count(workers, 'w_gender', 'vrouw')} vrouwen ({pct(workers, 'w_gender', 'vrouw')}%)."
        )
    else:
        sentences.append("Het aantal mannen en vrouwen wordt niet genoemd: een van de groepen is kleiner dan 10.")
    sentences.append(
        f"De gemiddelde leeftijd was {dutch(workers['items']['w_age']['mean'])} jaar en gemiddeld hadden de respondenten "
        f"{dutch(workers['items']['w_experience_years']['mean'], 1)} jaar werkervaring."
    )
    sentences.append(f"{count(workers, 'w_org', 'ljr')} respondenten ({pct(workers, 'w_org', 'ljr')}%) werkten bij Leger des Heils")
    sentences.append(f"{clients['n_consented']} cliënten vulden de enquête in")
    sentences.append(f"Nu werkt {pct(workers, 'w_form_now', 'vooral_online')}% hoofdzakelijk online met aanvullend face to face")
    mis_workers = dutch(workers["likert"]["w_wa_miscommunicatie"]["percent"]["eens"])
    mis_clients = dutch(clients["likert"]["c_wa_verkeerd_begrijpen"]["percent"]["eens"])
    from statsmodels.stats.proportion import proportion_confint

    entry = clients["likert"]["c_wa_verkeerd_begrijpen"]
    low, high = proportion_confint(entry["counts"]["eens"], entry["base"], method="wilson")  # the client's percentages carry their interval
    sentences.append(
        f"Waar {mis_workers}% van de werkers vindt dat online werken sneller tot miscommunicatie leidt, vindt {mis_clients}% "
        f"[{dutch(100 * low)}–{dutch(100 * high)}] van de cliënten"
    )
    return sentences


def test_numbers_in_html_and_pdf_text(study_full_report):
    html = squash((study_full_report / "rapport.html").read_text(encoding="utf-8"))
    pdf = pdftext(study_full_report / "rapport.pdf").replace("- ", "-")
    for sentence in expected_sentences(published(study_full_report)):
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


def test_docx_has_text_figures_and_tables(study_full_report, study):
    document = docx.Document(study_full_report / "rapport.docx")
    text = squash(" ".join(p.text for p in document.paragraphs))
    for sentence in expected_sentences(published(study_full_report))[:3]:
        assert sentence in text, sentence
    figures = sorted(p.name for p in (study_full_report / "figures").glob("*.png"))
    assert len(document.inline_shapes) == len(figures) == 16  # 14 figures + 2 diverging variants
    assert len(document.tables) >= 16
    assert document.core_properties.title == study.config["study"]["title"] == "Werken op afstand bij de reclassering"


def test_methods_appendix_from_the_data(study_full_report, study_files, study):
    html = squash((study_full_report / "rapport.html").read_text(encoding="utf-8"))
    for name in ("werkers", "clienten"):
        with study_files[name].open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        total, consented = len(rows), sum(r["consent"] == "ja" for r in rows)  # 231/228 and 27/26 in the reference study
        assert study.instrument(name).version_id in html
        assert f"{total} ingevulde vragenlijsten, waarvan {consented} met toestemming" in html
    assert "geen groep met minder dan 10 respondenten getoond" in html


def test_themes_from_codings(study_full_report, open_answers):
    """The report was built with the coded answers of ``open_answers`` (the reference study's, else the labelled sample)."""
    html = (study_full_report / "rapport.html").read_text(encoding="utf-8")
    codings = [json.loads(line) for line in open_answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    w1 = [c for c in codings if c["question"] == "W1"]
    expected = sum("jongvolwassenen" in c["codes"] for c in w1)
    assert expected > 0
    assert re.search(rf"<th scope=\"row\">Jongvolwassenen</th><td class=\"num\">{expected}</td>", html)
    assert f"{len(w1)} gecodeerde antwoorden, waarvan {sum(not c['codes'] for c in w1)} zonder codeerbare inhoud" in html
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


def test_published_json_is_the_disclosure_controlled_result(study_full_report, study_files):
    """Clients' gender (the reference study: 20 men and 6 women; the demo study: 22 and 2): a count under
    the minimum is hidden, and so is the other one, which would give it away; the report names neither."""
    result = published(study_full_report)
    gender = result["clienten"]["items"]["c_gender"]
    with study_files["clienten"].open(encoding="utf-8", newline="") as handle:
        answers = [r["c_gender"] for r in csv.DictReader(handle) if r["consent"] == "ja"]
    sizes = {choice: answers.count(choice) for choice in ("man", "vrouw")}
    assert any(0 < n < 10 for n in sizes.values())  # this data has a group under the minimum of 10
    assert gender["counts"]["man"] is None and gender["counts"]["vrouw"] is None
    assert result["clienten"]["disclosure"]["published"] is True
    assert all("mean" not in g for t in result["werkers"]["comparisons"]["tests"] for g in t["by_group"].values())
    html = squash((study_full_report / "rapport.html").read_text(encoding="utf-8"))
    for choice, word in (("man", "mannen"), ("vrouw", "vrouwen")):
        assert f"{dutch(100 * sizes[choice] / len(answers))}% {word}" not in html


def test_reference_report_shows_the_published_figures(full_report):
    """The reference layer: the report of the reference study prints the numbers of the published report."""
    parser = TileParser()
    parser.feed((full_report / "factsheet.html").read_text(encoding="utf-8"))
    assert parser.tiles == ["Werker", "73%", "Werker", "53%", "Cliënt", "77%", "Cliënt", "23%", "Cliënt", "12%", "Werker", "46%"]
    text = pdftext(full_report / "factsheet.pdf")
    found = re.findall(r"(WERKER|CLIËNT) EENS (\d+)%", text)
    assert [p for _, p in found] == TILES and [w for w, _ in found] == ["WERKER", "WERKER", "CLIËNT", "CLIËNT", "CLIËNT", "WERKER"]
    assert "N = 228 reclasseringswerkers, N = 26 cliënten" in text and "95%-BI" in text and "n = 228" in text
    labels = figure_labels(full_report / "figures" / "figuur-13.svg")
    for item, printed in FIGURE_13.items():
        got = tuple(int(labels[f"{item}-{category}"]) for category in ("oneens", "neutraal", "eens"))
        assert got == printed, item
    html = squash((full_report / "rapport.html").read_text(encoding="utf-8"))
    pdf = pdftext(full_report / "rapport.pdf").replace("- ", "-")
    for sentence in SENTENCES:
        assert sentence in html, sentence
        assert squash(sentence) in pdf, sentence
    document = docx.Document(full_report / "rapport.docx")
    assert "De respondenten waren 59 mannen (26%) en 169 vrouwen (74%)." in squash(" ".join(p.text for p in document.paragraphs))
    gender = json.loads((full_report / "cijfers.json").read_text(encoding="utf-8"))["clienten"]["items"]["c_gender"]
    assert gender["counts"]["man"] is None and gender["counts"]["vrouw"] is None  # 20 and 6: the 6 must not show
    assert "77% mannen" not in html and "23% vrouwen" not in html


def test_factsheet_of_a_small_study_is_one_page(tmp_path, study):
    """14 workers and 11 clients: groups are hidden everywhere, the tiles' intervals are wide; the page still holds it all."""
    from afstand.demo import write_study
    from afstand.report.build import build_report

    data = write_study(study, tmp_path / "data", {"werkers": 14, "clienten": 11}, seed=3)
    build_report(study, data, tmp_path / "out", formats=("pdf",), workers=1, drawings="none")
    info = subprocess.run(["pdfinfo", str(tmp_path / "out" / "factsheet.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    n = {name: json.loads((tmp_path / "out" / "cijfers.json").read_text(encoding="utf-8"))[name]["n_consented"] for name in data}
    text = pdftext(tmp_path / "out" / "factsheet.pdf")
    assert f"N = {n['werkers']} reclasseringswerkers, N = {n['clienten']} cliënten" in text
