"""Researchers upload XLSForms, see the analysis and figures, and download the report in the browser."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import uuid

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import results, studies, submissions
from afstand.web.models import AuditEvent, InstrumentVersion, Membership, Response, Study
from tests.helpers import MINI_FORM
from tests.web.pages import page_as_published as _page_as_published

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"


def login(client, role: str | None, study: Study | None, name: str = "onderzoeker") -> User:
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)  # staff: may create studies
    if role and study:
        Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


def mini(label: str = "Leeftijd") -> bytes:
    return (textwrap.dedent(MINI_FORM).strip() + "\n").replace("| Leeftijd |", f"| {label} |").encode()


def test_create_a_study_by_uploading_an_xlsform_and_add_a_version(client):
    login(client, None, None)
    created = client.post(
        "/onderzoek/nieuw/",
        {
            "title": "Nieuw onderzoek",
            "slug": "nieuw-2022",
            "instrument": "mini",
            "target": "40",
            "xlsform": SimpleUploadedFile("mini.md", mini()),
        },
    )
    assert created.status_code == 302 and created["Location"] == "/onderzoek/nieuw-2022/"
    study = Study.objects.get(slug="nieuw-2022")
    assert Membership.objects.get(study=study).role == "owner"
    first = studies.active_version("nieuw-2022", "mini")
    assert first.target == 40 and first.version_id.startswith("mini@")
    # a respondent answers version 1
    assert submissions.submit(first, uuid.uuid4(), {"consent": "ja", "age": "30"}).status == 201
    # a new upload is a new version; the stored response keeps its own
    again = client.post(
        "/onderzoek/nieuw-2022/versie/", {"instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", mini("Hoe oud ben je?"))}
    )
    assert again.status_code == 302
    second = studies.active_version("nieuw-2022", "mini")
    assert second.version_id != first.version_id and InstrumentVersion.objects.filter(study=study).count() == 2
    assert Response.objects.get().instrument_version == first
    assert client.get("/s/nieuw-2022/mini").status_code == 200
    assert "Hoe oud ben je?" in client.post("/s/nieuw-2022/mini", {"consent": "ja"}, follow=True).content.decode()
    monitor = client.get("/onderzoek/nieuw-2022/").content.decode()
    assert first.version_id in monitor and second.version_id in monitor
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create-study", "upload-version"} <= actions


def test_a_broken_xlsform_is_refused_with_its_error_and_creates_nothing(client):
    login(client, None, None)
    broken = mini().replace(b"select_one agree | s1", b"select_one nolist | s1")
    page = client.post(
        "/onderzoek/nieuw/", {"title": "X", "slug": "x-2022", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", broken)}
    )
    assert page.status_code == 400 and "nolist" in page.content.decode()
    assert not Study.objects.filter(slug="x-2022").exists()
    wrong = client.post(
        "/onderzoek/nieuw/", {"title": "X", "slug": "x-2022", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.pdf", b"%PDF")}
    )
    assert wrong.status_code == 400 and "geen XLSForm" in wrong.content.decode()


def test_only_owners_upload_versions(client):
    study = studies.load_demo()
    login(client, "analyst", study)
    assert client.get("/onderzoek/werken-op-afstand/versie/").status_code == 403
    assert (
        client.post(
            "/onderzoek/werken-op-afstand/versie/", {"instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", mini())}
        ).status_code
        == 403
    )


@pytest.fixture
def reference_db(db, study_files):
    """The study's responses stored: the reference study's, else the seeded demo study's."""
    study = studies.load_demo()
    for name in ("werkers", "clienten"):
        version = studies.active_version(study.slug, name)
        with study_files[name].open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                answers = {k: v for k, v in row.items() if v and k != "response_id"}
                if answers.get("consent") == "ja":
                    assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    return study


def test_analysis_page_shows_the_core_numbers_and_figures(client, reference_db, study_results):
    """Against the core's analysis of the study's file (the reference study's, whose analysis the
    expected JSON of ../shared checks, else the seeded demo study's)."""
    login(client, "analyst", reference_db)
    expected = study_results["clienten"]
    page = client.get("/onderzoek/werken-op-afstand/analyse/clienten/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="n-consented">{expected["n_consented"]}<' in html
    result, _ = results.analyze_stored("werken-op-afstand", "clienten")
    for name, entry in expected["items"].items():
        if "counts" in entry:
            counts = result["items"][name]["counts"]
            assert {k: counts[k] for k in entry["counts"]} == entry["counts"] and sum(counts.values()) == sum(entry["counts"].values()), (
                name
            )
    assert 'id="figuur-02"' in html and "data:image/svg+xml;base64," in html
    # groups under the minimum size are listed as not shown, never with their count
    breakdowns = result["comparisons"]["breakdowns"]
    hidden = [(key, g) for key, b in breakdowns.items() for g in b["suppressed"]]
    assert breakdowns and hidden  # 26 clients: some groups are under the minimum of 10
    for key, group in hidden:
        table = re.search(rf'<table class="likert" id="breakdown-{key}">(.*?)</table>', html, re.S).group(1)
        assert re.search(
            rf'<tr class="suppressed" data-group="[^"]+"><th scope="row">{re.escape(group["label"])}</th><td>niet getoond</td></tr>', table
        ), (key, group)
    for key, b in breakdowns.items():
        table = re.search(rf'<table class="likert" id="breakdown-{key}">(.*?)</table>', html, re.S).group(1)
        assert re.findall(r'<tr data-group="[^"]+"><th scope="row">[^<]*</th><td>(\d+)</td>', table) == [
            str(g["n"]) for g in b["groups"]
        ]  # only the shown groups have a count
    coder = User.objects.create_user("codeur", password=PASSWORD)
    Membership.objects.create(user=coder, study=reference_db, role="coder")
    client.force_login(coder)
    assert client.get("/onderzoek/werken-op-afstand/analyse/clienten/").status_code == 403


def test_report_downloads_from_stored_responses(client, reference_db, study_results):
    login(client, "owner", reference_db)
    docx = client.get("/onderzoek/werken-op-afstand/rapport.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK" and docx["Content-Disposition"] == 'attachment; filename="rapport.docx"'
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx.content)).paragraphs)
    assert str(study_results["werkers"]["n_consented"]) in text  # the number of workers, computed from the stored responses
    html = client.get("/onderzoek/werken-op-afstand/rapport.html")
    assert html.status_code == 200 and "<html" in html.content.decode()[:200].lower()
    assert client.get("/onderzoek/werken-op-afstand/rapport.exe").status_code == 404
    assert AuditEvent.objects.filter(action="report").count() == 2


def test_report_is_built_from_stored_tables_in_memory(reference_db, study_results, monkeypatch, tmp_path):
    """``report_stored`` builds from the stored tables without a temporary file or folder, and the
    download stands alone (its figures inside the page); a failure half-way leaves nothing anywhere."""
    import tempfile

    import docx  # noqa: F401 - the renderers' first imports look libraries up through tempfile: done before the check
    import matplotlib.pyplot  # noqa: F401
    import weasyprint  # noqa: F401

    from afstand.report import build

    def no_disk(*args, **kwargs):
        raise AssertionError("the report from stored responses went through the disk")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # anything tempfile makes would land here
    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_disk)
    monkeypatch.setattr(build, "_staging_dir", no_disk)
    name, content = results.report_stored("werken-op-afstand", "html")
    html = content.decode("utf-8")
    assert name == "rapport.html" and f"In totaal hebben {study_results['werkers']['n_consented']} reclasseringswerkers" in html
    assert 'src="figures/' not in html and html.count('src="data:image/svg+xml;base64,') >= 14
    name, content = results.report_stored("werken-op-afstand", "pdf", "factsheet")
    assert name == "factsheet.pdf" and content[:5] == b"%PDF-"

    def broken(*args, **kwargs):
        raise OSError("docx writer failed")

    monkeypatch.setattr(build, "write_docx", broken)
    with pytest.raises(OSError, match="docx writer failed"):
        results.report_stored("werken-op-afstand", "docx")
    assert list(tmp_path.iterdir()) == []


def test_report_without_responses_says_why(client):
    study = studies.load_demo()
    login(client, "owner", study)
    page = client.get("/onderzoek/werken-op-afstand/rapport.pdf")
    assert page.status_code == 409 and "Nog geen antwoorden voor werkers, clienten" in page.content.decode()


def test_stored_responses_reach_the_core_as_the_export_would(demo_data):
    """The in-memory path (stored_table: the answers' JSON parsed by pyarrow) gives exactly the analysis
    of the exported canonical CSV, also for answers with quotes, commas, line breaks and accents."""
    from afstand.analysis.summary import analyze
    from afstand.responses import load_responses
    from afstand.services import exports

    study = studies.load_demo()
    version = studies.active_version(study.slug, "clienten")
    with demo_data["clienten"].open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") == "ja":
                assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    odd = {"consent": "ja", "c_age": "33", "c_open_tips": 'Zeg "nee", of\nbel  later; café ☕ \\ ok'}
    assert submissions.submit(version, uuid.uuid4(), odd).status == 201
    stored, instrument = results.analyze_stored(study.slug, "clienten")
    header, data = exports.rows(study.slug, "clienten")
    buffer = io.BytesIO()
    exports.write(header, data, "csv", buffer)
    exported = analyze(load_responses(buffer.getvalue(), instrument, lenient=True), name="clienten", study=studies.core_study(study.slug))
    assert stored["n_total"] == len(data) > 20

    def comparable(result):
        return json.dumps({k: v for k, v in result.items() if k != "data"}, sort_keys=True)

    assert comparable(stored) == comparable(exported)
    table = exports.stored_table(study.slug, "clienten")
    texts = table.columns["c_open_tips"].to_pylist()
    assert 'Zeg "nee", of\nbel  later; café ☕ \\ ok' in texts
    # the submission date comes from the database as ISO text, as the export writes it
    by_id = dict(zip(table.columns["response_id"].to_pylist(), table.columns["submission_date"].to_pylist()))
    assert by_id == {row[0]: row[2] for row in data}


def test_figures_are_drawn_once_per_result_and_again_after_a_new_response(demo_data, monkeypatch):
    """The analysis page's figures are cached on what they are drawn from: a second visit draws
    nothing, a new stored response (a changed result) draws them again with the new numbers."""
    from afstand.figures import build

    study = studies.load_demo()
    version = studies.active_version(study.slug, "werkers")
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        rows = [{k: v for k, v in row.items() if v and k != "response_id"} for row in csv.DictReader(handle)]
    consenting = [r for r in rows if r.get("consent") == "ja"]
    for answers in consenting[:-1]:
        assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    drawn = []
    real = build.build_figures
    monkeypatch.setattr(build, "build_figures", lambda *a, **k: drawn.append(1) or real(*a, **k))

    def figures():
        result, form = results.analyze_stored(study.slug, "werkers")
        return results.figures_stored(study.slug, "werkers", result, form)

    first = figures()
    assert first and len(drawn) == 1
    assert [svg for _, svg in figures()] == [svg for _, svg in first] and len(drawn) == 1
    assert submissions.submit(version, uuid.uuid4(), consenting[-1]).status == 201
    third = figures()
    assert len(drawn) == 2
    assert [svg for _, svg in third] != [svg for _, svg in first]


def test_analysis_page_lets_no_small_group_be_derived(client, demo_data, study):
    """Skewed data (an organisation of 4 next to 14 workers without one, an experience band of 5): the
    attacker of tests/analysis/test_disclosure.py, reading only the page's numbers, recovers nothing,
    and the page hides the same cells as the report's published result."""
    from afstand.analysis.compare import group_codes
    from afstand.analysis.disclosure import MASK
    from tests.helpers import attack

    demo = studies.load_demo()
    version = studies.active_version(demo.slug, "werkers")
    orgs = [c.name for c in study.instrument("werkers").items["w_org"].choice_list.choices]
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") != "ja":
                continue
            answers.pop("w_org", None)
            if i < 4:
                answers["w_org"] = orgs[0]
            elif i >= 18:
                answers["w_org"] = orgs[1 + i % (len(orgs) - 1)]
            if 18 <= i < 23:
                answers["w_experience_years"] = "25"
            elif answers.get("w_experience_years") and float(answers["w_experience_years"]) >= 20:
                answers["w_experience_years"] = "15"
            assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    login(client, "analyst", demo)
    page = client.get("/onderzoek/werken-op-afstand/analyse/werkers/")
    assert page.status_code == 200
    html = page.content.decode()
    seen = _page_as_published(html)
    breakdowns = study.breakdowns("werkers")
    assert {b.name for b in breakdowns} == set(seen["comparisons"]["breakdowns"])
    responses = results.stored_responses(demo.slug, "werkers", studies.latest_instrument(demo.slug, "werkers"))
    truth = {}
    for b in breakdowns:
        codes, names, _ = group_codes(responses, b)
        tally = np.bincount(codes + 1, minlength=len(names) + 1)
        truth[b.name] = {g: int(tally[i + 1]) for i, g in enumerate(names)}
    assert truth["organisatie"][orgs[0]] == 4 and seen["comparisons"]["breakdowns"]["organisatie"]["no_group"] == 14
    small = 0
    for name, bounds in attack(seen, breakdowns):
        for key, (low, high) in bounds.items():
            value = sum(truth[name][g] for g in key.split("|"))
            assert low <= value <= high, (name, key, value, low, high)  # the attacker's model of the page is right
            if 0 < value < 10:
                small += 1
                assert low < high and high >= 10, f"{name}: {key} = {value} derivable from the page ({low}..{high})"
    assert small >= 2  # the organisation of 4 and the band of 5 were there to be found
    # the page hides the same cells as the report's published result, and prints no hidden count
    published, _ = results.published_stored(demo.slug, "werkers")
    for item, choices in published["disclosure"]["masked"].items():
        for choice in choices:
            assert seen["items"][item]["counts"][choice] is None
            assert re.search(rf'<tr data-choice="{choice}"><th scope="row">[^<]*</th><td>{MASK}</td><td>{MASK}</td>', html)
    assert orgs[0] in published["disclosure"]["masked"]["w_org"]
    raw, _ = results.analyze_stored(demo.slug, "werkers")
    assert "problems" not in html or isinstance(published["data"]["problems"], int)
    assert raw["items"]["w_org"]["counts"][orgs[0]] == 4  # the working result still has it; the page does not


def test_stored_rows_come_in_public_id_order_and_the_fetch_leaves_the_session_as_it_was():
    """The stored table is ordered by public id (sorted in Python, the same on either database);
    on PostgreSQL the parallel-scan settings of the fetch last for that query only, also inside
    an enclosing transaction."""
    from django.db import connection, transaction

    from afstand.services.exports import stored_table

    _, (version,) = studies.create_study("volgorde-2022", "Volgorde", [studies.Form("mini", "mini.md", mini())])
    for age in range(30, 42):
        assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": str(age)}).status == 201

    def settings() -> tuple:
        if connection.vendor != "postgresql":
            return ()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('parallel_setup_cost'), current_setting('parallel_tuple_cost')")
            return cursor.fetchone()

    before = settings()
    with transaction.atomic():
        table = stored_table("volgorde-2022", "mini")
        assert settings() == before
    ids = table.columns["response_id"].to_pylist()
    assert len(ids) == 12 and ids == sorted(ids) == sorted(Response.objects.values_list("public_id", flat=True))
    assert sorted(table.columns["age"].to_pylist(), key=int) == [str(a) for a in range(30, 42)]
