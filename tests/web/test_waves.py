"""Waves in the web app: a second wave has its own links and responses; versions within a wave
are analysed with "not asked"; exports carry the wave; the trend page and the report compare waves."""

from __future__ import annotations

import csv
import io
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.services import results, studies, submissions, waves
from afstand.web.models import InstrumentVersion, Membership, Response, Study, Wave
from tests.conftest import run_cli
from tests.helpers import MINI_FORM, step

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"


def login(client, role: str, study: Study) -> User:
    user = User.objects.create_user("onderzoeker", password=PASSWORD)
    Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


def api(client, url: str, answers: dict) -> int:
    return client.post(url, {"instance_id": str(uuid.uuid4()), "answers": answers}, content_type="application/json").status_code


@pytest.fixture
def demo(db):
    return studies.load_demo()


def test_a_second_wave_has_its_own_links_and_its_responses_are_apart(client, demo):
    first = Wave.objects.get(study=demo)
    assert first.label == "2021"  # the study folder's year
    second = waves.create_wave(demo, "2022", targets={"clienten": {"total": 20, "whatsapp": 5}})
    old = InstrumentVersion.objects.filter(wave=first, active=True).order_by("name")  # with a `next` version: the one new respondents get
    new = InstrumentVersion.objects.filter(wave=second).order_by("name")
    # the same forms, as new deployments (not de-duplicated into the first wave)
    assert [v.version_id for v in old] == [v.version_id for v in new] and not {v.pk for v in old} & {v.pk for v in new}
    assert studies.active_version(demo.slug, "clienten").wave == second  # the plain link leads to the current wave
    assert client.get("/s/werken-op-afstand/m/2022/clienten").status_code == 200
    assert client.get("/s/werken-op-afstand/m/2021/clienten").status_code == 200
    assert client.get("/s/werken-op-afstand/m/2030/clienten").status_code == 404
    for _ in range(3):
        assert (
            api(
                client,
                "/api/v1/studies/werken-op-afstand/waves/2022/surveys/clienten/responses?via=whatsapp",
                {"consent": "ja", "c_age": 30},
            )
            == 201
        )
    assert api(client, "/api/v1/studies/werken-op-afstand/waves/2021/surveys/clienten/responses", {"consent": "ja", "c_age": 50}) == 201
    assert api(client, "/api/v1/studies/werken-op-afstand/surveys/clienten/responses", {"consent": "ja", "c_age": 31}) == 201
    assert Response.objects.filter(instrument_version__wave=second).count() == 4
    assert Response.objects.filter(instrument_version__wave=first).count() == 1
    # the survey pages of the 2021 link store into 2021
    page = client.get("/s/werken-op-afstand/m/2021/clienten")
    assert 'action="/s/werken-op-afstand/m/2021/clienten?stap=1"' in page.content.decode()
    # analysis and export per wave and for all
    assert results.analyze_stored(demo.slug, "clienten", "2021")[0]["n_consented"] == 1
    assert results.analyze_stored(demo.slug, "clienten", "2022")[0]["n_consented"] == 4
    assert results.analyze_stored(demo.slug, "clienten")[0]["n_consented"] == 5
    login(client, "owner", demo)
    one = client.get("/onderzoek/werken-op-afstand/export/clienten.csv?meting=2021")
    rows = list(csv.DictReader(io.StringIO(one.content.decode())))
    assert one["Content-Disposition"] == 'attachment; filename="clienten-2021.csv"'
    assert [r["wave"] for r in rows] == ["2021"] and rows[0]["c_age"] == "50"
    every = list(csv.DictReader(io.StringIO(client.get("/onderzoek/werken-op-afstand/export/clienten.csv").content.decode())))
    assert sorted(r["wave"] for r in every) == ["2021", "2022", "2022", "2022", "2022"]
    assert client.get("/onderzoek/werken-op-afstand/export/clienten.csv?meting=1999").status_code == 404
    monitor = client.get("/onderzoek/werken-op-afstand/?meting=2022").content.decode()
    assert 'id="total-clienten">4<' in monitor and 'aria-current="page">2022<' in monitor
    assert "/s/werken-op-afstand/m/2022/clienten" in monitor
    assert "van minimaal 20" in monitor and "<td>3 / 5</td>" in monitor  # the wave's own targets, per channel too
    assert 'id="total-clienten">5<' in client.get("/onderzoek/werken-op-afstand/").content.decode()
    analysis = client.get("/onderzoek/werken-op-afstand/analyse/clienten/?meting=2021").content.decode()
    assert 'id="n-consented">1<' in analysis


def test_new_wave_in_the_browser_copies_the_forms(client, demo):
    login(client, "owner", demo)
    assert client.get("/onderzoek/werken-op-afstand/meting/").status_code == 200
    created = client.post("/onderzoek/werken-op-afstand/meting/", {"label": "2022", "starts_on": "2022-03-01", "ends_on": "2022-05-01"})
    assert created.status_code == 302 and created["Location"] == "/onderzoek/werken-op-afstand/?meting=2022"
    wave = Wave.objects.get(study=demo, label="2022")
    assert str(wave.starts_on) == "2022-03-01" and InstrumentVersion.objects.filter(wave=wave).count() == 2
    again = client.post("/onderzoek/werken-op-afstand/meting/", {"label": "2022"})
    assert again.status_code == 400 and "already has a wave 2022" in again.content.decode()
    bad = client.post("/onderzoek/werken-op-afstand/meting/", {"label": "2023", "starts_on": "2023-05-01", "ends_on": "2023-03-01"})
    assert bad.status_code == 400 and not Wave.objects.filter(label="2023").exists()
    # fieldwork over: the wave's links take no more responses (the owner still previews it)
    preview = client.get("/s/werken-op-afstand/m/2022/clienten")
    assert preview.status_code == 200 and 'id="preview"' in preview.content.decode()
    client.logout()
    assert client.get("/s/werken-op-afstand/m/2022/clienten").status_code == 410


def test_the_new_wave_page_takes_targets_per_questionnaire_and_channel(client, demo):
    url = "/onderzoek/werken-op-afstand/meting/"
    login(client, "owner", demo)
    Wave.objects.filter(study=demo).update(targets={"werkers": {"total": 150, "whatsapp": 50}})
    page = client.get(url).content.decode()
    assert "werkers=150\nwerkers:whatsapp=50</textarea>" in page  # it starts with the current wave's
    bad = client.post(url, {"label": "2022", "targets": "werkers=150\nwerkers=veel"})
    assert bad.status_code == 400 and "werkers=veel" in bad.content.decode() and not Wave.objects.filter(label="2022").exists()
    unknown = client.post(url, {"label": "2022", "targets": "huisartsen=10"})
    assert unknown.status_code == 400 and "huisartsen" in unknown.content.decode() and not Wave.objects.filter(label="2022").exists()
    created = client.post(url, {"label": "2022", "targets": "werkers=200\r\nwerkers:whatsapp=60\r\nclienten=40\r\n"})
    assert created.status_code == 302
    assert Wave.objects.get(study=demo, label="2022").targets == {"werkers": {"total": 200, "whatsapp": 60}, "clienten": {"total": 40}}
    monitor = client.get("/onderzoek/werken-op-afstand/?meting=2022").content.decode()
    assert "van minimaal 200" in monitor and "van minimaal 40" in monitor
    cleared = client.post(url, {"label": "2023", "targets": ""})  # emptied on purpose: no targets
    assert cleared.status_code == 302 and Wave.objects.get(study=demo, label="2023").targets == {}


V2 = (
    textwrap.dedent(MINI_FORM)
    .strip()
    .replace(
        "| | text | why | Waarom? | Why? | | | | | | |",
        "| | text | why | Waarom? | Why? | | | | | | |\n| | integer | hours | Uren | Hours | | | | | | |",
    )
    .replace("| Mini | mini | 1 |", "| Mini | mini | 2 |")
    + "\n"
)


def test_a_version_added_inside_a_wave_gives_not_asked(client):
    study, (v1,) = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    for age in ("30", "40"):
        assert submissions.submit(v1, uuid.uuid4(), {"consent": "ja", "age": age}).status == 201
    v2 = studies.add_version(study, "mini", "mini-2.md", V2.encode())
    assert v2.wave == v1.wave and v2.version_id != v1.version_id
    for hours in ("10", ""):
        answers = {"consent": "ja", "age": "50"} | ({"hours": hours} if hours else {})
        assert submissions.submit(v2, uuid.uuid4(), answers).status == 201
    result, _ = results.analyze_stored("mini-studie", "mini")
    hours = result["items"]["hours"]
    assert (hours["n"], hours["missing"], hours["not_asked"]) == (1, 1, 2)
    assert result["items"]["age"]["n"] == 4 and "not_asked" not in result["items"]["age"]
    login(client, "owner", study)
    page = client.get("/onderzoek/mini-studie/analyse/mini/").content.decode()
    assert 'class="meta not-asked"' in page and ": 2</p>" in page


def test_the_upload_page_adds_a_version_inside_a_chosen_wave(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    study, (v1,) = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    Wave.objects.filter(study=study).update(label="2021")
    second = waves.create_wave(study, "2022")
    login(client, "owner", study)
    page = client.get("/onderzoek/mini-studie/versie/").content.decode()
    assert '<option value="2022" selected>2022</option>' in page and '<option value="2021">2021</option>' in page

    def upload(**extra):
        return client.post(
            "/onderzoek/mini-studie/versie/", {"instrument": "mini", "xlsform": SimpleUploadedFile("mini-2.md", V2.encode()), **extra}
        )

    assert upload(wave="1999").status_code == 400 and InstrumentVersion.objects.count() == 2
    assert upload(wave="2021").status_code == 302
    added = InstrumentVersion.objects.get(study=study, active=True, wave__label="2021")
    assert added.version_id != v1.version_id and studies.active_version("mini-studie", "mini", "2021") == added
    assert studies.active_version("mini-studie", "mini").wave == second  # the current wave keeps its own version
    assert studies.active_version("mini-studie", "mini").version_id == v1.version_id
    assert 'name="q-hours"' in step(client, client.get("/s/mini-studie/m/2021/mini"), consent="ja").content.decode()
    assert 'name="q-hours"' not in step(client, client.get("/s/mini-studie/m/2022/mini"), consent="ja").content.decode()


def test_a_question_reworded_in_the_second_wave_is_flagged_on_the_trend_page_with_both_wordings(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    study, (v1,) = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    Wave.objects.filter(study=study).update(label="2021")
    reworded = (
        textwrap.dedent(MINI_FORM)
        .strip()
        .replace("| Stelling 1 |", "| Stelling één |")
        .replace("| Mini | mini | 1 |", "| Mini | mini | 2 |")
    )
    for n in range(12):
        assert submissions.submit(v1, uuid.uuid4(), {"consent": "ja", "s1": ("eens", "oneens")[n % 2], "s2": "eens"}).status == 201
    login(client, "owner", study)
    assert client.post("/onderzoek/mini-studie/meting/", {"label": "2022"}).status_code == 302
    upload = SimpleUploadedFile("mini-2022.md", (reworded + "\n").encode())
    assert client.post("/onderzoek/mini-studie/versie/", {"instrument": "mini", "xlsform": upload, "wave": "2022"}).status_code == 302
    v2 = studies.active_version("mini-studie", "mini")
    assert v2.wave.label == "2022" and v2.version_id != v1.version_id
    for n in range(12):
        assert submissions.submit(v2, uuid.uuid4(), {"consent": "ja", "s1": "eens", "s2": ("eens", "oneens")[n % 3 == 0]}).status == 201
    page = client.get("/onderzoek/mini-studie/trend/mini/").content.decode()
    s1 = re.findall(r'<tr class="[^"]*changed-question" data-item="s1">(.*?)</tr>', page, re.S)
    assert s1 and all("niet vergelijkbaar: de vraag is veranderd" in row for row in s1)
    assert "2021: “Stelling 1”; 2022: “Stelling één”" in s1[0]
    s2 = re.findall(r'<tr class="[^"]*" data-item="s2">(.*?)</tr>', page, re.S)
    assert s2 and not any("niet vergelijkbaar" in row for row in s2)  # unchanged: compared, with its interval
    diff = results.trend_stored("mini-studie", "mini")
    assert diff["items"]["s1"]["comparable"] is False and diff["items"]["s1"]["change"] == {}


def test_report_and_trend_page_for_a_study_with_two_waves(client, demo, study_files):
    """Two waves with responses (the study's first rows in 2021, later rows in 2022): the reference
    study's when ../shared is there, else the seeded demo study's."""
    with study_files["werkers"].open(encoding="utf-8") as handle:
        workers = [r for r in csv.DictReader(handle) if r["consent"] == "ja"]
    with study_files["clienten"].open(encoding="utf-8") as handle:
        clients = [r for r in csv.DictReader(handle) if r["consent"] == "ja"]

    def store(rows, name):
        version = studies.active_version(demo.slug, name)
        for row in rows:
            assert submissions.submit(version, uuid.uuid4(), {k: v for k, v in row.items() if v and k != "response_id"}).status == 201

    store(workers[:100], "werkers")
    store(clients[:13], "clienten")
    waves.create_wave(demo, "2022")
    store(workers[100:], "werkers")
    store(clients[13:], "clienten")
    login(client, "owner", demo)
    trend = client.get("/onderzoek/werken-op-afstand/trend/werkers/")
    page = trend.content.decode()
    assert trend.status_code == 200 and 'id="trend-table"' in page and "% 2021" in page and "% 2022" in page
    assert "Metingen 2021, 2022. Verschil" in page and "95%-betrouwbaarheidsinterval" in page  # Dutch first
    assert page.count('<img src="data:image/svg+xml;base64,') >= 2
    report = client.get("/onderzoek/werken-op-afstand/rapport.html")
    assert report.status_code == 200
    text = report.content.decode()
    assert "Ontwikkeling sinds de vorige meting" in text and "Deze meting (2022, " in text
    only_first = client.get("/onderzoek/werken-op-afstand/rapport.html?meting=2021")
    assert only_first.status_code == 200 and "Ontwikkeling sinds de vorige meting" not in only_first.content.decode()


def test_cli_study_wave_create_and_list(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'afstand.sqlite3'}"
    missing = run_cli("study", "wave", "list", "--study", "werken-op-afstand", "--db", db)
    assert missing.returncode == 2 and "no study 'werken-op-afstand'" in missing.stderr
    monkeypatch.setenv("AFSTAND_PASSWORD", PASSWORD)
    assert run_cli("createuser", "--username", "anna", "--role", "owner", "--db", db).returncode == 0  # loads the study
    created = run_cli(
        "study",
        "wave",
        "create",
        "--study",
        "werken-op-afstand",
        "--label",
        "2022",
        "--starts",
        "2022-03-01",
        "--db",
        db,
        "--target",
        "werkers=150",
        "--target",
        "werkers:whatsapp=50",
    )
    assert created.returncode == 0, created.stderr
    assert "2022" in created.stdout
    listed = run_cli("study", "wave", "list", "--study", "werken-op-afstand", "--db", db, "--json")
    assert listed.returncode == 0, listed.stderr
    import json

    data = json.loads(listed.stdout)
    assert [w["label"] for w in data] == ["2021", "2022"] and data[1]["starts_on"] == "2022-03-01"
    assert set(data[1]["instruments"]) == {"werkers", "clienten"}
    assert data[1]["targets"] == {"werkers": {"total": 150, "whatsapp": 50}}
    out = tmp_path / "werkers-2022.csv"
    exported = run_cli("export", "--instrument", "werkers", "--wave", "2022", "--db", db, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("response_id,instrument_version,submission_date,wave,")
    unknown = run_cli("export", "--instrument", "werkers", "--wave", "1999", "--db", db, "--out", str(tmp_path / "x.csv"))
    assert unknown.returncode == 2 and "in wave 1999" in unknown.stderr and not (tmp_path / "x.csv").exists()
    bad = run_cli("study", "wave", "create", "--study", "werken-op-afstand", "--label", "2023", "--target", "werkers=veel", "--db", db)
    assert bad.returncode == 2 and "--target 'werkers=veel'" in bad.stderr
    again = run_cli("study", "wave", "create", "--study", "werken-op-afstand", "--label", "2022", "--db", db)
    assert again.returncode == 2 and "already has a wave 2022" in again.stderr


def test_report_still_builds_after_a_version_is_added_inside_the_wave(client, demo, study_files):
    """A new werkers version with an extra question: old rows are 'not asked' it; the report builds."""
    core = studies.core_study(demo.slug)
    source = core.form_path("werkers").read_text(encoding="utf-8")
    extra = "|  | select_one gender | w_gender_new | Met welk geslacht identificeer je je? | Which gender do you identify with? |"
    changed = source.replace(
        "|  | select_one gender | w_gender |", extra + " |  |  |  |  |  |  |  |  |  |  |  |  |\n|  | select_one gender | w_gender |", 1
    )
    assert "w_gender_new" in changed
    with study_files["werkers"].open(encoding="utf-8") as handle:
        workers = [r for r in csv.DictReader(handle) if r["consent"] == "ja"]
    with study_files["clienten"].open(encoding="utf-8") as handle:
        clients = [r for r in csv.DictReader(handle) if r["consent"] == "ja"]
    first = studies.active_version(demo.slug, "werkers")
    for row in workers[:60]:
        assert submissions.submit(first, uuid.uuid4(), {k: v for k, v in row.items() if v and k != "response_id"}).status == 201
    second = studies.add_version(demo, "werkers", "werkers-v2.md", changed.encode())
    assert second.wave == first.wave and second.version_id != first.version_id
    for row in workers[60:120]:
        answers = {k: v for k, v in row.items() if v and k != "response_id"} | {"w_gender_new": row["w_gender"] or "anders"}
        assert submissions.submit(second, uuid.uuid4(), answers).status == 201
    clienten = studies.active_version(demo.slug, "clienten")
    for row in clients:
        assert submissions.submit(clienten, uuid.uuid4(), {k: v for k, v in row.items() if v and k != "response_id"}).status == 201
    result, _ = results.analyze_stored(demo.slug, "werkers")
    new = result["items"]["w_gender_new"]
    assert (new["base"], new["not_asked"], new["missing"]) == (60, 60, 0)
    login(client, "owner", demo)
    for url in ("/onderzoek/werken-op-afstand/rapport.html", "/onderzoek/werken-op-afstand/factsheet.html"):
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[-500:]
    assert "In totaal hebben 120 reclasseringswerkers" in client.get("/onderzoek/werken-op-afstand/rapport.html").content.decode()


@pytest.mark.django_db(transaction=True)
def test_migration_puts_existing_versions_into_a_first_wave():
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("afstand", "0008_audit_random_keys_declined_limit_caches")], [("afstand", "0009_waves")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes("afstand")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        study = old.get_model("afstand", "Study").objects.create(slug="oud", title="Oud")
        versions = old.get_model("afstand", "InstrumentVersion")
        for content in ("mini@1", "mini@2"):
            versions.objects.create(
                study=study, name="mini", version_id=content, filename="mini.md", xlsform=b"-", active=content == "mini@2"
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        wave = new.get_model("afstand", "Wave").objects.get(study__slug="oud")
        assert wave.label == str(dt.date.today().year)
        assert sorted(new.get_model("afstand", "InstrumentVersion").objects.filter(wave=wave).values_list("version_id", flat=True)) == [
            "mini@1",
            "mini@2",
        ]
    finally:
        MigrationExecutor(connection).migrate(leaves)


def test_purge_one_wave(demo, tmp_path):
    import datetime as dt

    first = studies.active_version(demo.slug, "clienten")
    old_day = dt.date.today() - dt.timedelta(days=400)
    for _ in range(2):
        submissions.submit(first, uuid.uuid4(), {"consent": "ja", "c_age": 40}, today=old_day)
    second_wave = waves.create_wave(demo, "2022")
    second = studies.active_version(demo.slug, "clienten")
    assert second.wave == second_wave
    submissions.submit(second, uuid.uuid4(), {"consent": "ja", "c_age": 41}, today=old_day)
    counts = submissions.purge(365, wave=second_wave)
    assert counts == {"responses": 1, "signups": 0}
    assert Response.objects.filter(instrument_version__wave__label="2021").count() == 2
    assert Response.objects.filter(instrument_version__wave=second_wave).count() == 0
