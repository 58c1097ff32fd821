"""Cross-references: the text names figures, tables and sections by key and the build numbers them;
an unknown key stops the build with the file and line (exit 2), never a silent "??"."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from afstand.errors import StudyError
from afstand.figures.build import FigureData
from afstand.report import xref
from afstand.report.blocks import Directive, Heading, parse
from afstand.report.htmlpage import heading_numbers, heading_text, render_runs
from afstand.report.tables import Table
from tests.conftest import run_cli

TEXT = """# Inleiding

Zie @sec:methode, de hoofdstukken @num:inleiding en @num:methode, @fig:eerste en @tab:schalen; **vet @fig:tweede**.

# Methode [#methode]

## Enquêtes [#enquetes]

[[figure tweede]]

@Fig:tweede staat eerst in de tekst en krijgt dus nummer 1; @fig:eerste nummer 2 (@sec:enquetes, @sec:verantwoording).

[[figure eerste]]

[[table scales werkers #schalen]]

# Bijlage: verantwoording van de cijfers [#verantwoording]

Tekst.
"""


def _figure(key: str, number: int) -> FigureData:
    return FigureData(key, number, f"Figuur {number}. Titel {key}", [], [], "")


def _numbered(text: str = TEXT):
    blocks = parse(text)
    blocks[0] = Heading(1, "Inleiding", "inleiding")  # a key given in code, as [#inleiding] would
    directives = [b for b in blocks if isinstance(b, Directive)]
    fig_for = {directives[0]: [_figure("figuur-02", 2)], directives[1]: [_figure("figuur-01", 1)]}
    tables = {directives[2]: Table("Schaalscores", ["a"], [["x"]])}
    keys = {"eerste": directives[1], "tweede": directives[0]}
    targets = xref.number_all(blocks, fig_for, tables, [], heading_numbers(blocks))
    for key, directive in keys.items():  # the keys of report.toml (build.py passes them through the directive's argument)
        assert targets[key] == targets[fig_for[directive][0].key]
    return blocks, fig_for, tables, targets


def test_figures_tables_and_sections_are_numbered_in_the_order_they_appear():
    blocks, fig_for, tables, targets = _numbered()
    assert [f[0].title for f in fig_for.values()] == ["Figuur 1. Titel figuur-02", "Figuur 2. Titel figuur-01"]
    assert next(iter(tables.values())).caption == "Tabel 1. Schaalscores" and next(iter(tables.values())).anchor == "schalen"
    resolved = xref.resolve(blocks, targets, lambda token: "rapport.md: line ?")
    first = resolved[1].runs
    assert "".join(r.text for r in first) == "Zie hoofdstuk 2, de hoofdstukken 1 en 2, figuur 2 en tabel 1; vet figuur 1."
    assert [r.text for r in first if r.link] == ["hoofdstuk 2", "1", "2", "figuur 2", "tabel 1"]
    assert [r.link for r in first if r.link] == ["methode", "inleiding", "methode", "figuur-01", "schalen"]
    assert next(r for r in first if r.bold).text == "vet figuur 1"  # inside bold: the words, no link
    second = "".join(r.text for r in resolved[5].runs)
    assert second.startswith("Figuur 1 staat eerst") and "figuur 2 nummer 2" in second
    assert "paragraaf 2.1" in second and "bijlage A" in second
    page_refs = [r for r in resolved[5].runs if r.page]
    assert [r.text for r in page_refs] == ["paragraaf 2.1", "bijlage A"]  # sections carry their page in the PDF
    html = str(render_runs(resolved[5].runs))
    assert '<a class="xref page" href="#enquetes">paragraaf 2.1</a>' in html and '<a class="xref" href="#figuur-02">Figuur 1</a>' in html
    appendix = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text.startswith("Bijlage"))
    assert heading_text(blocks[appendix], heading_numbers(blocks)[appendix]) == ("", "Bijlage A. Verantwoording van de cijfers")


@pytest.mark.parametrize(
    "ref, message",
    [
        ("@fig:bestaat-niet", "@fig:bestaat-niet: no figure with the key 'bestaat-niet'"),
        ("@sec:eerste", "@sec:eerste: no section with the key 'eerste'"),  # a figure's key is not a section's
        ("@tab:methode", "@tab:methode: no table with the key 'methode'"),
    ],
)
def test_an_unknown_key_names_the_file_and_line(tmp_path, ref, message):
    source = tmp_path / "hoofdstukken" / "5-resultaten.md"
    source.parent.mkdir()
    source.write_text("# Resultaten\n\nEerste regel.\n\nZie " + ref + ".\n", encoding="utf-8")
    blocks, _, _, targets = _numbered(TEXT + "\nZie " + ref + ".\n")
    with pytest.raises(StudyError) as err:
        xref.resolve(blocks, targets, xref.locate(tmp_path, "rapport.md", TEXT))
    assert str(err.value).startswith(f"{source}: line 5: {message}")
    assert "known:" in str(err.value)


def test_the_study_text_types_no_reference(study):
    """Every figure, table, section and appendix the chapters cite is a computed reference."""
    typed = re.compile(r"\b(figuur|figuren|tabel|paragraaf|paragrafen|hoofdstuk|hoofdstukken|bijlage|pagina|p\.)\s+\d", re.IGNORECASE)
    found = []
    for path in sorted(study.path("report").rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            plain = re.sub(r"\{#.*?#\}", "", line)
            found += [f"{path.name}:{number}: {m.group(0)}" for m in typed.finditer(plain)]
    assert found == []


def test_the_built_report_numbers_and_links_its_references(study_full_report):
    html = (study_full_report / "rapport.html").read_text(encoding="utf-8")
    assert not re.search(r"@(fig|tab|sec|num|Fig|Tab|Sec):", html)
    captions = [int(n) for n in re.findall(r'<span class="caption">Figuur (\d+)\.', html)]
    assert (
        captions and captions == sorted(captions) and len(set(captions)) == captions[-1]
    )  # 1, 1, 2, … in order (a figure and its diverging twin share one)
    links = re.findall(r'<a class="xref" href="#([^"]+)">figuur (\d+)</a>', html)
    assert links
    for anchor, number in links:
        assert re.search(rf'<figure id="{anchor}">.*?<span class="caption">Figuur {number}\.', html, flags=re.S)
    assert '<a class="xref page" href="#beperkingen">paragraaf ' in html
    assert "Bijlage A. Verantwoording van de cijfers" in html
    pdf = subprocess.run(["pdftotext", str(study_full_report / "rapport.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"paragraaf \d+\.\d+ \(p\. \d+\)", " ".join(pdf.split())), "section references carry their page in the PDF"


def test_an_unknown_key_stops_afstand_report_with_exit_2(tmp_path, study, study_files):
    root = tmp_path / "study"
    shutil.copytree(study.root, root)
    chapter = root / "report" / "hoofdstukken" / "4-methode.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    where = next(i for i, line in enumerate(lines) if "@sec:beperkingen" in line)
    lines[where] = lines[where].replace("@sec:beperkingen", "@sec:beperkingen-oud")
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "--study",
        str(root),
        *[a for name, path in study_files.items() for a in ("--data", f"{name}={path}")],
        "--out",
        str(out),
        "--format",
        "html",
        "--figures",
        "none",
    )
    assert result.returncode == 2, result.stderr
    assert f"{chapter}: line {where + 1}: @sec:beperkingen-oud: no section with the key 'beperkingen-oud'" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
