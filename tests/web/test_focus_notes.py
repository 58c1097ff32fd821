"""Focus-group notes in the web app: upload (txt, docx), split by the guide's themes with tallies,
coded in the same queue as open answers, in the agreement and the report's themes beside the survey."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from afstand.services import coding as coding_store
from afstand.services import studies, submissions
from afstand.web.models import Coding, FocusNote, Membership
from tests.helpers import NOTES

pytestmark = pytest.mark.django_db


def member(client, study, role, name):
    user = User.objects.create_user(name, password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


def test_upload_notes_code_them_and_see_them_in_the_report(client, coded_study):
    analyst = member(client, coded_study, "analyst", "analist")
    page = client.post(
        "/onderzoek/werken-op-afstand/focusgroepen/",
        {"guide": "fg-werkers", "session": "Utrecht 10 maart", "notes": SimpleUploadedFile("verslag.txt", NOTES.encode())},
    )
    assert page.status_code == 302
    notes = {n.theme: n for n in FocusNote.objects.all()}
    assert set(notes) == {"werkalliantie", "risico", "typen"}
    assert notes["werkalliantie"].tallies == {"S1": [5, 2]} and notes["typen"].question == "W2" and "lvb" in notes["typen"].text
    listing = client.get("/onderzoek/werken-op-afstand/focusgroepen/").content.decode()
    assert "Utrecht 10 maart" in listing and "Vertrouwen opbouwen kost meer tijd." in listing
    assert re.search(r"<td>5</td><td>2</td>", listing)  # the statement's thumbs up and down
    # the same session again replaces it; a broken file stores nothing and says why
    client.post(
        "/onderzoek/werken-op-afstand/focusgroepen/",
        {"guide": "fg-werkers", "session": "Utrecht 10 maart", "notes": SimpleUploadedFile("verslag.txt", NOTES.encode())},
    )
    assert FocusNote.objects.count() == 3
    bad = client.post(
        "/onderzoek/werken-op-afstand/focusgroepen/",
        {"guide": "fg-werkers", "session": "Zwolle", "notes": SimpleUploadedFile("verslag.docx", b"not a docx")},
    )
    assert bad.status_code == 400 and "verslag.docx" in bad.content.decode() and FocusNote.objects.count() == 3
    nothing = client.post(
        "/onderzoek/werken-op-afstand/focusgroepen/",
        {"guide": "fg-werkers", "session": "Zwolle", "notes": SimpleUploadedFile("leeg.txt", b"Alleen een groet.")},
    )
    assert nothing.status_code == 400 and FocusNote.objects.count() == 3
    # a docx upload works too
    import docx

    document = docx.Document()
    for line in NOTES.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    assert (
        client.post(
            "/onderzoek/werken-op-afstand/focusgroepen/",
            {"guide": "fg-werkers", "session": "Zwolle", "notes": SimpleUploadedFile("zwolle.docx", buffer.getvalue())},
        ).status_code
        == 302
    )
    assert FocusNote.objects.filter(session="Zwolle").count() == 3

    # the notes are in the coding queue of their question: the W2 theme beside the survey answers, FG on its own
    overview = client.get("/onderzoek/werken-op-afstand/coderen/").content.decode()
    assert 'href="/onderzoek/werken-op-afstand/coderen/FG/"' in overview
    note = FocusNote.objects.get(session="Utrecht 10 maart", theme="typen")  # the re-upload replaced the first notes
    assert not FocusNote.objects.filter(pk=notes["typen"].pk).exists()
    queue = client.get(f"/onderzoek/werken-op-afstand/coderen/W2/?antwoord={note.public_id}").content.decode()
    assert "lvb" in queue and "Focusgroep" in queue
    start = note.text.index("lvb")
    client.post(
        "/onderzoek/werken-op-afstand/coderen/W2/",
        {"response": note.public_id, "action": "code", "code": "gebrek_vaardigheden", "start": str(start), "end": str(start + 3)},
    )
    [coding] = Coding.objects.filter(note=note)
    assert (coding.start, coding.end, coding.code, coding.response) == (start, start + 3, "gebrek_vaardigheden", None)
    frequencies = client.get("/onderzoek/werken-op-afstand/coderen/W2/frequenties/").content.decode()
    assert re.search(r'id="freq-gebrek_vaardigheden">.*?<td class="n">1<', frequencies, re.S)
    fg = FocusNote.objects.get(session="Zwolle", theme="werkalliantie")
    assert (
        client.post(
            "/onderzoek/werken-op-afstand/coderen/FG/", {"response": fg.public_id, "action": "code", "code": "taakgericht"}
        ).status_code
        == 302
    )
    lines = [json.loads(line) for line in coding_store.answer_lines("werken-op-afstand")]
    noted = {line["id"]: line for line in lines if line.get("kind") == "note"}
    assert noted[f"W2:{note.public_id}"]["codes"] == ["gebrek_vaardigheden"] and noted[f"FG:{fg.public_id}"]["codes"] == ["taakgericht"]
    # coders may read and code notes but not upload them
    member(client, coded_study, "coder", "codeur")
    assert (
        client.post(
            "/onderzoek/werken-op-afstand/focusgroepen/",
            {"guide": "fg-werkers", "session": "X", "notes": SimpleUploadedFile("x.txt", NOTES.encode())},
        ).status_code
        == 403
    )
    assert client.get("/onderzoek/werken-op-afstand/focusgroepen/").status_code == 200
    assert analyst.username == "analist"


def test_report_shows_focus_group_counts_beside_the_survey(client, coded_study, study_files):
    import csv
    import uuid

    user = member(client, coded_study, "owner", "eigenaar")
    version = studies.active_version(coded_study.slug, "clienten")
    with study_files["clienten"].open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") == "ja":
                submissions.submit(version, uuid.uuid4(), answers)
    coding_store.import_notes(coded_study, "fg-werkers", "Utrecht", "verslag.txt", NOTES.encode())
    note = FocusNote.objects.get(theme="typen")
    coding_store.apply(coded_study, "W2", note, 0, len(note.text), "gebrek_vaardigheden", user)
    response, text = next((r, t) for r, t in coding_store.answers("werken-op-afstand", "W2") if not isinstance(r, FocusNote))
    coding_store.apply(coded_study, "W2", response, 0, len(text), "gebrek_vaardigheden", user)
    html = client.get("/onderzoek/werken-op-afstand/rapport.html").content.decode()
    section = html[html.index("Gebrek aan vaardigheden") :][:600]
    assert "Focusgroepen" in html and re.search(r"<td[^>]*>1</td>", section)
