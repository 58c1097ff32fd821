"""Researchers upload XLSForms, see the analysis and figures, and download the report in the browser."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import results, studies, submissions
from afstand.web.models import AuditEvent, InstrumentVersion, Membership, Response, Study
from tests.helpers import MINI_FORM

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
    created = client.post("/onderzoek/nieuw/", {"title": "Nieuw onderzoek", "slug": "nieuw-2022", "instrument": "mini", "target": "40",
                                                "xlsform": SimpleUploadedFile("mini.md", mini())})
    assert created.status_code == 302 and created["Location"] == "/onderzoek/nieuw-2022/"
    study = Study.objects.get(slug="nieuw-2022")
    assert Membership.objects.get(study=study).role == "owner"
    first = studies.active_version("nieuw-2022", "mini")
    assert first.target == 40 and first.version_id.startswith("mini@")
    # a respondent answers version 1
    assert submissions.submit(first, uuid.uuid4(), {"consent": "ja", "age": "30"}).status == 201
    # a new upload is a new version; the stored response keeps its own
    again = client.post("/onderzoek/nieuw-2022/versie/", {"instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", mini("Hoe oud ben je?"))})
    assert again.status_code == 302
    second = studies.active_version("nieuw-2022", "mini")
    assert second.version_id != first.version_id and InstrumentVersion.objects.filter(study=study).count() == 2
    assert Response.objects.get().instrument_version == first
    assert client.get("/s/nieuw-2022/mini").status_code == 200 and "Hoe oud ben je?" in client.post(
        "/s/nieuw-2022/mini", {"state": _state(client.get("/s/nieuw-2022/mini")), "consent": "ja"}).content.decode()
    monitor = client.get("/onderzoek/nieuw-2022/").content.decode()
    assert first.version_id in monitor and second.version_id in monitor
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create-study", "upload-version"} <= actions


def _state(page) -> str:
    import re

    return re.search(r'name="state" value="([^"]+)"', page.content.decode()).group(1)


def test_a_broken_xlsform_is_refused_with_its_error_and_creates_nothing(client):
    login(client, None, None)
    broken = mini().replace(b"select_one agree | s1", b"select_one nolist | s1")
    page = client.post("/onderzoek/nieuw/", {"title": "X", "slug": "x-2022", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", broken)})
    assert page.status_code == 400 and "nolist" in page.content.decode()
    assert not Study.objects.filter(slug="x-2022").exists()
    wrong = client.post("/onderzoek/nieuw/", {"title": "X", "slug": "x-2022", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "geen XLSForm" in wrong.content.decode()


def test_only_owners_upload_versions(client):
    study = studies.load_demo()
    login(client, "analyst", study)
    assert client.get("/onderzoek/werken-op-afstand/versie/").status_code == 403
    assert client.post("/onderzoek/werken-op-afstand/versie/", {"instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", mini())}).status_code == 403


@pytest.fixture
def reference_db(db, reference):
    study = studies.load_demo()
    for name in ("werkers", "clienten"):
        version = studies.active_version(study.slug, name)
        with (reference / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                answers = {k: v for k, v in row.items() if v and k != "response_id"}
                if answers.get("consent") == "ja":
                    assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    return study


def test_analysis_page_shows_the_core_numbers_and_figures(client, reference_db, reference):
    login(client, "analyst", reference_db)
    expected = json.loads((reference / "expected-clienten.json").read_text(encoding="utf-8"))
    page = client.get("/onderzoek/werken-op-afstand/analyse/clienten/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="n-consented">{expected["n_consented"]}<' in html
    result, _ = results.analyze_stored("werken-op-afstand", "clienten")
    for name, entry in expected["items"].items():
        if "counts" in entry:
            counts = result["items"][name]["counts"]
            assert {k: counts[k] for k in entry["counts"]} == entry["counts"] and sum(counts.values()) == sum(entry["counts"].values()), name
    assert 'id="figuur-02"' in html and "data:image/svg+xml;base64," in html
    # groups under the minimum size are listed as not shown, never with their count
    breakdowns = result["comparisons"]["breakdowns"]
    hidden = [(key, g) for key, b in breakdowns.items() for g in b["suppressed"]]
    assert breakdowns and hidden  # 26 clients: some groups are under the minimum of 10
    for key, group in hidden:
        table = re.search(rf'<table class="likert" id="breakdown-{key}">(.*?)</table>', html, re.S).group(1)
        assert re.search(rf'<tr class="suppressed"><th scope="row">{re.escape(group["label"])}</th><td>niet getoond</td></tr>', table), (key, group)
    for key, b in breakdowns.items():
        table = re.search(rf'<table class="likert" id="breakdown-{key}">(.*?)</table>', html, re.S).group(1)
        assert re.findall(r"<td>(\d+)</td>", table) == [str(g["n"]) for g in b["groups"]]  # only the shown groups have a count
    coder = User.objects.create_user("codeur", password=PASSWORD)
    Membership.objects.create(user=coder, study=reference_db, role="coder")
    client.force_login(coder)
    assert client.get("/onderzoek/werken-op-afstand/analyse/clienten/").status_code == 403


def test_report_downloads_from_stored_responses(client, reference_db):
    login(client, "owner", reference_db)
    docx = client.get("/onderzoek/werken-op-afstand/rapport.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK" and docx["Content-Disposition"] == 'attachment; filename="rapport.docx"'
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx.content)).paragraphs)
    assert "228" in text  # the number of workers, computed from the stored responses
    html = client.get("/onderzoek/werken-op-afstand/rapport.html")
    assert html.status_code == 200 and "<html" in html.content.decode()[:200].lower()
    assert client.get("/onderzoek/werken-op-afstand/rapport.exe").status_code == 404
    assert AuditEvent.objects.filter(action="report").count() == 2


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
