"""SPSS from the web app: stable choice codes recorded in the study (a new version never shifts an
old choice's code), and the ``.sps`` syntax beside the ``.sav``, with the coded data it reads.
Every file is read back: the ``.sav`` with pyreadstat; the ``.sps`` is run by GNU PSPP (Debian's
``pspp``, when installed) and the file it saves is compared with the ``.sav``."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.instrument.loader import load_instrument
from afstand.services import spss, studies, submissions, waves
from afstand.web.models import ChoiceCode, Membership

pytestmark = pytest.mark.django_db
pyreadstat = pytest.importorskip("pyreadstat")


def form(choices: str, version: str) -> bytes:
    return f"""| survey |
| | type | name | label |
| | select_one kleur | kleur | Welke kleur? |
| | select_one score | score | Welk cijfer? |
| | text | waarom | Waarom? |
| choices |
| | list_name | name | label |
{choices}| | score | 1 | Eén |
| | score | 2 | Twee |
| | score | 99 | Weet niet |
| settings |
| | form_title | form_id | version |
| | Kleuren | kleuren | {version} |
""".encode()


V1 = form("| | kleur | rood | Rood |\n| | kleur | groen | Groen |\n| | kleur | blauw | Blauw |\n", "1")
# version 2: a choice inserted at the top, one dropped, one label changed
V2 = form("| | kleur | paars | Paars |\n| | kleur | rood | Rood |\n| | kleur | blauw | Donkerblauw |\n", "2")


def _owner(client, study):
    user = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)


def _sav(client, tmp_path, url: str, name: str):
    download = client.get(url)
    assert download.status_code == 200, download.content[:300]
    path = tmp_path / name
    path.write_bytes(download.content)
    return pyreadstat.read_sav(str(path))


def test_codes_are_recorded_and_a_new_version_does_not_shift_them(client, tmp_path):
    study, (v1,) = studies.create_study("kleuren", "Kleuren", [studies.Form("kleuren", "v1.md", V1)])
    _owner(client, study)
    for colour, score in (("rood", "1"), ("groen", "99"), ("blauw", "2")):
        assert submissions.submit(v1, uuid.uuid4(), {"kleur": colour, "score": score}).status == 201
    frame, meta = _sav(client, tmp_path, "/onderzoek/kleuren/export/kleuren.sav", "v1.sav")
    assert meta.variable_value_labels["kleur"] == {1.0: "Rood", 2.0: "Groen", 3.0: "Blauw"}
    assert meta.variable_value_labels["score"] == {1.0: "Eén", 2.0: "Twee", 99.0: "Weet niet"}  # numeric names are the codes
    first = dict(zip(frame["kleur"], frame["score"]))
    assert first == {1.0: 1.0, 2.0: 99.0, 3.0: 2.0}
    recorded = set(ChoiceCode.objects.filter(study=study).values_list("list_name", "choice", "code"))
    assert {("kleur", "rood", 1), ("kleur", "groen", 2), ("kleur", "blauw", 3), ("score", "99", 99)} <= recorded

    v2 = studies.add_version(study, "kleuren", "v2.md", V2)
    assert submissions.submit(v2, uuid.uuid4(), {"kleur": "paars", "score": "1"}).status == 201
    frame, meta = _sav(client, tmp_path, "/onderzoek/kleuren/export/kleuren.sav", "v2.sav")
    # old choices keep their codes; the new one gets the next free code; labels from the newest version having the choice
    assert meta.variable_value_labels["kleur"] == {1.0: "Rood", 2.0: "Groen", 3.0: "Donkerblauw", 4.0: "Paars"}
    assert sorted(frame["kleur"]) == [1.0, 2.0, 3.0, 4.0]
    assert ChoiceCode.objects.get(study=study, list_name="kleur", choice="paars").code == 4

    # the record decides, not the versions an export happens to cover: a wave with only version 2
    # (whose order puts paars first) and a Stata file give the same codes
    wave = waves.create_wave(study, "tweede")
    only_v2 = studies.add_version(study, "kleuren", "v2.md", V2, wave=wave)
    assert submissions.submit(only_v2, uuid.uuid4(), {"kleur": "rood"}).status == 201
    assert spss.record_codes("kleuren", [load_instrument(V2, name="v2.md")])["kleur"] == {"rood": 1, "groen": 2, "blauw": 3, "paars": 4}
    frame, meta = _sav(client, tmp_path, "/onderzoek/kleuren/export/kleuren.sav?meting=tweede", "wave.sav")
    assert list(frame["kleur"]) == [1.0] and meta.variable_value_labels["kleur"][4.0] == "Paars"
    stata = client.get("/onderzoek/kleuren/export/kleuren.dta")
    (tmp_path / "all.dta").write_bytes(stata.content)
    _, dta = pyreadstat.read_dta(str(tmp_path / "all.dta"))
    assert dta.value_labels[dta.variable_to_label["kleur"]] == {1: "Rood", 2: "Groen", 3: "Donkerblauw", 4: "Paars"}
    assert ChoiceCode.objects.filter(study=study, list_name="kleur").count() == 4  # nothing assigned twice


def test_recorded_codes_are_never_reused_by_another_choice(db):
    study, _ = studies.create_study("hergebruik", "Hergebruik", [studies.Form("kleuren", "v1.md", V1)])
    v1 = load_instrument(V1, name="v1.md")
    assert spss.record_codes("hergebruik", [v1])["kleur"] == {"rood": 1, "groen": 2, "blauw": 3}
    groen = V1.replace(b"| | kleur | groen | Groen |\n", b"").replace(b"| | kleur | blauw | Blauw |\n", b"| | kleur | geel | Geel |\n")
    codes = spss.record_codes("hergebruik", [load_instrument(groen, name="v3.md")])["kleur"]
    assert codes["geel"] == 4 and codes["rood"] == 1  # groen's 2 and blauw's 3 stay theirs, though no version asked them now
    assert spss.recorded_codes("hergebruik")["kleur"] == {"rood": 1, "groen": 2, "blauw": 3, "geel": 4}


def _pspp_sav(tmp_path, syntax: bytes, data: bytes, data_name: str):
    """Run the syntax in GNU PSPP (Debian's pspp) with its data beside it; return the file it saves."""
    folder = tmp_path / "pspp"
    folder.mkdir()
    (folder / data_name).write_bytes(data)
    (folder / "run.sps").write_bytes(syntax + b"\nSAVE OUTFILE='uit.sav'.\n")
    ran = subprocess.run(["pspp", "run.sps"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and "error" not in ran.stdout.lower(), ran.stdout + ran.stderr
    return pyreadstat.read_sav(str(folder / "uit.sav"))


def test_sps_syntax_download_reads_its_data_as_the_sav(client, tmp_path):
    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    for answers in (
        {
            "consent": "ja",
            "c_gender": "vrouw",
            "c_age": "41",
            "c_contact_type": "toezicht werkstraf",
            "c_open_tips": "Vaker 'bellen', graag",
        },
        {"consent": "ja", "c_gender": "man", "c_contact_years": "1,5"},
    ):
        assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    _owner(client, study)
    monitor = client.get("/onderzoek/werken-op-afstand/").content.decode()
    assert 'href="/onderzoek/werken-op-afstand/export/clienten.sps"' in monitor  # beside the .sav
    assert 'href="/onderzoek/werken-op-afstand/export/clienten.spss.csv"' in monitor
    sav, meta = _sav(client, tmp_path, "/onderzoek/werken-op-afstand/export/clienten.sav", "clienten.sav")
    syntax = client.get("/onderzoek/werken-op-afstand/export/clienten.sps")
    data = client.get("/onderzoek/werken-op-afstand/export/clienten.spss.csv")
    assert syntax.status_code == data.status_code == 200
    assert syntax["Content-Disposition"] == 'attachment; filename="clienten.sps"'
    text = syntax.content.decode("utf-8")
    assert "/FILE='clienten.spss.csv'" in text  # the file of the link beside it
    header = next(csv.reader(io.StringIO(data.content.decode("utf-8"))))
    assert header == list(sav.columns)  # the same variables, in the .sav's order
    listed = re.search(r"/VARIABLES=\n(.*?)\.\n", text, re.S).group(1).split("\n")
    assert [line.split()[0] for line in listed] == header
    for name, labels in meta.variable_value_labels.items():  # the same codes and labels as the .sav
        block = re.search(rf"^  /?{re.escape(name)}\n((?:    .*\n)+)", text, re.M).group(1)
        assert {float(code): label.replace("''", "'") for code, label in re.findall(r"    (\S+) '(.*)'", block)} == labels
    if shutil.which("pspp") is None:
        pytest.skip("GNU PSPP is not installed (apt-get install pspp): the syntax was checked, not run")
    ran, ran_meta = _pspp_sav(tmp_path, syntax.content, data.content, "clienten.spss.csv")
    assert list(ran.columns) == list(sav.columns)
    for column in sav.columns:
        assert [None if v != v or v == "" else v for v in ran[column]] == [None if v != v or v == "" else v for v in sav[column]], column
    assert ran_meta.column_names_to_labels == meta.column_names_to_labels
    assert ran_meta.variable_value_labels == meta.variable_value_labels
    assert ran_meta.variable_measure == meta.variable_measure


def test_cli_export_writes_the_syntax_with_the_data_it_reads(tmp_path):
    from tests.conftest import run_cli

    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    (tmp_path / "v1.md").write_bytes(V1)
    made = run_cli("study", "create", "--slug", "kleuren", "--title", "Kleuren", "--db", db, "--form", f"kleuren={tmp_path / 'v1.md'}")
    assert made.returncode == 0, made.stderr
    out = tmp_path / "export" / "kleuren.sps"
    out.parent.mkdir()
    exported = run_cli("export", "--study", "kleuren", "--instrument", "kleuren", "--db", db, "--format", "sps", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["kleuren.sps", "kleuren.spss.csv"]
    syntax = out.read_text(encoding="utf-8")
    assert "/FILE='kleuren.spss.csv'" in syntax and "kleur\n    1 'Rood'\n    2 'Groen'\n    3 'Blauw'" in syntax
    assert (out.parent / "kleuren.spss.csv").read_text(encoding="utf-8").splitlines() == [
        "response_id,instrument_version,submission_date,wave,kleur,score,waarom"
    ]


def test_a_statistics_file_the_writer_refuses_is_a_clear_4xx_not_a_500(client, monkeypatch):
    """pyreadstat refuses what its formats cannot hold (it raises its own errors): the researcher gets a
    page saying which file could not be written and why, never a 500; the CSV of the same data still works."""
    study, (v1,) = studies.create_study("kleuren", "Kleuren", [studies.Form("kleuren", "v1.md", V1)])
    _owner(client, study)
    assert submissions.submit(v1, uuid.uuid4(), {"kleur": "rood", "score": "1"}).status == 201

    def refuse(*args, **kwargs):
        raise pyreadstat.PyreadstatError("variable kleur: value labels must be numeric")

    monkeypatch.setattr(pyreadstat, "write_sav", refuse)
    monkeypatch.setattr(pyreadstat, "write_dta", refuse)
    for fmt in ("sav", "dta"):
        response = client.get(f"/onderzoek/kleuren/export/kleuren.{fmt}")
        assert response.status_code == 422, response.status_code
        page = response.content.decode()
        assert f".{fmt} file could not be written" in page and "value labels must be numeric" in page
    assert client.get("/onderzoek/kleuren/export/kleuren.csv").status_code == 200
