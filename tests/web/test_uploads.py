"""Bounded parsing of uploads (issue 13, item 2): zip bombs and slow files get a clear 400 within
5 s, and respondents' submissions keep their normal latency meanwhile."""

from __future__ import annotations

import io
import os
import re
import statistics
import subprocess
import threading
import time
import uuid
import zipfile

import openpyxl
import pytest

from afstand.bounded import ParseLimit, check_zip, run_bounded
from afstand.errors import AfstandError
from tests.web import live

ANSWERS = {
    "consent": "ja",
    "c_gender": "man",
    "c_age": "41",
    "c_contact_years": "1.5",
    "c_contact_type": "toezicht",
    "c_contact_freq": "paar_per_maand",
    "c_social_whatsapp": "dagelijks",
    "c_wa_beveiligd": "eens",
    "c_wa_f2f_nodig": "deels",
}

PASSWORD = "Een-lang-wachtwoord-42"


def xlsx_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """A small .xlsx whose first sheet unpacks to ``size`` bytes (the probe's 4 MB → 1.2 GB file, scaled)."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "survey"
    workbook.active.append(["type", "name", "label"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                with target.open(info.filename, "w", force_zip64=True) as member:
                    member.write(head)
                    block = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20000
                    for _ in range(size // len(block)):
                        member.write(block)
                    member.write(b"</sheetData>" + tail)
            else:
                target.writestr(info, data)
    return out.getvalue()


def docx_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        with target.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b"<w:document>")
            for _ in range(200):
                member.write(b" " * (1024 * 1024))
            member.write(b"</w:document>")
    return out.getvalue()


# the building blocks ------------------------------------------------------------------------


def test_check_zip_refuses_bombs_and_passes_ordinary_files():
    with pytest.raises(ParseLimit, match="notes.docx"):
        check_zip(docx_bomb(), "notes.docx")
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_zip(buffer.getvalue(), "ordinary.xlsx")  # no error
    check_zip(b"| survey |\n", "form.md")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as target:
        for i in range(30):
            target.writestr(f"part{i}", "x")
    with pytest.raises(ParseLimit, match="too many parts"):
        check_zip(many.getvalue(), "many.zip", max_members=20)


def _spin():
    while True:
        pass


def _grow():
    hog = []
    while True:
        hog.append(bytearray(64 * 1024 * 1024))


def _fail():
    raise AfstandError("form.md: row 3: bad")


def test_run_bounded_limits_time_memory_and_passes_results_and_errors():
    started = time.monotonic()
    with pytest.raises(ParseLimit, match="slow.xlsx"):
        run_bounded(_spin, label="slow.xlsx", timeout=1.5, cpu_seconds=1)
    assert time.monotonic() - started < 4
    with pytest.raises(ParseLimit, match="memory|limits"):
        run_bounded(_grow, label="big.docx", timeout=10, memory=256 * 1024 * 1024)
    with pytest.raises(AfstandError, match="row 3: bad"):
        run_bounded(_fail)
    assert run_bounded(sorted, [3, 1, 2]) == [1, 2, 3]


# through the web, against a real server -------------------------------------------------------


def _login(port: int) -> dict:
    c = live.Client(port)
    _, page, headers = c.request("GET", "/onderzoek/inloggen/")
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = f"username=anna&password={PASSWORD}&csrfmiddlewaretoken={token}".encode()
    status, _, headers = c.request(
        "POST",
        "/onderzoek/inloggen/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}", "Referer": f"http://127.0.0.1:{port}/"},
    )
    assert status == 302, status
    session = re.search(r"sessionid=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    return {"Cookie": f"csrftoken={csrf}; sessionid={session}", "Referer": f"http://127.0.0.1:{port}/", "X-CSRFToken": csrf}


def _upload(port: int, auth: dict, fields: dict, filename: str, content: bytes, path: str = "/onderzoek/nieuw/") -> tuple[int, str, float]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="xlsform"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    started = time.monotonic()
    status, page, _ = live.Client(port, timeout=60).request(
        "POST", path, body, {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    return status, page.decode("utf-8", "replace"), time.monotonic() - started


def test_an_xlsx_bomb_gets_a_400_within_5_s_while_submissions_go_on(tmp_path, server_db):
    bomb = xlsx_bomb()
    assert len(bomb) < 5 * 1024 * 1024
    process = live.start(server_db, tmp_path, pipe=False)
    port = process.port
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the socket listens before the server has migrated: wait for an answer
            try:
                if live.Client(port, timeout=30).request("GET", "/onderzoek/inloggen/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        env = {**live.server_env(tmp_path), "AFSTAND_PASSWORD": PASSWORD}
        made = subprocess.run(
            [live.EXE, "createuser", "--username", "anna", "--role", "owner", "--staff", "--db", server_db],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
        auth = _login(port)
        latencies: list[float] = []
        statuses: list[int] = []
        stop = threading.Event()

        def respondent():
            c = live.Client(port, timeout=30)
            while not stop.is_set():
                started = time.monotonic()
                status, _ = c.submit("clienten", {"instance_id": str(uuid.uuid4()), "answers": ANSWERS})
                latencies.append(time.monotonic() - started)
                statuses.append(status)

        worker = threading.Thread(target=respondent)
        worker.start()
        deadline = time.monotonic() + 30
        while len(latencies) < 20 and time.monotonic() < deadline and worker.is_alive():
            time.sleep(0.1)
        assert len(latencies) >= 20, (len(latencies), statuses[-5:])
        before = len(latencies)
        baseline = statistics.median(latencies)
        fields = {"title": "Bom", "slug": "bom", "instrument": "bom"}
        status, page, took = _upload(port, auth, fields, "bom.xlsx", bomb)
        waited = time.monotonic() + 10  # a refusal faster than one submission: take the next one too
        while len(latencies) <= before and time.monotonic() < waited and worker.is_alive():
            time.sleep(0.05)
        during = latencies[before:]
        stop.set()
        worker.join(timeout=30)
        assert status == 400 and took < 5, (status, took)
        assert "bom.xlsx" in page and ("MB" in page or "zip" in page)
        assert set(statuses) == {201}
        assert during and max(during) < max(1.0, 20 * baseline), (baseline, max(during))
        # a file that passes the zip checks but is slow to parse is cut off by the child's limits
        slow = ("| survey |\n| | type | name | label |\n" + "".join(f"| | integer | q{i} | Vraag {i} |\n" for i in range(6000))).encode()
        status, page, took = _upload(port, auth, {**fields, "slug": "traag"}, "traag.md", slow)
        assert status in (302, 400) and took < 8, (status, took)
    finally:
        live.stop(process)


def test_a_docx_bomb_in_focus_notes_gets_a_400(client, db, settings):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from afstand.services import coding as coding_store
    from afstand.services import studies
    from afstand.web.models import FocusNote, Membership

    study = studies.load_demo()
    user = User.objects.create_user("anna", password=PASSWORD)
    Membership.objects.create(user=user, study=study, role="owner")
    client.force_login(user)
    guide = next(iter(coding_store.guides(study.slug)))
    bomb = docx_bomb()
    assert client.get(f"/onderzoek/{study.slug}/focusgroepen/").status_code == 200  # the study folder is read once per process
    started = time.monotonic()
    response = client.post(
        f"/onderzoek/{study.slug}/focusgroepen/", {"guide": guide, "session": "Utrecht", "notes": SimpleUploadedFile("notes.docx", bomb)}
    )
    assert response.status_code == 400 and time.monotonic() - started < 5
    assert "notes.docx" in response.content.decode() and not FocusNote.objects.exists()


@pytest.fixture(autouse=True)
def _no_leftover_children():
    yield
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
