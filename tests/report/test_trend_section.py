"""A study with two waves: the section "Ontwikkeling sinds de vorige meting", trend figures and tiles."""

from __future__ import annotations

import html
import re

import pytest

from afstand.analysis.disclosure import publish_trend
from afstand.analysis.trend import Wave, trend
from afstand.demo import write_study
from afstand.figures.build import close, figure_bytes
from afstand.figures.trendchart import trend_figure
from afstand.instrument.loader import load_instrument
from afstand.report.trend_section import direction, section
from afstand.responses import load_responses
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def two_waves(tmp_path_factory, study):
    root = tmp_path_factory.mktemp("waves")
    waves = []
    for label, seed, n in (("2021", 11, 228), ("2022", 12, 320)):
        folder = root / label
        folder.mkdir()
        write_study(study, folder, {"werkers": n, "clienten": 40}, seed=seed)
        waves.append((label, {"werkers": folder / "werkers.csv", "clienten": folder / "clienten.csv"}))
    return waves


@pytest.fixture(scope="module")
def wave_report(tmp_path_factory, study, two_waves):
    out = tmp_path_factory.mktemp("wave-report") / "out"
    result = run_cli(
        "report",
        *[a for label, files in two_waves for name, path in files.items() for a in ("--wave", f"{label}:{name}={path}")],
        "--out",
        str(out),
        "--format",
        "html,docx",
    )
    assert result.returncode == 0, result.stderr
    return out


def _text(path) -> str:
    page = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _section(text: str) -> str:
    start = text.index("Ontwikkeling sinds de vorige meting", text.index("Ontwikkeling sinds de vorige meting") + 1)
    return text[start : text.index("Verantwoording van de cijfers", start)]


def test_section_wording_is_computed_from_the_intervals(wave_report, study, two_waves):
    text = _section(_text(wave_report / "rapport.html"))
    werkers = [Wave(label, load_responses(files["werkers"], study.instrument("werkers"))) for label, files in two_waves]
    # the section is written from the published (disclosure-controlled) trend, so count from that too
    result = publish_trend(trend(werkers, name="werkers"), {w.label: w.responses for w in werkers}, study, "werkers")
    excludes_zero, includes_zero = 0, 0
    for section_name in ("likert", "items"):
        for name, entry in result[section_name].items():
            if section_name == "items" and name in result["likert"]:
                continue
            for change in entry["change"].values():
                if change["ci"][0] > 0 or change["ci"][1] < 0:
                    excludes_zero += 1
                else:
                    includes_zero += 1
    part = text[: text.index("Cliënten")]
    assert part.count(" steeg van ") + part.count(" daalde van ") == excludes_zero
    assert f"de overige {includes_zero} vergelijkbare antwoorden" in part or (excludes_zero == 0 and f"geen van de {includes_zero}" in part)
    # one sentence checked number by number
    name, entry = next((n, e) for n, e in result["likert"].items() if any(direction(c["ci"]) for c in e["change"].values()))
    category, change = next((c, ch) for c, ch in entry["change"].items() if direction(ch["ci"]))
    label = entry["waves"]["2022"]["labels"][category]
    verb = "steeg" if change["ci"][0] > 0 else "daalde"
    a = round(entry["waves"]["2021"]["percent"][category])
    assert f"{entry['label']} – “{label}”: {verb} van {a}% (2021)" in part
    assert "Deze meting (2022, " in part and str(result["data"]["2022"]["n_consented"]) in part
    for dimension in result["scales"]:
        assert f"Schaal {dimension.replace('_', ' ')}: gemiddeld" in part


def test_trend_figures_and_docx(wave_report):
    figures = wave_report / "figures"
    for key in ("trend-werkers-w_form_now", "trend-werkers-w_wa_inschatten_gevoel", "trend-clienten-c_wa_eens_worden"):
        svg = (figures / f"{key}.svg").read_text(encoding="utf-8")
        assert "2021" in svg and "2022" in svg and 'id="label-' in svg
        assert (figures / f"{key}.png").stat().st_size > 1000
    page = (wave_report / "rapport.html").read_text(encoding="utf-8")
    assert 'src="figures/trend-werkers-w_form_now.svg"' in page
    import docx

    document = docx.Document(str(wave_report / "rapport.docx"))
    assert any("Ontwikkeling sinds de vorige meting" in p.text for p in document.paragraphs)


def test_factsheet_tiles_show_the_previous_wave(wave_report, study, two_waves):
    page = (wave_report / "factsheet.html").read_text(encoding="utf-8")
    previous = re.findall(
        r'<p class="previous"[^>]*><span class="arrow" aria-hidden="true"[^>]*>(.)</span> 2021: (\d+)% <span class="words">\(([^)]*)\)',
        page,
    )
    assert len(previous) == 6
    werkers = [Wave(label, load_responses(files["werkers"], study.instrument("werkers"))) for label, files in two_waves]
    result = trend(werkers, name="werkers")
    entry = result["likert"]["w_wa_inschatten_gevoel"]
    change = entry["change"]["eens"]
    arrow, pct, words = previous[0]
    assert int(pct) == round(entry["waves"]["2021"]["percent"]["eens"])
    expected = "↑" if change["ci"][0] > 0 else "↓" if change["ci"][1] < 0 else "→"
    assert arrow == expected and (words == "geen verandering vast te stellen") == (expected == "→")


def test_changed_question_gets_a_marker_and_no_change_sentence(study, tmp_path):
    source = study.form_path("werkers").read_text(encoding="utf-8")
    new_form = tmp_path / "werkers-2022.md"
    new_form.write_text(source.replace("| Hoe begeleid je cliënten nu? |", "| Hoe begeleid je cliënten op dit moment? |"), encoding="utf-8")
    waves = []
    for label, instrument, seed in (("2021", study.instrument("werkers"), 1), ("2022", load_instrument(new_form), 2)):
        write_study_for = tmp_path / label
        write_study_for.mkdir()
        from afstand.demo import generate, load_spec, write_csv

        spec = load_spec(study.path(study.config["demo"]["spec"]))
        with (write_study_for / "werkers.csv").open("w", encoding="utf-8") as handle:
            write_csv(generate(instrument, 300, seed=seed, spec=spec, name="werkers"), handle)
        waves.append(Wave(label, load_responses(write_study_for / "werkers.csv", instrument)))
    result = trend(waves, name="werkers")
    entry = result["items"]["w_form_now"]
    figure = trend_figure(entry, result["waves"], key="t", number=20, title="Vorm nu")
    try:
        svg = figure_bytes(figure, "svg").decode()
    finally:
        close([figure])
    assert 'id="changed-2022"' in svg and "vraag gewijzigd" in svg
    blocks, _, figures = section({"werkers": result}, {"werkers": "reclasseringswerkers"}, {}, first_number=20, draw=False)
    text = "\n".join(
        " ".join(r.text for r in getattr(b, "runs", ())) + " ".join(" ".join(r.text for r in item) for item in getattr(b, "items", ()))
        for b in blocks
    )
    assert "w_form_now (andere vraagtekst): 2021: “Hoe begeleid je cliënten nu?”; 2022: “Hoe begeleid je cliënten op dit moment?”." in text
    assert "Hoe begeleid je cliënten op dit moment? – “" not in text  # no change sentence for a changed question
    assert figures == []


def test_report_wave_option_errors(tmp_path, two_waves):
    label, files = two_waves[0]
    cases = [
        (["--wave", f"{label}werkers={files['werkers']}"], "expected LABEL:INSTRUMENT=PATH"),
        (["--wave", f"{label}:onbekend={files['werkers']}"], "no instrument 'onbekend'"),
        (["--wave", f"{label}:werkers={tmp_path / 'x.csv'}"], "x.csv: no such file (--wave 2021:werkers)"),
        (["--wave", f"{label}:werkers={files['werkers']}", "--data", f"werkers={files['werkers']}"], "not both"),
    ]
    for extra, message in cases:
        result = run_cli("report", *extra, "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert not (tmp_path / "out").exists()


def test_trend_figures_are_drawn_by_the_figure_workers(tmp_path, two_waves):
    """With workers, the main process draws nothing (it never loads matplotlib): the trend figures go to
    the warm figure workers like the others, bare (their caption and number are the page's)."""
    import json
    import os
    import subprocess
    import sys

    script = """
import json, sys
from afstand.report.build import build_report
from afstand.study import find_study
waves = json.loads(sys.argv[1])
waves = [(label, {name: __import__("pathlib").Path(p) for name, p in files.items()}) for label, files in waves]
build_report(find_study(), waves[-1][1], __import__("pathlib").Path(sys.argv[2]), formats=("html", "docx"), workers=2, waves=waves)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")))
"""
    waves = json.dumps([(label, {name: str(path) for name, path in files.items()}) for label, files in two_waves])
    out = tmp_path / "out"
    env = {**os.environ, "AFSTAND_CACHE_DIR": "off"}  # nothing cached: everything is drawn
    result = subprocess.run([sys.executable, "-c", script, waves, str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    svg = (out / "figures" / "trend-werkers-w_form_now.svg").read_text(encoding="utf-8")
    assert "2021" in svg and "Figuur" not in svg  # the number is in the caption, not in the drawing
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert re.search(r'<figure id="trend-werkers-w_form_now">.*?<span class="caption">Figuur \d+\. ', page, flags=re.S)


def test_the_factsheet_of_a_second_wave_is_one_page(tmp_path, study, two_waves):
    """The tiles carry the previous wave's value and arrow, and the page still holds everything."""
    import subprocess

    from afstand.report.build import build_report

    out = tmp_path / "out"
    build_report(study, two_waves[-1][1], out, formats=("pdf",), workers=1, waves=two_waves, drawings="none")
    info = subprocess.run(["pdfinfo", str(out / "factsheet.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    text = subprocess.run(["pdftotext", str(out / "factsheet.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("2021:") == 6  # every tile shows the previous wave
