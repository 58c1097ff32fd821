"""REFI-QDA: exported .qdpx validates against the XSD and round-trips; imports of real files; bad files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import xmlschema

from afstand.coding.refi import write_qdc, write_qdpx
from afstand.coding.refi_import import inspect, read_qdc, read_qdpx
from afstand.errors import DataError
from tests.conftest import run_cli
from tests.helpers import make_qdpx, sample_project

XSD = Path(__file__).with_name("Project-mrt2019.xsd")  # the REFI-QDA standard's schema (MIT), copied as test data
SHARED = Path(__file__).resolve().parents[3] / "shared" / "refi-qda"


def test_export_validates_against_the_refi_qda_schema():
    buffer = io.BytesIO()
    write_qdpx(sample_project(), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
        # afstand's code ids travel beside the project (afstand/codes.json), never inside it
        assert "project.qde" in names and all(n in ("project.qde", "afstand/codes.json") or n.startswith("sources/") for n in names)
        texts = [archive.read(n).decode("utf-8") for n in names if n.startswith("sources/")]
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode("utf-8"))
    assert b'xmlns="urn:QDA-XML:project:1.0"' in xml and b'isCodable="false"' in xml and b"PlainTextSelection" in xml
    assert "Cliënten met angst 😟 voelen zich thuis veiliger.\r\nEn autisme ook." in texts


def test_round_trip_is_exact():
    project = sample_project()
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    again = read_qdpx(buffer.getvalue())
    assert again.codebook.codes == project.codebook.codes
    assert again.sources == project.sources
    assert sorted(again.codings, key=repr) == sorted(project.codings, key=repr)
    assert sorted(again.memos, key=repr) == sorted(project.memos, key=repr)
    assert again.coders == ["ann", "bob"]
    assert inspect_bytes(buffer.getvalue()) == {"codes": 3, "sources": 3, "selections": 3, "codings": 4, "users": 2}


def inspect_bytes(data: bytes) -> dict:
    project = read_qdpx(data)
    return {
        "codes": len(project.codebook.codes),
        "sources": len(project.sources),
        "selections": len({(c.source, c.start, c.end) for c in project.codings}),
        "codings": len(project.codings),
        "users": len(project.coders),
    }


def test_codebook_qdc_round_trip():
    book = sample_project().codebook
    buffer = io.BytesIO()
    write_qdc(book, buffer)
    assert b"urn:QDA-XML:codebook:1.0" in buffer.getvalue() and b"[afstand:" not in buffer.getvalue()
    # read into the study that has the codebook: ids, keywords and examples recovered by GUID
    assert read_qdc(buffer.getvalue(), known=book).codes == book.codes
    # read anywhere else: labels, descriptions, colours and hierarchy kept, ids from the names
    plain = read_qdc(buffer.getvalue()).codes
    assert [(c.question, c.label, c.description, c.colour) for c in plain] == [
        (c.question, c.label, c.description, c.colour) for c in book.codes
    ]
    assert plain[1].parent == plain[0].id


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/refi-qda is not present")
def test_import_atlas_ti_and_nvivo_files():
    atlas = read_qdpx(SHARED / "atlas-ti-23-sample.qdpx")
    assert [c.label for c in atlas.codebook.codes] == ["Commits", "2022-05-10T02:05:59Z 19e4dce", "2022-02-11T10:39:25Z cdbfd92"]
    assert atlas.codebook.codes[1].parent == atlas.codebook.codes[0].id and len(atlas.users) == 2
    nvivo = read_qdpx(SHARED / "nvivo-mac-15-sample.qdpx")
    assert len(nvivo.codebook.codes) == 262 and len(nvivo.sources) == 2 and all(s.text for s in nvivo.sources.values())
    assert inspect(SHARED / "nvivo-mac-15-sample.qdpx")["codes"] == 262


HAND_MADE = """<?xml version="1.0" encoding="utf-8"?>\r
<Project xmlns="urn:QDA-XML:project:1:0" name="handmade" origin="MAXQDA 2022">\r
 <Users><User guid="{AAAAAAAA-1111-2222-3333-444444444444}" name="Marieke"/></Users>\r
 <CodeBook><Codes>\r
  <Code guid="BBBBBBBB-1111-2222-3333-444444444444" name="Werkalliantie" isCodable="true" color="#FF0000">\r
   <Code guid="CCCCCCCC-1111-2222-3333-444444444444" name="Vertrouwen" isCodable="true"/>\r
  </Code>\r
 </Codes></CodeBook>\r
 <Sources>\r
  <TextSource guid="DDDDDDDD-1111-2222-3333-444444444444" name="Interview 1" plainTextPath="Interview 1.txt">\r
   <PlainTextSelection guid="EEEEEEEE-1111-2222-3333-444444444444" startPosition="4" endPosition="14" creatingUser="AAAAAAAA-1111-2222-3333-444444444444">\r
    <Coding guid="FFFFFFFF-1111-2222-3333-444444444444"><CodeRef targetGUID="cccccccc-1111-2222-3333-444444444444"/></Coding>\r
   </PlainTextSelection>\r
  </TextSource>\r
 </Sources>\r
</Project>"""


def test_import_hand_made_maxqda_style_file():
    data = make_qdpx(HAND_MADE, {"Sources/Interview 1.txt": "\ufeffHet vertrouwen groeit langzaam.\r\n".encode("utf-8")})
    project = read_qdpx(data)
    [coding] = project.codings
    assert project.text_of(coding) == "vertrouwen" and coding.coder == "Marieke"
    assert project.codebook.get("qda", coding.code).label == "Vertrouwen"
    assert project.codebook.get("qda", coding.code).parent == "werkalliantie"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not a zip", "not a zip archive"),
        (make_qdpx("<Project", {}), "not well-formed XML"),
        (make_qdpx('<Other xmlns="urn:QDA-XML:project:1.0"/>', {}), "root element is <Other>"),
        (make_qdpx(HAND_MADE, {}), "missing from the archive"),
        (
            make_qdpx(HAND_MADE.replace('endPosition="14"', 'endPosition="400"'), {"Sources/Interview 1.txt": b"Het vertrouwen."}),
            "outside its text",
        ),
    ],
)
def test_malformed_files_give_a_clear_error(data, message):
    with pytest.raises(DataError, match=message):
        read_qdpx(data)


def test_cli_export_import_inspect(tmp_path, open_answers, study):
    from afstand.coding.codebook import write_codebook

    codebook = tmp_path / "codebook.csv"
    with codebook.open("w", encoding="utf-8") as handle:
        write_codebook(study.codebook(), handle)
    lines = open_answers.read_text(encoding="utf-8").splitlines()[:40]
    coded = tmp_path / "coded.jsonl"
    coded.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "project.qdpx"
    assert run_cli("code", "export", "--codebook", str(codebook), "--codings", f"lector={coded}", "--out", str(out)).returncode == 0
    result = run_cli("code", "inspect", str(out), "--json")
    counts = json.loads(result.stdout)
    expected_codings = sum(len(json.loads(line)["codes"]) for line in lines)
    assert counts == {
        "codes": len(study.codebook().codes),
        "sources": 40,
        "selections": expected_codings and counts["selections"],
        "codings": expected_codings,
        "users": 1,
    }
    back = run_cli("code", "import", str(out), "--codebook-out", str(tmp_path / "cb.csv"), "--codings-out", str(tmp_path / "back.jsonl"))
    assert back.returncode == 0, back.stderr
    again = {
        json.loads(line)["id"]: sorted(json.loads(line)["codes"])
        for line in (tmp_path / "back.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert again == {json.loads(line)["id"]: sorted(json.loads(line)["codes"]) for line in lines}
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 broken")
    bad = run_cli("code", "inspect", str(broken), "--json")
    assert bad.returncode == 2 and "not a zip archive" in bad.stderr and not bad.stdout
