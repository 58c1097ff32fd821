"""The study's coding as a REFI-QDA project from the web app: what was coded comes back on import."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from afstand.coding.refi_import import read_qdpx
from afstand.web.models import Membership, Response

pytestmark = pytest.mark.django_db


def _code_one_answer(client, study) -> str:
    """A coder codes one answer to W1 as 'weerstand' (the client stays logged in as the coder); its public id."""
    coder = User.objects.create_user("codeur", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=coder, study=study, role="coder")
    client.force_login(coder)
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/").content.decode()
    public_id = re.search(r'name="response" value="([0-9a-f]+)"', page).group(1)
    client.post(
        "/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "weerstand", "start": "0", "end": "5"}
    )
    return public_id


def test_coded_answers_download_as_qdpx_and_read_back(client, coded_study):
    public_id = _code_one_answer(client, coded_study)
    assert client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx").status_code == 403  # an export: owners and analysts
    owner = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42", is_staff=True)
    Membership.objects.create(user=owner, study=coded_study, role="owner")
    client.force_login(owner)
    assert "project.qdpx" in client.get("/onderzoek/werken-op-afstand/coderen/").content.decode()
    download = client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.qdpx"')
    project = read_qdpx(download.content, "download.qdpx")
    [coding] = project.codings
    assert (coding.source, coding.start, coding.end, coding.code, coding.coder) == (public_id, 0, 5, "weerstand", "codeur")
    text = Response.objects.get(public_id=public_id).answers["w_open_types_good"]
    assert project.sources[public_id].text == text.strip() and project.sources[public_id].question == "W1"
    assert {c.question for c in project.codebook.codes} >= {"W1", "W2"}


def test_coding_made_elsewhere_comes_back(client, coded_study):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from afstand.web.models import Coding

    coder = User.objects.create_user("codeur", password="Een-lang-wachtwoord-42")
    Membership.objects.create(user=coder, study=coded_study, role="coder")
    client.force_login(coder)
    page = client.get("/onderzoek/werken-op-afstand/coderen/W1/").content.decode()
    public_id = re.search(r'name="response" value="([0-9a-f]+)"', page).group(1)
    client.post(
        "/onderzoek/werken-op-afstand/coderen/W1/", {"response": public_id, "action": "code", "code": "weerstand", "start": "0", "end": "5"}
    )
    owner = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42", is_staff=True)
    Membership.objects.create(user=owner, study=coded_study, role="owner")
    client.force_login(owner)
    data = client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx").content
    Coding.objects.all().delete()
    # another tool re-saves the project without afstand's own member: codes are found by GUID
    resaved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(resaved, "w") as target:
        for name in source.namelist():
            if not name.startswith("afstand/"):
                target.writestr(name, source.read(name))
    url = "/onderzoek/werken-op-afstand/coderen/importeren/"
    done = client.post(url, {"project": SimpleUploadedFile("terug.qdpx", resaved.getvalue())})
    assert done.status_code == 200 and "1 coderingen gelezen, 1 daarvan nieuw." in done.content.decode()
    assert list(Coding.objects.values_list("response__public_id", "start", "end", "code", "coder__username")) == [
        (public_id, 0, 5, "weerstand", "codeur")
    ]
    again = client.post(url, {"project": SimpleUploadedFile("terug.qdpx", resaved.getvalue())})
    assert again.status_code == 200 and Coding.objects.count() == 1  # nothing twice
    # a coder who is not in the study: the whole file is refused
    with zipfile.ZipFile(io.BytesIO(resaved.getvalue())) as source:
        xml = source.read("project.qde").replace(b'name="codeur"', b'name="vreemde"')
        files = {n: source.read(n) for n in source.namelist() if n != "project.qde"}
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as target:
        target.writestr("project.qde", xml)
        for name, content in files.items():
            target.writestr(name, content)
    Coding.objects.all().delete()
    refused = client.post(url, {"project": SimpleUploadedFile("vreemd.qdpx", bad.getvalue())})
    assert refused.status_code == 400 and "vreemde" in refused.content.decode() and Coding.objects.count() == 0
    client.force_login(coder)
    assert client.post(url, {"project": SimpleUploadedFile("terug.qdpx", resaved.getvalue())}).status_code == 403


def test_a_code_the_codebook_lacks_refuses_the_whole_import(client, coded_study):
    """A code added in another tool (unknown GUID, new name): not in the study's codebook, so the
    upload is refused with a 400 that names the code and its question; nothing is stored."""
    import io
    import uuid
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from afstand.coding.refi import guid as afstand_guid
    from afstand.web.models import Coding

    _code_one_answer(client, coded_study)
    owner = User.objects.create_user("eigenaar", password="Een-lang-wachtwoord-42", is_staff=True)
    Membership.objects.create(user=owner, study=coded_study, role="owner")
    client.force_login(owner)
    data = client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx").content
    Coding.objects.all().delete()
    guid = afstand_guid("code", "W1", "weerstand").encode()
    bad = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(bad, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "project.qde":
                assert guid in content
                content = content.replace(guid, str(uuid.uuid4()).encode())
                label = 'name="Cliënten in weerstand"'.encode()  # the codebook's label of W1/weerstand
                assert label in content
                content = content.replace(label, b'name="Nieuw thema"')
            if not name.startswith("afstand/"):
                target.writestr(name, content)
    refused = client.post("/onderzoek/werken-op-afstand/coderen/importeren/", {"project": SimpleUploadedFile("nieuw.qdpx", bad.getvalue())})
    page = refused.content.decode()
    assert refused.status_code == 400 and "is not in the codebook of question W1" in page, page[-2000:]
    assert Coding.objects.count() == 0
