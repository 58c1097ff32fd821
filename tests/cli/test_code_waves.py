"""``afstand code`` per wave: the coding stored in the web app (``code dump``, ``code stats``) and
coded-answer files whose lines name their wave (``--wave`` on agreement, evaluate, export, suggest)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from afstand.coding.refi_import import read_qdpx
from tests.conftest import cli_json, run_cli

SETUP = textwrap.dedent(
    """
    import csv, json, sys, uuid
    from afstand.cli.common import open_database

    open_database(sys.argv[1])
    from afstand.services import access, coding, studies, submissions, waves

    study = studies.load_demo()
    with open(sys.argv[2], encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["consent"] == "ja"][:80]

    def store(part):
        version = studies.active_version(study.slug, "werkers")
        for row in part:
            assert submissions.submit(version, uuid.uuid4(), {k: v for k, v in row.items() if v and k != "response_id"}).status == 201

    store(rows[:40])
    waves.create_wave(study, "2022")
    store(rows[40:])
    anna = access.create_user("anna", "Een-lang-wachtwoord-42")
    bert = access.create_user("bert", "Een-lang-wachtwoord-42")
    for user in (anna, bert):
        access.grant(user, study, "coder")
    coded = {}
    for label, code in (("2021", "vaardigheden"), ("2022", "motivatie")):
        units = coding.answers(study.slug, "W1", label)[:2]
        for unit, text in units:
            coding.apply(study, "W1", unit, 0, len(text), code, anna)
        unit, text = units[0]
        coding.apply(study, "W1", unit, 0, len(text), code, bert)  # two coders on one answer per wave
        coded[label] = [u.public_id for u, _ in units]
    print(json.dumps(coded))
    """
)


@pytest.fixture
def stored(tmp_path, server_db, demo_data):
    """A database with 40 consenting workers in wave 2021 and 40 in 2022, two W1 answers coded per wave."""
    done = subprocess.run([sys.executable, "-c", SETUP, server_db, str(demo_data["werkers"])], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return server_db, json.loads(done.stdout.strip().splitlines()[-1])


def test_dump_and_stats_of_one_wave_or_all(tmp_path, stored):
    db, coded = stored
    out = tmp_path / "w22.jsonl"
    result = run_cli("code", "dump", "--study", "werken-op-afstand", "--wave", "2022", "--db", db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(f"W1:{p}" for p in coded["2022"])
    assert {r["wave"] for r in lines} == {"2022"} and all(r["codes"] == ["motivatie"] for r in lines)
    every = tmp_path / "all.jsonl"
    assert run_cli("code", "dump", "--study", "werken-op-afstand", "--db", db, "--out", str(every)).returncode == 0
    assert sorted(json.loads(line)["wave"] for line in every.read_text(encoding="utf-8").splitlines()) == ["2021", "2021", "2022", "2022"]
    project_file = tmp_path / "w21.qdpx"
    assert run_cli("code", "dump", "--study", "werken-op-afstand", "--wave", "2021", "--db", db, "--out", str(project_file)).returncode == 0
    project = read_qdpx(project_file)
    answers = [s for s in project.sources.values() if s.kind == "answer"]
    assert answers and {s.wave for s in answers} == {"2021"}
    assert sorted((c.source, c.coder) for c in project.codings) == sorted(
        [(coded["2021"][0], "anna"), (coded["2021"][1], "anna"), (coded["2021"][0], "bert")]
    )
    w22 = cli_json("code", "stats", "--study", "werken-op-afstand", "--wave", "2022", "--question", "W1", "--db", db, "--json")
    entry = w22["questions"]["W1"]
    assert w22["wave"] == "2022" and entry["coded"] == 2
    assert {r["code"]: r["answers"] for r in entry["codes"]}["motivatie"] == 2
    assert {r["code"]: r["answers"] for r in entry["codes"]}["vaardigheden"] == 0
    assert entry["agreement"]["units"] == [coded["2022"][0]] and entry["agreement"]["coders"] == ["anna", "bert"]
    both = cli_json("code", "stats", "--study", "werken-op-afstand", "--question", "W1", "--db", db, "--json")["questions"]["W1"]
    assert both["coded"] == 4 and sorted(both["agreement"]["units"]) == sorted([coded["2021"][0], coded["2022"][0]])
    assert (
        both["answers"]
        == entry["answers"]
        + cli_json("code", "stats", "--study", "werken-op-afstand", "--wave", "2021", "--question", "W1", "--db", db, "--json")[
            "questions"
        ]["W1"]["answers"]
    )
    text = run_cli("code", "stats", "--study", "werken-op-afstand", "--wave", "2022", "--db", db)
    assert text.returncode == 0 and "W1: 2 of" in text.stdout and "motivatie: 2" in text.stdout
    unknown = run_cli("code", "dump", "--study", "werken-op-afstand", "--wave", "1999", "--db", db, "--out", str(tmp_path / "x.jsonl"))
    assert unknown.returncode == 2 and "no such wave (waves: 2021, 2022)" in unknown.stderr and not (tmp_path / "x.jsonl").exists()
    bad = run_cli("code", "dump", "--study", "werken-op-afstand", "--db", db, "--out", str(tmp_path / "x.csv"))
    assert bad.returncode == 2 and "expected a .jsonl or .qdpx" in bad.stderr


def test_files_whose_lines_name_their_wave(tmp_path, study, stored):
    db, coded = stored
    codebook = str(study.path("codebooks", "clienttypen.csv"))
    every = tmp_path / "all.jsonl"
    assert run_cli("code", "dump", "--study", "werken-op-afstand", "--db", db, "--out", str(every)).returncode == 0
    two = ("--coding", f"anna={every}", "--coding", f"bert={every}")  # the same lines twice: every line compared
    agreement = cli_json("code", "agreement", "--codebook", codebook, *two, "--question", "W1", "--wave", "2021")
    assert sorted(agreement[0]["units"]) == sorted(f"W1:{p}" for p in coded["2021"])
    out = tmp_path / "w22.qdpx"
    exported = run_cli("code", "export", "--codebook", codebook, "--codings", f"anna={every}", "--wave", "2022", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    project = read_qdpx(out)
    assert sorted(project.sources) == sorted(f"W1:{p}" for p in coded["2022"]) and {s.wave for s in project.sources.values()} == {"2022"}
    suggested = cli_json(
        "code", "suggest", "--codebook", codebook, "--train", str(every), "--answers", str(every), "--wave", "2021", "--json"
    )
    assert sorted(suggested) == sorted(f"W1:{p}" for p in coded["2021"])
    missing = run_cli("code", "agreement", "--codebook", codebook, "--coding", f"anna={every}", "--wave", "1999")
    assert missing.returncode == 2 and "no line of wave '1999' (waves in the file: 2021, 2022)" in missing.stderr
    # a round trip through REFI-QDA keeps the wave of every line
    back = tmp_path / "back.jsonl"
    imported = run_cli(
        "code", "import", str(out), "--codebook", codebook, "--codebook-out", str(tmp_path / "cb.csv"), "--codings-out", str(back)
    )
    assert imported.returncode == 0, imported.stderr
    assert {json.loads(line)["wave"] for line in back.read_text(encoding="utf-8").splitlines()} == {"2022"}
