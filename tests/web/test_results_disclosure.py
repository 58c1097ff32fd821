"""The analysis and trend pages across waves, outliers under a hidden band, a web-made study, and the
publication ledger of web reports (docs/disclosure-control.md; the outside review "attack", F-W1, F-A3,
F-W3, F-A1)."""

from __future__ import annotations

import csv
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import studies, submissions, waves
from afstand.web.models import Membership
from tests.web.pages import page_as_published as _page_as_published

pytestmark = pytest.mark.django_db


def _rows(demo_data):
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        return [{k: v for k, v in r.items() if v and k != "response_id"} for r in csv.DictReader(handle) if r["consent"] == "ja"]


def _store(version, rows):
    for row in rows:
        assert submissions.submit(version, uuid.uuid4(), row).status == 201


def _login(client, demo):
    user = User.objects.create_user("analist", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=demo, role="analyst")
    client.force_login(user)


def _org(client, query):
    page = client.get(f"/onderzoek/werken-op-afstand/analyse/werkers/{query}")
    assert page.status_code == 200
    seen = _page_as_published(page.content.decode())
    return seen["items"]["w_org"]["counts"]


def test_pooled_page_and_wave_pages_hide_the_same_groups(client, demo_data):
    # wave 2021: 4 in ljr; wave 2022: 20 in ljr. Pooled minus 2022 gave 2021's ljr = 4 back before.
    demo = studies.load_demo()
    rows = _rows(demo_data)
    first, second = rows[:100], rows[100:200]
    for i, r in enumerate(first):
        r["w_org"] = "ljr" if i < 4 else ("rn" if i % 2 else "svg")
    for i, r in enumerate(second):
        r["w_org"] = "ljr" if i < 20 else ("rn" if i % 2 else "svg")
    _store(studies.active_version(demo.slug, "werkers"), first)
    waves.create_wave(demo, "2022")
    _store(studies.active_version(demo.slug, "werkers"), second)
    _login(client, demo)
    pages = {q: _org(client, q) for q in ("?meting=2021", "?meting=2022", "?meting=alle")}
    for choice in pages["?meting=alle"]:
        shown = [page[choice] is not None for page in pages.values()]
        assert all(shown) or not any(shown), (choice, pages)
    assert pages["?meting=alle"]["ljr"] is None and pages["?meting=2022"]["ljr"] is None
    trend = client.get("/onderzoek/werken-op-afstand/trend/werkers/").content.decode()
    ljr_row = re.search(r"Leger des Heils[^<]*</t[hd]>((?:\s*<td[^>]*>[^<]*</td>){2})", trend)
    assert ljr_row is None or "20%" not in ljr_row.group(1)  # not shown for 2022 next to the pooled page


def test_no_outlier_of_a_hidden_band_on_the_page(client, demo_data):
    demo = studies.load_demo()
    rows = _rows(demo_data)[:120]
    for i, r in enumerate(rows):
        r["w_experience_years"] = (
            str([25, 30, 38][i]) if i < 3 else str(10 + i - 3) if i < 13 else str(5 + i % 2) if i < 38 else str(2 + i % 2)
        )
    _store(studies.active_version(demo.slug, "werkers"), rows)
    _login(client, demo)
    html = client.get("/onderzoek/werken-op-afstand/analyse/werkers/").content.decode()
    seen = _page_as_published(html)
    assert {g["name"] for g in seen["comparisons"]["breakdowns"]["ervaring"]["suppressed"]} == {"10-20", "20+"}
    for listed in re.findall(r"(?:Uitschieters|Outliers)[^<]*", html):
        assert not re.search(r"\b(1\d|2\d|3\d)\.0\b", listed), listed
    assert "38.0" not in html and "38,0" not in html
    assert "verborgen klasse" in html or "hidden band" in html
    # the project's attacker, reading the page's outliers, min and max too, pins no hidden band
    from afstand.study import find_study
    from tests.helpers import attack

    ervaring = [b for b in find_study(demo.slug).breakdowns("werkers") if b.name == "ervaring"]
    for _name, bounds in attack(seen, ervaring):
        for key, (low, high) in bounds.items():
            if len(key.split("|")) < 2:
                assert low < high and high >= 10, (key, low, high)


def test_a_web_made_study_says_that_nothing_is_hidden(client):
    from tests.helpers import MINI_FORM

    user = User.objects.create_user("maker", password="Een-lang-wachtwoord-42", is_staff=True)
    client.force_login(user)
    form = (textwrap.dedent(MINI_FORM).strip() + "\n").encode()
    made = client.post(
        "/onderzoek/nieuw/", {"title": "Eigen", "slug": "eigen-2026", "instrument": "mini", "xlsform": SimpleUploadedFile("mini.md", form)}
    )
    assert made.status_code == 302
    version = studies.active_version("eigen-2026", "mini")
    for i in range(12):
        assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "age": str(20 + i), "fruit": "appel"}).status == 201
    page = client.get("/onderzoek/eigen-2026/analyse/mini/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'id="no-disclosure-control"' in page
    assert "niets wordt verborgen" in page or "no cell is hidden" in page


def test_a_report_records_its_hidden_groups_and_the_page_keeps_them(client, demo_data):
    # the review's F-A1/F-W2 with a report in between: the report hid ljr = 9; one more ljr answer makes 10
    from afstand.web.models import Wave

    demo = studies.load_demo()
    rows = _rows(demo_data)[:150]
    for i, r in enumerate(rows):
        r["w_org"] = "ljr" if i < 9 else ("rn" if i % 2 else "svg")
    _store(studies.active_version(demo.slug, "werkers"), rows)
    with demo_data["clienten"].open(encoding="utf-8") as handle:
        clients = [{k: v for k, v in r.items() if v and k != "response_id"} for r in csv.DictReader(handle) if r["consent"] == "ja"]
    _store(studies.active_version(demo.slug, "clienten"), clients)
    _login(client, demo)
    assert _org(client, "")["ljr"] is None
    assert client.get("/onderzoek/werken-op-afstand/rapport.html").status_code == 200
    recorded = {w.label: w.published_hidden for w in Wave.objects.filter(study=demo)}
    assert any("ljr" in wave.get("werkers", {}).get("organisatie", []) for wave in recorded.values()), recorded
    extra = dict(rows[20], w_org="ljr")
    _store(studies.active_version(demo.slug, "werkers"), [extra])
    counts = _org(client, "")
    assert counts["ljr"] is None and sum(v is None for v in counts.values()) >= 2
    Wave.objects.filter(study=demo).update(published_hidden={})  # without the ledger the page shows 10: the test can fail
    assert _org(client, "")["ljr"] == 10


def test_a_refused_study_folder_is_a_4xx_not_an_open_page(client, demo_data, monkeypatch, tmp_path):
    import shutil

    from afstand.services import studies as studies_service
    from afstand.study import Study, find_study

    demo = studies.load_demo()
    _store(studies.active_version(demo.slug, "werkers"), _rows(demo_data)[:30])
    root = tmp_path / "study"
    shutil.copytree(find_study(demo.slug).root, root)
    toml = root / "study.toml"
    extra = '\n[[breakdowns]]\ninstrument = "werkers"\nname = "ervaring_grof"\nitem = "w_experience_years"\nbands = [0, 7, 20]\n'
    toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    monkeypatch.setattr(studies_service, "find_study", lambda slug: Study.load(root))
    studies_service.core_study.cache_clear()  # cached per process: the refused folder is read again
    _login(client, demo)
    try:
        page = client.get("/onderzoek/werken-op-afstand/analyse/werkers/")
        assert page.status_code == 409
        assert "ervaring_grof" in page.content.decode()
    finally:
        monkeypatch.undo()
        studies_service.core_study.cache_clear()
