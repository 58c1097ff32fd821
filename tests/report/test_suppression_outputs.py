"""Small-group suppression holds in every output of breakdowns: the analysis JSON, the report's
comparison table in HTML and DOCX — at the study's threshold (10) and at a stricter one (35)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from afstand.report.build import build_report
from afstand.study import Study
from tests.conftest import run_cli


class CaptionedTables(HTMLParser):
    """The text of each table, by its caption."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, str] = {}
        self._caption = self._text = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._caption, self._text = "", []
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "table" and self._text is not None:
            self.tables[self._caption.strip()] = " ".join(self._text)
            self._text = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._text is not None:
            self._text.append(data)


def group_sizes(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\(n = (\d+)\)", text)]


@pytest.fixture(scope="module")
def strict_study(tmp_path_factory, study) -> Study:
    root = tmp_path_factory.mktemp("strict") / "study"
    shutil.copytree(study.root, root)
    toml = root / "study.toml"
    text = toml.read_text(encoding="utf-8")
    assert "min_group_size = 10" in text
    toml.write_text(text.replace("min_group_size = 10", "min_group_size = 35"), encoding="utf-8")
    return Study.load(root)


def comparisons_table(html: str) -> str:
    parser = CaptionedTables()
    parser.feed(html)
    tables = [
        t
        for caption, t in parser.tables.items()
        if re.sub(r"^Tabel \d+\. ", "", caption).startswith("Verschillen tussen groepen reclasseringswerkers")
    ]
    assert len(tables) == 1
    return tables[0]


@pytest.fixture(scope="module")
def skewed_data(tmp_path_factory, study_files) -> dict:
    """The reference (else the demo study's) answers changed so that organisations differ sharply (significant tests to
    show) and four respondents form a tiny gender group that must never appear."""
    rows = list(csv.DictReader(study_files["werkers"].open(encoding="utf-8")))
    by_org = {"rn": "helemaal_eens", "svg": "helemaal_oneens", "ljr": "eens"}
    tiny = 0
    for row in rows:
        if row["consent"] != "ja":
            continue
        if row["w_org"] in by_org:
            row["w_wa_openhartiger"] = by_org[row["w_org"]]
        if row["w_function"]:  # supervisors and the others differ too (both groups are large)
            row["w_wa_luisteren"] = "helemaal_eens" if "toezichthouder" in row["w_function"].split() else "helemaal_oneens"
        if tiny < 4 and row["w_gender"] == "man":
            row["w_gender"], tiny = "anders", tiny + 1
    folder = tmp_path_factory.mktemp("skewed")
    with (folder / "werkers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {"werkers": folder / "werkers.csv", "clienten": study_files["clienten"]}


@pytest.mark.parametrize("threshold", [10, 35])
def test_no_small_group_in_any_breakdown_output(study, strict_study, skewed_data, tmp_path, threshold):
    chosen = study if threshold == 10 else strict_study
    result = run_cli("analyze", "--study", str(chosen.root), "--instrument", "werkers", "--data", str(skewed_data["werkers"]), "--json")
    assert result.returncode == 0, result.stderr
    comparisons = json.loads(result.stdout)["comparisons"]
    assert comparisons["min_group_size"] == threshold
    hidden = set()
    for name, breakdown in comparisons["breakdowns"].items():
        shown = {g["name"] for g in breakdown["groups"]}
        assert all(g["n"] >= threshold for g in breakdown["groups"]), name
        assert all("n" not in g for g in breakdown["suppressed"]), name  # a hidden group's size is not given either
        hidden |= {g["label"] for g in breakdown["suppressed"] if g["reason"] != "no respondents"}
        for test in comparisons["tests"]:
            if test["breakdown"] == name:
                assert set(test["by_group"]) <= shown
    assert "Anders / zeg ik liever niet" in hidden
    assert any(h.startswith("Leger des Heils") for h in hidden) == (threshold == 35)  # 31 respondents: shown at 10, hidden at 35
    out = tmp_path / "out"
    build_report(chosen, skewed_data, out, formats=("html", "docx", "pdf"), workers=1)
    html = (out / "rapport.html").read_text(encoding="utf-8")
    table = comparisons_table(html)
    sizes = group_sizes(table)
    assert sizes and all(n >= threshold for n in sizes), sizes  # significant differences are shown, only for large groups
    for label in hidden:
        assert f"{label}:" not in table and f"{label} (n" not in table, label
    published = json.loads((out / "cijfers.json").read_text(encoding="utf-8"))["werkers"]
    gender = published["items"]["w_gender"]
    assert gender["counts"]["anders"] is None and gender["percent"]["anders"] is None  # 4: hidden in the margins too
    assert sum(v is None for v in gender["counts"].values()) >= 2  # and not derivable from the total
    text = re.sub(r"<[^>]+>", " ", html)
    assert "mannen (" not in text or "× mannen" in text
    import docx

    document = docx.Document(str(out / "rapport.docx"))
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert group_sizes(cells) and all(n >= threshold for n in group_sizes(cells)), group_sizes(cells)
    # the text outputs print no group size beyond the published JSON, which the integer-programming attacker gets
    shown = {g["n"] for b in published["comparisons"]["breakdowns"].values() for g in b["groups"]}
    shown |= {g["n"] for t in published["comparisons"]["tests"] for g in t["by_group"].values()}
    for everything in json.loads((out / "cijfers.json").read_text(encoding="utf-8")).values():  # items answered, both instruments
        shown |= {everything["n_consented"] - e["missing"] for e in everything["items"].values() if "missing" in e}
    pdf = subprocess.run(["pdftotext", str(out / "rapport.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(out / "factsheet.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info), "the factsheet stays one page when groups are hidden"
    docx_text = cells + " ".join(p.text for p in document.paragraphs)
    for name, shown_text in (("html", text), ("docx", docx_text), ("pdf", pdf)):
        assert set(group_sizes(shown_text)) <= shown, (name, set(group_sizes(shown_text)) - shown)
    from tests.helpers import attack

    for name, bounds in attack(published, chosen.breakdowns("werkers")):
        for key, (low, high) in bounds.items():
            assert low < high or not 0 < low < threshold, (name, key, low)
