"""The yearly second wave from the command line (issue 17): ``afstand report`` and ``afstand trend``
read a file whose rows name the study's versions as ``afstand analyze`` does (each row as its
version asked: "not asked", not "missing"); ``afstand instrument diff`` compares a study folder's
versions and the versions of a web study's waves; ``study add-version --wave``."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from afstand.study import find_study
from tests.conftest import ROOT, run_cli

DROPPED = "w_social_linkedin"  # the item the next version of the copied study leaves out
PASSWORD = "Een-lang-wachtwoord-42"


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """A copy of the study folder whose next werkers version no longer asks DROPPED."""
    root = tmp_path_factory.mktemp("study") / "werken-op-afstand"
    shutil.copytree(ROOT / "studies" / "werken-op-afstand", root)
    form = root / "instruments" / "werkers-2026.md"
    lines = form.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if f"| {DROPPED} |" not in line]
    assert len(kept) == len(lines) - 1
    form.write_text("".join(kept), encoding="utf-8")
    return find_study(root)


@pytest.fixture(scope="module")
def mixed(two_versions, tmp_path_factory):
    """The demo study's werkers (no ../shared needed) as a file that mixes the two versions: every
    second row answered the next version (its DROPPED is empty), named in ``instrument_version``."""
    from afstand.demo import write_study

    folder = tmp_path_factory.mktemp("data")
    sizes = {name: int(n) for name, n in two_versions.config["demo"]["sizes"].items()}
    files = write_study(two_versions, folder, sizes, seed=2021)
    first, second = two_versions.versions("werkers")
    with files["werkers"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    header = ["response_id", "instrument_version"] + [h for h in rows[0] if h != "response_id"]
    out = folder / "werkers-mixed.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for index, row in enumerate(rows):
            later = index % 2 == 1
            writer.writerow({**row, "instrument_version": (second if later else first).version_id} | ({DROPPED: ""} if later else {}))
    later_consented = sum(1 for i, r in enumerate(rows) if i % 2 == 1 and r["consent"] == "ja")
    return {"werkers": out, "werkers-2021": files["werkers"], "clienten": files["clienten"], "later": later_consented}


def json_of(*args: str) -> dict:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_report_and_trend_read_the_studys_versions_as_analyze_does(two_versions, mixed, tmp_path):
    study = str(two_versions.root)
    analysed = json_of("analyze", "--instrument", "werkers", "--study", study, "--data", str(mixed["werkers"]), "--json")
    dropped = analysed["items"][DROPPED]
    assert dropped["not_asked"] == mixed["later"] > 0  # the next version's rows were not asked it: outside the base
    trend = json_of(
        "trend",
        "--instrument",
        "werkers",
        "--study",
        study,
        "--wave",
        f"2021={mixed['werkers-2021']}",
        "--wave",
        f"2022={mixed['werkers']}",
        "--json",
    )
    latest = trend["items"][DROPPED]["waves"]["2022"]  # exactly as analyze gives them for that wave's file
    assert (latest["base"], latest["counts"], latest["percent"]) == (dropped["base"], dropped["counts"], dropped["percent"])
    out = tmp_path / "rapport"
    built = run_cli(
        "report",
        "--study",
        study,
        "--wave",
        f"2021:werkers={mixed['werkers-2021']}",
        "--wave",
        f"2021:clienten={mixed['clienten']}",
        "--wave",
        f"2022:werkers={mixed['werkers']}",
        "--wave",
        f"2022:clienten={mixed['clienten']}",
        "--out",
        str(out),
        "--format",
        "html",
        "--figures",
        "none",
        "--workers",
        "1",
    )
    assert built.returncode == 0, built.stderr[-2000:]
    published = json.loads((out / "cijfers.json").read_text(encoding="utf-8"))["werkers"]
    assert published["n_consented"] == analysed["n_consented"]
    assert published["items"][DROPPED]["not_asked"] == mixed["later"] and published["items"][DROPPED]["base"] == dropped["base"]
    assert "Ontwikkeling sinds de vorige meting" in (out / "rapport.html").read_text(encoding="utf-8")


def test_instrument_diff_of_a_study_folders_versions(two_versions):
    study = str(two_versions.root)
    first, second = two_versions.versions("werkers")
    diff = json_of("instrument", "diff", "werkers", "werkers@next", "--study", study, "--json")
    assert diff["removed"] == [DROPPED] and diff["to"]["version_id"] == second.version_id
    by_hash = json_of("instrument", "diff", f"werkers@{first.version_id.partition('@')[2]}", second.version_id, "--study", study, "--json")
    assert by_hash["removed"] == [DROPPED] and by_hash["from"]["version_id"] == first.version_id
    unknown = run_cli("instrument", "diff", "werkers", "werkers@0000", "--study", study)
    assert unknown.returncode == 2 and "no such version of werkers" in unknown.stderr and "werkers@next" in unknown.stderr


def test_instrument_diff_of_a_web_studys_waves(two_versions, tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    monkeypatch.setenv("AFSTAND_PASSWORD", PASSWORD)
    assert run_cli("createuser", "--username", "anna", "--role", "owner", "--db", db).returncode == 0  # loads the study, wave 2021
    assert run_cli("study", "wave", "create", "--study", "werken-op-afstand", "--label", "2022", "--db", db).returncode == 0
    changed = two_versions.root / "instruments" / "werkers-2026.md"
    args = ("study", "add-version", "--slug", "werken-op-afstand", "--form", f"werkers={changed}", "--db", db)
    wrong = run_cli(*args, "--wave", "1999")
    assert wrong.returncode == 2 and "has no such wave (its waves: 2021, 2022)" in wrong.stderr
    added = run_cli(*args, "--wave", "2022")
    assert added.returncode == 0 and "(wave 2022)" in added.stdout, added.stderr
    diff = json_of("instrument", "diff", "2021:werkers", "2022:werkers", "--study", "werken-op-afstand", "--db", db, "--json")
    assert diff["removed"] == [DROPPED] and diff["to"]["version_id"] == two_versions.versions("werkers")[1].version_id
    listed = json_of("study", "wave", "list", "--study", "werken-op-afstand", "--db", db, "--json")
    assert len(listed[1]["instruments"]["werkers"]["versions"]) == 2 and len(listed[0]["instruments"]["werkers"]["versions"]) == 2
    old_id = listed[0]["instruments"]["werkers"]["versions"][0]
    by_id = json_of("instrument", "diff", old_id, "2022:werkers", "--study", "werken-op-afstand", "--db", db, "--json")
    assert by_id["from"]["version_id"] == old_id and DROPPED in by_id["removed"]
    for before, message in (("1999:werkers", "has no wave '1999' (its waves: 2021, 2022)"), ("werkers@0000", "has no such version")):
        refused = run_cli("instrument", "diff", before, "2022:werkers", "--study", "werken-op-afstand", "--db", db)
        assert refused.returncode == 2 and message in refused.stderr
    lonely = run_cli("instrument", "diff", "2021:werkers", "2022:werkers", "--db", db)
    assert lonely.returncode == 2 and "--db: give --study" in lonely.stderr


STORE = """
import csv, sys, uuid
from afstand.cli.common import open_database

open_database(sys.argv[1])
from afstand.services import studies, submissions, waves

study = studies.load_demo()
with open(sys.argv[2], encoding="utf-8") as handle:
    rows = [r for r in csv.DictReader(handle) if r["consent"] == "ja"][:80]
for index, row in enumerate(rows):
    if index == 40:
        waves.create_wave(study, "2022")
    answers = {k: v for k, v in row.items() if v and k != "response_id"}
    assert submissions.submit(studies.active_version(study.slug, "werkers"), uuid.uuid4(), answers).status == 201
"""


def test_trend_and_analyze_read_the_web_apps_exports_per_wave(demo_data, tmp_path):
    """The second wave's researcher exports each wave from the web app's database and compares them."""
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    stored = subprocess.run([sys.executable, "-c", STORE, db, str(demo_data["werkers"])], capture_output=True, text=True, timeout=600)
    assert stored.returncode == 0, stored.stderr[-2000:]
    files = {}
    for label in ("2021", "2022", None):
        files[label] = tmp_path / f"werkers-{label or 'alle'}.csv"
        wave = ["--wave", label] if label else []
        exported = run_cli("export", "--instrument", "werkers", *wave, "--db", db, "--out", str(files[label]))
        assert exported.returncode == 0, exported.stderr[-2000:]
    every = json_of("analyze", "--instrument", "werkers", "--data", str(files[None]), "--json")
    assert every["n_consented"] == 80
    trend = json_of("trend", "--instrument", "werkers", "--wave", f"2021={files['2021']}", "--wave", f"2022={files['2022']}", "--json")
    for label in ("2021", "2022"):
        one = json_of("analyze", "--instrument", "werkers", "--data", str(files[label]), "--json")
        assert one["n_consented"] == 40
        wave = trend["items"]["w_gender"]["waves"][label]
        assert (wave["base"], wave["counts"]) == (one["items"]["w_gender"]["base"], one["items"]["w_gender"]["counts"])
    assert trend["items"]["w_gender"]["comparable"] is True and trend["items"]["w_gender"]["change"]
