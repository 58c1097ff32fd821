"""Bad input stops the report with one clear line; a failure mid-way writes nothing."""

from __future__ import annotations

import csv
import json
import re

import pytest

from afstand.errors import AfstandError
from afstand.report import build as build_module
from afstand.report.build import build_report
from tests.conftest import run_cli


def one_line_error(result, message):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("afstand: error: ") and message in lines[0], lines


def test_cli_errors(tmp_path, demo_data):
    werkers = f"werkers={demo_data['werkers']}"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    one_line_error(run_cli("report", "--data", f"werkers={tmp_path / 'nope.csv'}", "--out", str(tmp_path / "o")), "no such file")
    one_line_error(
        run_cli("report", "--data", f"onbekend={demo_data['werkers']}", "--out", str(tmp_path / "o")), "no instrument 'onbekend'"
    )
    one_line_error(run_cli("report", "--data", "werkers", "--out", str(tmp_path / "o")), "expected INSTRUMENT=PATH")
    one_line_error(run_cli("report", "--data", werkers, "--out", str(blocker / "sub")), "cannot write here")
    one_line_error(run_cli("report", "--data", werkers, "--out", str(blocker)), "not a writable folder")
    one_line_error(run_cli("report", "--data", werkers, "--format", "html,odt", "--out", str(tmp_path / "o")), "unknown format odt")
    one_line_error(
        run_cli("report", "--data", f"clienten={demo_data['werkers']}", "--out", str(tmp_path / "o")), "no item of instrument 'clienten'"
    )
    assert not (tmp_path / "o").exists()


def test_failure_mid_way_leaves_no_output(tmp_path, study, demo_data, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "rapport.html").write_text("previous report", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "write_docx", broken)
    with pytest.raises(OSError, match="disk full"):
        build_report(study, {"clienten": demo_data["clienten"]}, out, formats=("html", "docx"), workers=1)
    assert sorted(p.name for p in out.iterdir()) == ["rapport.html"]
    assert (out / "rapport.html").read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the staging folder is gone


def test_failure_while_writing_leaves_the_previous_output(tmp_path, study, demo_data, monkeypatch):
    """Built in memory, then written: a disk that fails half-way through the writing changes nothing in the output folder."""
    from pathlib import Path

    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "rapport.html").write_text("previous report", encoding="utf-8")
    (out / "figures" / "figuur-02.svg").write_text("previous figure", encoding="utf-8")
    files = build_module.report_files(study, {"clienten": demo_data["clienten"]}, formats=("html",), workers=1)
    assert "rapport.html" in files and "figures/figuur-02.svg" in files and "cijfers.json" in files
    written, original = [], Path.write_bytes

    def disk_full_at_the_third_file(self, data):
        written.append(self.name)
        if len(written) == 3:
            raise OSError("disk full")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full_at_the_third_file)
    with pytest.raises(OSError, match="disk full"):
        build_report(study, {"clienten": demo_data["clienten"]}, out, formats=("html",), workers=1)
    monkeypatch.undo()
    assert len(written) == 3
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["figures", "figures/figuur-02.svg", "rapport.html"]
    assert (out / "rapport.html").read_text(encoding="utf-8") == "previous report"
    assert (out / "figures" / "figuur-02.svg").read_text(encoding="utf-8") == "previous figure"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the staging folder is gone
    build_report(study, {"clienten": demo_data["clienten"]}, out, formats=("html",), workers=1)
    assert (out / "rapport.html").read_bytes() == files["rapport.html"]  # the same bytes as the in-memory build
    assert (out / "figures" / "figuur-02.svg").read_bytes() == files["figures/figuur-02.svg"]


def test_one_instrument_only(tmp_path, study, study_files):
    """The clients alone (the reference study's file when ../shared is there, else the demo study's)."""
    out = tmp_path / "out"
    build_report(study, {"clienten": study_files["clienten"]}, out, formats=("html",), workers=1)
    html = (out / "rapport.html").read_text(encoding="utf-8")
    with study_files["clienten"].open(encoding="utf-8", newline="") as handle:
        consented = sum(row["consent"] == "ja" for row in csv.DictReader(handle))  # 26 in the reference study
    assert f"{consented} cliënten vulden de enquête in" in html and "reclasseringswerkers de enquête ingevuld" not in html
    assert not (out / "factsheet.html").exists()  # the factsheet contrasts both groups
    assert sorted(p.name for p in (out / "figures").glob("*.svg")) == [
        "figuur-02.svg",
        "figuur-10.svg",
        "figuur-12.svg",
        "figuur-14-divergerend.svg",
        "figuur-14.svg",
    ]


def test_open_answers_are_inert_in_the_report(tmp_path, study, demo_data):
    payload = "<script>alert('x')</script> Cliënten met een <b>laag</b> risico, bel 06-12345678 of mail a.b@example.org."
    codings = tmp_path / "codings.jsonl"
    codings.write_text(json.dumps({"id": "W1-9999", "question": "W1", "text": payload, "codes": ["laag_risico"]}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    build_report(study, {"clienten": demo_data["clienten"]}, out, formats=("html",), codings=codings, workers=1)
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "06-12345678" not in html and "a.b@example.org" not in html
    assert "[telefoonnummer]" in html and "[e-mailadres]" in html


def test_bad_codings(tmp_path, study, demo_data):
    codings = tmp_path / "codings.jsonl"
    codings.write_text('{"id": "x", "question": "W1", "text": "t", "codes": ["bestaat_niet"]}\n', encoding="utf-8")
    expected = f"{codings}, row 1, column 'codes': code is not in the codebook of question W1 (value 'bestaat_niet')"
    with pytest.raises(AfstandError, match=re.escape(expected)):
        build_report(study, {"clienten": demo_data["clienten"]}, tmp_path / "out", formats=("html",), codings=codings, workers=1)
    rows = [{"id": "x", "question": "ZZ", "text": "t", "codes": []}]  # rows already read (the web app's): the same check
    with pytest.raises(AfstandError, match=re.escape("codings, column 'question': question is not in the codebook")):
        build_report(study, {"clienten": demo_data["clienten"]}, tmp_path / "out", formats=("html",), codings=rows, workers=1)
    codings.write_text('{"id": "x"\n', encoding="utf-8")
    with pytest.raises(AfstandError, match="row 1"):
        build_report(study, {"clienten": demo_data["clienten"]}, tmp_path / "out", formats=("html",), codings=codings, workers=1)
    assert not (tmp_path / "out").exists()
