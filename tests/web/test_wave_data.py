"""Data per wave: exports carry a ``wave`` column and can be of one wave — also for a form with
repeats (its main and repeat tables), which used to export every wave — in every format; the
monitor counts one wave; retention deletes one wave's responses (and their codings), from the
command line too, with the wave's sign-ups."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import exports, studies, submissions, waves
from afstand.web.models import Membership, Study
from tests.conftest import run_cli
from tests.helpers import REPEAT_FORM

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"


@pytest.fixture
def household(db):
    """A form with a repeat, answered once in wave 2021 (two members) and once in 2022 (one member)."""
    study = Study.objects.create(slug="hh", title="Household")
    first = studies.add_version(study, "household", "household.md", REPEAT_FORM)
    first.wave.label = "2021"
    first.wave.save()
    two = {"member": [{"name": "Ann", "age": "40", "works": "yes"}, {"name": "Bo", "age": "7"}], "remark": "oud"}
    assert submissions.submit(first, uuid.uuid4(), two).status == 201
    waves.create_wave(study, "2022")
    second = studies.active_version("hh", "household")
    assert (
        submissions.submit(second, uuid.uuid4(), {"member": [{"name": "Cas", "age": "30", "works": "no"}], "remark": "nieuw"}).status == 201
    )
    return study


def test_a_repeat_forms_export_is_of_its_wave(household, tmp_path):
    header, rows = exports.rows("hh", "household", "2022")
    assert header[:4] == ["response_id", "instrument_version", "submission_date", "wave"]
    assert [(r[3], r[header.index("remark")]) for r in rows] == [("2022", "nieuw")]
    assert sorted(r[3] for r in exports.rows("hh", "household")[1]) == ["2021", "2022"]
    member_header, members = exports.tables("hh", "household", "2021")["member"]
    assert sorted(m[member_header.index("name")] for m in members) == ["Ann", "Bo"]
    target = tmp_path / "household.csv"
    assert exports.export("hh", "household", "csv", target, wave="2022") == 1
    main = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    repeat = list(csv.DictReader(io.StringIO((tmp_path / "household-member.csv").read_text(encoding="utf-8"))))
    assert [(r["wave"], r["remark"]) for r in main] == [("2022", "nieuw")] and [r["name"] for r in repeat] == ["Cas"]
    assert repeat[0]["_submission_response_id"] == main[0]["response_id"]
    import openpyxl

    assert exports.export("hh", "household", "xlsx", tmp_path / "all.xlsx") == 2
    book = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    assert sorted(row[0] for row in book["member"].iter_rows(min_row=2, values_only=True)) == ["Ann", "Bo", "Cas"]


def test_downloads_in_every_format_carry_the_wave(client, household, tmp_path):
    import pyreadstat

    user = User.objects.create_user("eigenaar", password=PASSWORD)
    Membership.objects.create(user=user, study=household, role="owner")
    client.force_login(user)
    one = client.get("/onderzoek/hh/export/household.data.csv?meting=2021")
    rows = list(csv.DictReader(io.StringIO(one.content.decode())))
    assert [(r["wave"], r["remark"]) for r in rows] == [("2021", "oud")]
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        download = client.get(f"/onderzoek/hh/export/household.{fmt}")
        assert download.status_code == 200
        path = tmp_path / f"all.{fmt}"
        path.write_bytes(download.content)
        assert sorted(reader(str(path))[0]["wave"]) == ["2021", "2022"]
        path = tmp_path / f"2022.{fmt}"
        path.write_bytes(client.get(f"/onderzoek/hh/export/household.{fmt}?meting=2022").content)
        assert list(reader(str(path))[0]["wave"]) == ["2022"]
    monitor = client.get("/onderzoek/hh/?meting=2021").content.decode()
    assert 'id="total-household">1<' in monitor
    assert 'id="total-household">2<' in client.get("/onderzoek/hh/").content.decode()


SETUP = textwrap.dedent(
    """
    import datetime as dt, sys, uuid
    from afstand.cli.common import open_database

    open_database(sys.argv[1])
    from afstand.services import access, coding, studies, submissions, waves

    study = studies.load_demo()
    old = dt.date.today() - dt.timedelta(days=400)
    answers = {"consent": "ja", "c_age": "40"}
    for _ in range(2):
        assert submissions.submit(studies.active_version(study.slug, "clienten"), uuid.uuid4(), answers, today=old).status == 201
    waves.create_wave(study, "2022")
    for day in (old, dt.date.today()):
        assert submissions.submit(studies.active_version(study.slug, "clienten"), uuid.uuid4(), answers, today=day).status == 201
    from afstand.services import signup_spool

    for label, names in (("2021", "ab"), ("2022", "cde")):  # k = 2: 2021's two and 2022's first two are stored, 2022's third waits
        for name in names:
            person = {"purpose": "loterij", "name": name, "email": f"{name}@example.org"}
            signup_spool.add(study, person, today=old, wave=waves.wave_by_label(study, label))
    """
)

SIGNUPS = textwrap.dedent(
    """
    import json, sys
    from afstand.cli.common import open_database

    open_database(sys.argv[1])
    from afstand.services import signup_spool, studies

    print(json.dumps(sorted((r["wave"], r["name"]) for r in signup_spool.all_for(studies.study_by_slug("werken-op-afstand")))))
    """
)


def test_purge_one_wave_from_the_command_line(tmp_path, server_db, monkeypatch):
    monkeypatch.setenv("AFSTAND_SIGNUP_SPOOL", str(tmp_path / "spool"))  # the commands' own spool, not var/
    monkeypatch.setenv("AFSTAND_SIGNUP_BATCH", "2")
    done = subprocess.run([sys.executable, "-c", SETUP, server_db], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]

    def signups() -> list:
        listed = subprocess.run([sys.executable, "-c", SIGNUPS, server_db], capture_output=True, text=True, timeout=600)
        assert listed.returncode == 0, listed.stderr[-2000:]
        return json.loads(listed.stdout)

    assert signups() == [["2021", "a"], ["2021", "b"], ["2022", "c"], ["2022", "d"], ["2022", "e"]]
    lonely = run_cli("purge", "--older-than", "365", "--wave", "2022", "--db", server_db)
    assert lonely.returncode == 2 and "--wave and --study go together" in lonely.stderr
    unknown = run_cli("purge", "--older-than", "365", "--study", "werken-op-afstand", "--wave", "1999", "--db", server_db)
    assert unknown.returncode == 2 and "has no wave 1999" in unknown.stderr
    purged = run_cli("purge", "--older-than", "365", "--study", "werken-op-afstand", "--wave", "2022", "--db", server_db)
    assert purged.returncode == 0 and "deleted 1 responses and 3 sign-ups" in purged.stdout, purged.stderr
    assert signups() == [["2021", "a"], ["2021", "b"]]  # the wave's stored and spooled sign-ups; 2021's stay
    listed = run_cli("study", "wave", "list", "--study", "werken-op-afstand", "--db", server_db, "--json")
    counts = {w["label"]: w["instruments"]["clienten"]["responses"] for w in json.loads(listed.stdout)}
    assert counts == {"2021": 2, "2022": 1}  # the old 2021 responses are kept; 2022 keeps its recent one


def test_the_monitor_counts_declines_and_withdrawals_per_wave(client, db):
    demo = studies.load_demo()
    user = User.objects.create_user("eigenaar", password=PASSWORD)
    Membership.objects.create(user=user, study=demo, role="owner")

    def decline():
        version = studies.active_version(demo.slug, "clienten")
        assert submissions.decline(version, uuid.uuid4()).status == 201

    decline()
    waves.create_wave(demo, "2022")
    decline()
    decline()
    stored = submissions.submit(studies.active_version(demo.slug, "clienten"), uuid.uuid4(), {"consent": "ja", "c_age": "40"})
    assert submissions.withdraw(stored.body["withdrawal_code"])
    client.force_login(user)

    def counts(query: str) -> tuple[str, str]:
        html = client.get(f"/onderzoek/werken-op-afstand/{query}").content.decode()
        section = html[html.index('id="total-clienten"') :]
        return (
            re.search(r"(\d+) zonder toestemming gestopt", section).group(1),
            re.search(r"(\d+) ingetrokken", section).group(1),
        )

    assert counts("?meting=2021") == ("1", "0")
    assert counts("?meting=2022") == ("2", "1")
    assert counts("") == ("3", "1")


@pytest.mark.django_db(transaction=True)
def test_migration_puts_notes_and_counters_into_waves():
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("afstand", "0010_uploaded_codebook")], [("afstand", "0011_waves_of_notes_and_counters")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes("afstand")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Study, Wave = old.get_model("afstand", "Study"), old.get_model("afstand", "Wave")
        one, two = Study.objects.create(slug="een", title="Een"), Study.objects.create(slug="twee", title="Twee")
        only = Wave.objects.create(study=one, label="2021", targets={})
        first = Wave.objects.create(study=two, label="2021", targets={}, starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 5, 1))
        Wave.objects.create(study=two, label="2022", targets={}, starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 5, 1))
        Note, Counter = old.get_model("afstand", "FocusNote"), old.get_model("afstand", "Counter")
        for study, day in ((one, dt.date(2021, 4, 1)), (two, dt.date(2021, 4, 2))):
            Note.objects.create(
                study=study, guide="g", session="s", theme="t", question="Q", title="x", text="x", tallies={}, uploaded_on=day
            )
            Counter.objects.create(study=study, instrument="mini", kind="declined", value=3)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        notes = {n.study.slug: n.wave_id for n in new.get_model("afstand", "FocusNote").objects.select_related("study")}
        assert notes == {"een": only.id, "twee": first.id}  # the wave whose fieldwork held the upload day
        counters = {c.study.slug: c.wave_id for c in new.get_model("afstand", "Counter").objects.select_related("study")}
        assert counters == {"een": only.id, "twee": None}  # several waves: not split, counted under "all waves"
    finally:
        MigrationExecutor(connection).migrate(leaves)
