"""The command line as users and outside checks call it."""

from __future__ import annotations

import json

import openpyxl

from afstand.instrument.loader import load_instrument
from tests.conftest import cli_json, run_cli


def test_errors_are_one_line_with_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("response_id,consent,c_age\nC1,ja,oud\n", encoding="utf-8")
    cases = [
        (["analyze", "--instrument", "clienten", "--data", str(tmp_path / "missing.csv"), "--json"], "no such file"),
        (["analyze", "--instrument", "clienten", "--data", str(bad), "--json"], "row 2, column 'c_age': not a number (value 'oud')"),
        (["analyze", "--instrument", "onbekend", "--data", str(bad)], "no instrument 'onbekend'"),
        (["analyze", "--instrument", str(tmp_path / "nope.md"), "--data", str(bad)], "no such XLSForm file"),
        (["analyze", "--instrument", "clienten", "--data", str(bad), "--study", str(tmp_path)], "no such study"),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("afstand: error: ") and message in lines[0], lines


def test_lenient_puts_problems_in_the_json(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("response_id,consent,c_age,c_gender\nC1,ja,oud,man\nC2,ja,40,vrouw\n", encoding="utf-8")
    out = cli_json("analyze", "--instrument", "clienten", "--data", str(bad), "--json", "--lenient")
    assert out["n_consented"] == 2 and out["items"]["c_age"]["n"] == 1
    assert out["data"]["problems"] == [
        {"file": str(bad), "sheet": None, "row": 2, "column": "c_age", "value": "oud", "message": "not a number"}
    ]


def test_demo_data_is_deterministic_and_analysable(tmp_path):
    for target in ("a", "b", "c"):
        seed = "7" if target != "c" else "8"
        result = run_cli("demo-data", "--n-workers", "120", "--n-clients", "30", "--seed", seed, "--out", str(tmp_path / target))
        assert result.returncode == 0, result.stderr
    a, b, c = ((tmp_path / t / "werkers.csv").read_bytes() for t in "abc")
    assert a == b and a != c
    out = cli_json("analyze", "--instrument", "werkers", "--data", str(tmp_path / "a" / "werkers.csv"), "--json")
    assert out["n_total"] == 120 and 110 <= out["n_consented"] <= 120 and out["data"]["problems"] == []
    assert out["data"]["not_asked"] == []  # the demo data answers every item of the instrument
    clients = cli_json("analyze", "--instrument", "clienten", "--data", str(tmp_path / "a" / "clienten.csv"), "--json")
    assert clients["n_total"] == 30


def test_readable_output(demo_data, demo_results):
    result = run_cli("analyze", "--instrument", "werkers", "--data", str(demo_data["werkers"]))
    assert result.returncode == 0, result.stderr
    assert "Bij welke reclasseringsorganisatie werk je?" in result.stdout
    assert f"{demo_results['werkers']['n_consented']} met toestemming" in result.stdout
    pairs = run_cli("pairs", "--data", f"werkers={demo_data['werkers']}", "--data", f"clienten={demo_data['clienten']}", "--json")
    assert pairs.returncode == 0 and len(json.loads(pairs.stdout)["pairs"]) == 6


def test_instrument_export_round_trips(tmp_path, study):
    out = tmp_path / "werkers.xlsx"
    result = run_cli("instrument", "export", "werkers", "--out", str(out))
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(out)
    assert {"survey", "choices", "settings"} <= set(workbook.sheetnames)
    assert load_instrument(out).version_id == study.instrument("werkers").version_id
    shown = cli_json("instrument", "show", "werkers", "--json")
    assert shown["version_id"] == study.instrument("werkers").version_id
    assert shown["items"]["w_org"]["type"] == "select_one"


def test_analyze_with_an_xlsform_path(tmp_path, study, demo_data, demo_results):
    out = cli_json("analyze", "--instrument", str(study.form_path("clienten")), "--data", str(demo_data["clienten"]), "--json")
    assert out["instrument"] == "clienten" and out["n_consented"] == demo_results["clienten"]["n_consented"] > 20
    assert "comparisons" not in out  # breakdowns belong to a study


def test_help_for_every_command():
    for args in (["--help"], ["analyze", "--help"], ["study", "create", "--help"]):
        result = run_cli(*args)
        assert result.returncode == 0 and "usage: afstand" in result.stdout


def test_output_read_only_in_part_ends_quietly(tmp_path):
    """``afstand … | head -1``: the reader stops early; no 'Broken pipe' error line, no traceback
    (the JSON of an analysis is larger than a pipe's buffer, so the writer does meet the closed pipe)."""
    import subprocess
    import sys

    made = run_cli("demo-data", "--out", str(tmp_path / "demo"), "--seed", "5")
    assert made.returncode == 0, made.stderr
    command = [
        sys.executable,
        "-m",
        "afstand.cli",
        "analyze",
        "--instrument",
        "werkers",
        "--data",
        str(tmp_path / "demo" / "werkers.csv"),
        "--json",
    ]
    full = subprocess.run(command, capture_output=True, text=True)
    assert full.returncode == 0 and len(full.stdout) > 1 << 16, (full.returncode, len(full.stdout))
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout.readline().strip() == b"{"
    writer.stdout.close()  # as head does after its line
    _, err = writer.communicate(timeout=120)
    assert err.decode() == "" and writer.returncode == 1, (writer.returncode, err.decode())
