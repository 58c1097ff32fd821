"""Coding open answers per wave and for the whole study: the coder picks the wave, codings carry
the wave of their answer, the downloads (coded JSONL, REFI-QDA) can be of one wave, the codebook
is shared by the waves, and the statistics (frequencies, agreement) are per wave or for all."""

from __future__ import annotations

import csv
import json
import re
import textwrap
import uuid

import pytest
from django.contrib.auth.models import User

from afstand.coding.refi_import import read_qdpx
from afstand.services import coding as coding_store
from afstand.services import studies, submissions, waves
from afstand.web.models import Coding, Membership, Response, UploadedCodebook
from tests.helpers import MINI_FORM

pytestmark = pytest.mark.django_db
PASSWORD = "Een-lang-wachtwoord-42"
QUEUE = "/onderzoek/werken-op-afstand/coderen/W1/"


def member(client, study, name: str, role: str) -> User:
    user = User.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, study=study, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def two_waves(coded_study, demo_data):
    """The coded demo study (60 workers in wave 2021) with a wave 2022 holding the next 60."""
    waves.create_wave(coded_study, "2022")
    version = studies.active_version(coded_study.slug, "werkers")
    assert version.wave.label == "2022"
    with demo_data["werkers"].open(encoding="utf-8") as handle:
        for row in list(csv.DictReader(handle))[60:120]:
            answers = {k: v for k, v in row.items() if v and k != "response_id"}
            if answers.get("consent") == "ja":
                assert submissions.submit(version, uuid.uuid4(), answers).status == 201
    return coded_study


def shown_answer(page) -> str:
    return re.search(r'name="response" value="([0-9a-f]+)"', page.content.decode()).group(1)


def test_a_coder_codes_one_wave_and_the_statistics_follow_the_wave(client, two_waves):
    per_wave = {label: {u.public_id for u, _ in coding_store.answers(two_waves.slug, "W1", label)} for label in ("2021", "2022")}
    everything = {u.public_id for u, _ in coding_store.answers(two_waves.slug, "W1")}
    assert per_wave["2021"] and per_wave["2022"] and not per_wave["2021"] & per_wave["2022"]
    assert everything == per_wave["2021"] | per_wave["2022"]
    anna = member(client, two_waves, "anna", "coder")
    overview = client.get("/onderzoek/werken-op-afstand/coderen/?meting=2022").content.decode()
    assert 'aria-current="page">2022<' in overview and f"<td>{len(per_wave['2022'])}</td>" in overview
    assert 'href="/onderzoek/werken-op-afstand/coderen/W1/?meting=2022"' in overview
    assert f"<td>{len(everything)}</td>" in client.get("/onderzoek/werken-op-afstand/coderen/").content.decode()
    assert client.get("/onderzoek/werken-op-afstand/coderen/?meting=1999").status_code == 404

    first = client.get(QUEUE + "?meting=2022")
    public_id = shown_answer(first)
    assert public_id in per_wave["2022"]
    assert f"0 van {len(per_wave['2022'])} antwoorden" in first.content.decode()  # the count is the wave's
    coded = client.post(QUEUE + "?meting=2022", {"response": public_id, "action": "code", "code": "motivatie"})
    assert coded.status_code == 302 and coded["Location"].endswith(f"?antwoord={public_id}&meting=2022")
    done = client.post(QUEUE + "?meting=2022", {"response": public_id, "action": "done"})
    assert done["Location"] == QUEUE + "?meting=2022"  # the queue moves on within the wave
    assert shown_answer(client.get(done["Location"])) in per_wave["2022"]
    other = sorted(per_wave["2021"])[0]
    assert client.post(QUEUE + "?meting=2022", {"response": other, "action": "code", "code": "motivatie"}).status_code == 404
    for public_id_2021 in sorted(per_wave["2021"])[:2]:
        assert (
            client.post(QUEUE + "?meting=2021", {"response": public_id_2021, "action": "code", "code": "vaardigheden"}).status_code == 302
        )
    # a coding carries the wave of its answer
    assert sorted(
        c.response.instrument_version.wave.label for c in Coding.objects.select_related("response__instrument_version__wave")
    ) == [
        "2021",
        "2021",
        "2022",
    ]

    # frequencies per wave and for all
    def row(wave_query: str, code: str) -> int:
        html = client.get(QUEUE + "frequenties/" + wave_query).content.decode()
        return int(re.search(rf'id="freq-{code}">.*?<td class="n">(\d+)<', html, re.S).group(1))

    assert (row("?meting=2022", "motivatie"), row("?meting=2022", "vaardigheden")) == (1, 0)
    assert (row("?meting=2021", "motivatie"), row("?meting=2021", "vaardigheden")) == (0, 2)
    assert (row("", "motivatie"), row("", "vaardigheden")) == (1, 2)
    browse = client.get(QUEUE + "alle/?meting=2021").content.decode()
    assert other in browse and public_id not in browse
    assert "meting 2022" in client.get(QUEUE + "alle/").content.decode()  # every wave: each answer names its wave
    # agreement per wave: a second coder codes the 2022 answer only
    bert = member(client, two_waves, "bert", "coder")
    client.post(QUEUE + "?meting=2022", {"response": public_id, "action": "code", "code": "motivatie"})
    client.post(QUEUE + "?meting=2022", {"response": public_id, "action": "done"})
    assert coding_store.agreement(two_waves.slug, "W1", "2022")["units"] == [public_id]
    assert coding_store.agreement(two_waves.slug, "W1", "2021")["units"] == []
    page = client.get(QUEUE + "overeenstemming/?meting=2022").content.decode()
    assert "Vergeleken op 1 antwoord" in page and 'id="units">' + public_id in page
    assert "Vergeleken op 0 antwoorden" in client.get(QUEUE + "overeenstemming/?meting=2021").content.decode()
    assert anna and bert


def test_downloads_of_one_wave_name_their_wave(client, two_waves):
    owner = member(client, two_waves, "eigenaar", "owner")
    chosen = {}
    for label, code in (("2021", "vaardigheden"), ("2022", "motivatie")):
        unit, text = coding_store.answers(two_waves.slug, "W1", label)[0]
        coding_store.apply(two_waves, "W1", unit, 0, len(text), code, owner)
        chosen[label] = unit.public_id
    one = client.get("/onderzoek/werken-op-afstand/coderen/gecodeerd.jsonl?meting=2022")
    assert one.status_code == 200 and one["Content-Disposition"] == 'attachment; filename="werken-op-afstand-gecodeerd-2022.jsonl"'
    lines = [json.loads(line) for line in one.content.decode().splitlines()]
    assert [(r["id"], r["wave"], r["codes"]) for r in lines] == [(f"W1:{chosen['2022']}", "2022", ["motivatie"])]
    every = [json.loads(line) for line in client.get("/onderzoek/werken-op-afstand/coderen/gecodeerd.jsonl").content.decode().splitlines()]
    assert sorted((r["wave"], r["codes"][0]) for r in every) == [("2021", "vaardigheden"), ("2022", "motivatie")]
    download = client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx?meting=2021")
    assert download.status_code == 200 and download["Content-Disposition"] == 'attachment; filename="werken-op-afstand-2021.qdpx"'
    project = read_qdpx(download.content, "2021.qdpx")
    survey = [s for s in project.sources.values() if s.kind == "answer"]
    assert survey and {s.wave for s in survey} == {"2021"} and chosen["2021"] in project.sources and chosen["2022"] not in project.sources
    assert [(c.source, c.code) for c in project.codings] == [(chosen["2021"], "vaardigheden")]
    full = read_qdpx(client.get("/onderzoek/werken-op-afstand/coderen/project.qdpx").content, "all.qdpx")
    assert {full.sources[chosen[w]].wave for w in chosen} == {"2021", "2022"} and len(full.codings) == 2
    assert client.get("/onderzoek/werken-op-afstand/coderen/gecodeerd.jsonl?meting=1999").status_code == 404
    member(client, two_waves, "codeur", "coder")
    assert client.get("/onderzoek/werken-op-afstand/coderen/gecodeerd.jsonl").status_code == 403  # an export: owners and analysts
    assert Response.objects.count() > 60


CODEBOOK = "question,code,label_nl\nwhy,tijd,Tijd\nwhy,geld,Geld\n"


def test_the_codebook_is_shared_by_the_waves_and_a_new_code_keeps_the_old_codings(client):
    study, (version,) = studies.create_study(
        "mini-studie", "Mini", [studies.Form("mini", "mini.md", (textwrap.dedent(MINI_FORM).strip() + "\n").encode())]
    )
    owner = member(client, study, "eigenaar", "owner")

    def upload(content: str):
        return client.post("/onderzoek/mini-studie/codeboek/", {"codebook": _file(content)})

    assert upload(CODEBOOK).status_code == 302
    assert submissions.submit(version, uuid.uuid4(), {"consent": "ja", "why": "Geen tijd om te reizen"}).status == 201
    ((unit, text),) = coding_store.answers("mini-studie", "why")
    first_wave = unit.instrument_version.wave.label
    coding_store.apply(study, "why", unit, 0, len(text), "tijd", owner)
    waves.create_wave(study, "volgende")
    new = studies.active_version("mini-studie", "mini")
    assert new.wave.label == "volgende"
    assert submissions.submit(new, uuid.uuid4(), {"consent": "ja", "why": "Het scheelt reiskosten en de sfeer is anders"}).status == 201
    # the new wave codes with the same codebook
    page = client.get("/onderzoek/mini-studie/coderen/why/?meting=volgende").content.decode()
    assert 'value="tijd"' in page and 'value="geld"' in page and "reiskosten" in page
    # a code added in the new wave: accepted; applied there; the first wave's coding is untouched
    assert upload(CODEBOOK + "why,sfeer,Sfeer\n").status_code == 302
    ((later, later_text),) = coding_store.answers("mini-studie", "why", "volgende")
    coding_store.apply(study, "why", later, 0, len(later_text), "sfeer", owner)
    first = [
        json.loads(line)
        for line in client.get(f"/onderzoek/mini-studie/coderen/gecodeerd.jsonl?meting={first_wave}").content.decode().splitlines()
    ]
    assert [(r["codes"], r["wave"]) for r in first] == [(["tijd"], first_wave)]
    project = read_qdpx(client.get(f"/onderzoek/mini-studie/coderen/project.qdpx?meting={first_wave}").content, "first.qdpx")
    assert [(c.code, c.coder) for c in project.codings] == [("tijd", "eigenaar")] and not project.skipped
    # dropping a code in use would break a wave's codings: refused, the codebook stays as it was
    refused = upload("question,code,label_nl\nwhy,geld,Geld\nwhy,sfeer,Sfeer\n")
    assert refused.status_code == 400 and "why/tijd" in refused.content.decode()
    assert "why,tijd," in UploadedCodebook.objects.get(study=study).content


def _file(content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("codeboek.csv", content.encode("utf-8"), content_type="text/csv")
