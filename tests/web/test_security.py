"""Web security: headers and CSP, XSS payloads inert everywhere, rate limits, withdrawal codes, deploy checks."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import subprocess
import sys
import textwrap
import uuid
import zipfile
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import studies, submissions
from afstand.web.models import Coding, Membership, Response
from afstand.web.research import monitor as research
from afstand.web.respondent import api
from afstand.web.respondent import withdrawal as respondent

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
PAYLOAD = 'Cliënten met angst <script>alert("xss")</script><img src=x onerror=alert(1)> willen vaak beeldbellen.'
RAW = ("<script>alert", "<img src=x onerror")


class Tags(HTMLParser):
    """What a browser would build: scripts, event-handler attributes, inline styles, style blocks."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.style_attrs, self.style_nonces, self.images = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") != "application/json":  # a JSON data block is never run
            self.scripts.append(attrs.get("src"))
        if tag == "style":
            self.style_nonces.append(attrs.get("nonce"))
        if tag == "img":
            self.images.append(attrs.get("src"))
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.style_attrs.append(tag)


def inert(html: str) -> Tags:
    """No injected markup: no inline or foreign script, no event handler, the payload only as escaped text."""
    tags = Tags()
    tags.feed(html)
    assert not any(raw in html for raw in RAW)
    assert set(tags.scripts) <= {"/static/coding.js", "/static/survey.js"} and not tags.handlers, (tags.scripts, tags.handlers)
    assert all(src and (src.startswith("data:image/") or src.startswith("/")) for src in tags.images), tags.images
    return tags


def owner(client, study, name="eigenaar"):
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)  # staff: may create studies
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)
    return user


@pytest.fixture
def demo(db):
    for limiter in (api.SUBMISSIONS, respondent.WITHDRAW_FAILURES, respondent.SIGNUPS, research.LOGIN_ATTEMPTS):
        limiter.reset()
    return studies.load_demo()


def pages(client, study) -> dict[str, str]:
    base = f"/onderzoek/{study.slug}"
    return {
        "survey": "/s/clienten",
        "withdraw": "/intrekken",
        "signup": f"/aanmelden/{study.slug}",
        "home": "/onderzoek/",
        "monitor": f"{base}/",
        "analysis": f"{base}/analyse/werkers/",
        "coding": f"{base}/coderen/",
        "queue": f"{base}/coderen/W1/",
        "browse": f"{base}/coderen/W1/alle/",
        "frequencies": f"{base}/coderen/W1/frequenties/",
        "signups": f"{base}/aanmeldingen/",
        "upload": "/onderzoek/nieuw/",
    }


def test_security_headers_and_csp_compatible_pages(client, demo):
    owner(client, demo)
    for name, url in pages(client, demo).items():
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        tags = inert(response.content.decode())
        # everything the page needs is allowed by its own policy: no inline style attributes, the style block by nonce
        assert not tags.style_attrs, (url, tags.style_attrs)
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert tags.style_nonces == [nonce], url
        respondent_page = name in ("survey", "withdraw", "signup")
        assert response["Referrer-Policy"] == ("no-referrer" if respondent_page else "same-origin"), url
        if respondent_page:  # no cookie for respondents; only the consent page (no answers) may be kept for Back
            kept = "private, no-cache" if name == "survey" else "no-store"
            assert response["Cache-Control"] == kept and not response.cookies, url
    client.logout()
    api_response = client.post("/api/v1/surveys/clienten/responses", "{}", content_type="application/json")
    assert api_response["Referrer-Policy"] == "no-referrer" and api_response["Cache-Control"] == "no-store"
    assert client.get("/static/coding.js")["Content-Type"].startswith("text/javascript")


XSS_FORM = """
| survey |
| | type | name | label::Nederlands (nl) | hint::Nederlands (nl) | required | consent_choice |
| | select_one ok | consent | Doet u mee? <script>alert("label")</script> | <img src=x onerror=alert(2)> | yes | ja |
| | text | remark | Opmerking <b onmouseover=alert(3)>vet</b> | | | |
| choices |
| | list_name | name | label::Nederlands (nl) |
| | ok | ja | Ja <script>alert("choice")</script> |
| | ok | nee | Nee |
| settings |
| | form_title | form_id | default_language |
| | Test <script>alert(4)</script> | xss | Nederlands (nl) |
"""


def test_xss_in_labels_answers_and_signups_is_inert(client, demo, study_files):
    user = owner(client, demo)
    # labels: a study uploaded with script in its labels, hints, choices and title
    created = client.post(
        "/onderzoek/nieuw/",
        {
            "title": "XSS <script>alert(5)</script>",
            "slug": "xss",
            "instrument": "xss",
            "xlsform": SimpleUploadedFile("xss.md", textwrap.dedent(XSS_FORM).encode()),
        },
    )
    assert created.status_code == 302
    survey = client.get("/s/xss/xss").content.decode()
    inert(survey)
    assert "&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;" in survey  # shown as the text it is
    inert(client.get("/onderzoek/xss/").content.decode())
    inert(client.get("/onderzoek/").content.decode())
    # answers: open answers with a payload, coded, then every researcher page and the report formats
    version = studies.active_version(demo.slug, "werkers")
    with study_files["werkers"].open(encoding="utf-8") as handle:
        for k, row in enumerate(csv.DictReader(handle)):
            answers = {key: v for key, v in row.items() if v and key != "response_id"}
            if answers.get("consent") == "ja":
                answers["w_open_types_good"] = PAYLOAD if k < 12 else answers.get("w_open_types_good", "")
                assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    clienten = studies.active_version(demo.slug, "clienten")
    with study_files["clienten"].open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers = {key: v for key, v in row.items() if v and key != "response_id"}
            if answers.get("consent") == "ja":
                answers["c_open_tips"] = PAYLOAD
                assert submissions.submit(clienten, uuid.uuid4(), answers).status == 201
    for response in Response.objects.filter(answers__w_open_types_good=PAYLOAD):
        Coding.objects.create(study=demo, question="W1", response=response, start=0, end=len(PAYLOAD), code="motivatie", coder=user)
    client.post(
        "/aanmelden/werken-op-afstand",
        {
            "purpose": "loterij",
            "name": '<script>alert("naam")</script>',
            "email": "a@example.org",
            "availability": "<img src=x onerror=alert(6)>",
        },
    )
    from afstand.services import signup_spool

    signup_spool.flush(force=True)  # stored: the owner's list shows stored sign-ups only
    for url in pages(client, demo).values():
        html = client.get(url).content.decode()
        inert(html)
    assert "&lt;script&gt;" in client.get("/onderzoek/werken-op-afstand/coderen/W1/frequenties/").content.decode()
    assert "&lt;script&gt;alert(&quot;naam&quot;)" in client.get("/onderzoek/werken-op-afstand/aanmeldingen/").content.decode()
    assert "&lt;script&gt;" in client.get("/onderzoek/werken-op-afstand/coderen/W1/alle/?q=angst").content.decode()
    # the generated report: HTML escaped, DOCX and PDF show the payload as plain text
    html = client.get("/onderzoek/werken-op-afstand/rapport.html")
    assert html.status_code == 200 and "sandbox" in html["Content-Security-Policy"]
    report_html = html.content.decode()
    inert(report_html)
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in report_html or "&lt;script&gt;alert(&quot;xss&quot;)" in report_html
    docx = client.get("/onderzoek/werken-op-afstand/rapport.docx").content
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;alert" in xml
    pdf = client.get("/onderzoek/werken-op-afstand/rapport.pdf").content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert '<script>alert("xss")</script>' in re.sub(r"\s+", " ", text).replace("< ", "<")  # printed as text, not parsed
    # spreadsheet exports: an answer starting with "=" stays text, never a formula
    version = studies.active_version(demo.slug, "clienten")
    submissions.submit(version, uuid.uuid4(), {"consent": "ja", "c_open_tips": '=HYPERLINK("http://example.org","klik")'})
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/onderzoek/werken-op-afstand/export/clienten.xlsx").content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_withdrawal_codes_are_long_and_guessing_is_limited(client, demo, settings):
    version = studies.active_version(demo.slug, "clienten")
    codes = {submissions.withdrawal_code(uuid.uuid4()) for _ in range(2000)}
    assert len(codes) == 2000
    alphabet = set("".join(codes).replace("-", ""))
    bits = len(next(iter(codes)).replace("-", "")) * math.log2(32)
    assert alphabet <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") and bits - math.log2(32) >= 80  # Crockford base-32, one check character
    real = submissions.submit(version, uuid.uuid4(), {"consent": "ja"}).body["withdrawal_code"]
    settings.AFSTAND_WITHDRAW_LIMIT = 5
    statuses = [
        client.post("/intrekken", {"code": f"AAAA-AAAA-AAAA-AAAA-AAA{i}"}, REMOTE_ADDR="198.51.100.7").status_code for i in range(6)
    ]
    assert statuses == [404] * 5 + [429]
    # locked out: even the right code waits (another address is not affected)
    assert client.post("/intrekken", {"code": real}, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post("/intrekken", {"code": real}, REMOTE_ADDR="198.51.100.8").status_code == 303
    assert not Response.objects.exists()


def test_login_is_rate_limited_per_username(client, demo, settings):
    User.objects.create_user("anna", password=PASSWORD)
    User.objects.create_user("bram", password=PASSWORD)
    for _ in range(settings.AFSTAND_LOGIN_LIMIT):
        assert client.post("/onderzoek/inloggen/", {"username": "anna", "password": "fout-wachtwoord"}).status_code == 200
    locked = client.post("/onderzoek/inloggen/", {"username": "anna", "password": PASSWORD})
    assert locked.status_code == 429 and "15 minuten" in locked.content.decode()
    assert client.post("/onderzoek/inloggen/", {"username": "bram", "password": PASSWORD}).status_code == 302


def test_signups_are_rate_limited(client, demo, settings):
    settings.AFSTAND_SIGNUP_LIMIT = 2
    form = {"purpose": "loterij", "name": "A", "email": "a@example.org"}
    assert [client.post("/aanmelden/werken-op-afstand", form).status_code for _ in range(3)] == [303, 303, 429]


def settings_in_subprocess(env: dict, code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AFSTAND_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_debug_off_and_secret_from_the_environment():
    code = "from afstand.web.config import settings as s; print(s.DEBUG, len(s.SECRET_KEY))"
    missing = settings_in_subprocess({}, code)
    assert missing.returncode != 0 and "AFSTAND_SECRET_KEY is not set" in missing.stderr
    given = settings_in_subprocess({"AFSTAND_SECRET_KEY": "k" * 60}, code)
    assert given.stdout.split() == ["False", "60"], given.stderr


def test_check_deploy_is_clean(tmp_path):
    env = {
        "AFSTAND_SECRET_KEY": "a-long-random-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "AFSTAND_HTTPS": "1",
        "AFSTAND_ALLOWED_HOSTS": "enquete.example.org",
        "AFSTAND_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "afstand.web.config.settings",
    }
    result = settings_in_subprocess(
        env,
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['django-admin', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
