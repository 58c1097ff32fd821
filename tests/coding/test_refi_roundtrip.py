"""REFI-QDA round trip: import, export, re-import keeps GUIDs, users, dates, sources, hierarchy and codings,
and adds nothing (no heading code of afstand's, no text in descriptions)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from afstand.coding.refi import write_qdpx
from afstand.coding.refi_import import read_qdpx

SHARED = Path(__file__).resolve().parents[3] / "shared" / "refi-qda"
NS = "{urn:QDA-XML:project:1.0}"

FIXTURE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="fixture" origin="MAXQDA 2022" creatingUserGUID="AAAAAAAA-1111-2222-3333-444444444444"
 creationDateTime="2023-01-02T03:04:05Z" modifiedDateTime="2023-02-03T04:05:06Z">
 <Users>
  <User guid="AAAAAAAA-1111-2222-3333-444444444444" name="Marieke" id="MV"/>
  <User guid="AAAAAAAA-1111-2222-3333-555555555555" name="Joost"/>
  <User guid="AAAAAAAA-1111-2222-3333-666666666666" name="Niemand"/>
 </Users>
 <CodeBook><Codes>
  <Code guid="BBBBBBBB-1111-2222-3333-444444444444" name="Thema's" isCodable="false">
   <Description>Kopje, niet om te coderen.</Description>
   <Code guid="CCCCCCCC-1111-2222-3333-444444444444" name="Vertrouwen" isCodable="true" color="#FF0000">
    <Description>Alles over vertrouwen.
Twee regels.</Description>
    <Code guid="DDDDDDDD-1111-2222-3333-444444444444" name="Wantrouwen" isCodable="true"/>
   </Code>
  </Code>
  <Code guid="EEEEEEEE-1111-2222-3333-444444444444" name="Vertrouwen" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="FFFFFFFF-1111-2222-3333-444444444444" name="Interview 1" plainTextPath="internal://FFFFFFFF-1111-2222-3333-444444444444.txt"
   richTextPath="internal://FFFFFFFF-1111-2222-3333-444444444444.docx" creatingUser="AAAAAAAA-1111-2222-3333-444444444444"
   creationDateTime="2023-01-05T10:00:00Z">
   <PlainTextSelection guid="99999999-1111-2222-3333-444444444444" name="vertrouwen" startPosition="4" endPosition="14"
    creatingUser="AAAAAAAA-1111-2222-3333-444444444444" creationDateTime="2023-01-06T10:00:00Z">
    <Coding guid="88888888-1111-2222-3333-444444444444" creatingUser="AAAAAAAA-1111-2222-3333-444444444444" creationDateTime="2023-01-06T10:00:01Z">
     <CodeRef targetGUID="CCCCCCCC-1111-2222-3333-444444444444"/></Coding>
    <Coding guid="77777777-1111-2222-3333-444444444444" creatingUser="AAAAAAAA-1111-2222-3333-555555555555" creationDateTime="2023-01-07T10:00:01Z">
     <CodeRef targetGUID="EEEEEEEE-1111-2222-3333-444444444444"/></Coding>
    <NoteRef targetGUID="66666666-1111-2222-3333-444444444444"/>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes>
  <Note guid="66666666-1111-2222-3333-444444444444" name="memo" creatingUser="AAAAAAAA-1111-2222-3333-555555555555" creationDateTime="2023-01-08T10:00:00Z">
   <PlainTextContent>Twijfel.</PlainTextContent></Note>
 </Notes>
</Project>"""


def fixture_qdpx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", FIXTURE.encode("utf-8"))
        archive.writestr("sources/FFFFFFFF-1111-2222-3333-444444444444.txt", b"Het vertrouwen groeit langzaam.")
        archive.writestr("sources/FFFFFFFF-1111-2222-3333-444444444444.docx", b"PK\x03\x04 rich text kept as it came")
    return buffer.getvalue()


def _files():
    files = {"fixture": fixture_qdpx()}
    for path in sorted(SHARED.glob("*.qdpx")) if SHARED.is_dir() else []:
        files[path.name] = path.read_bytes()
    return files


def _xml(data: bytes) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        return ET.fromstring(archive.read(name).lstrip(b"\xef\xbb\xbf"))


def _codes(root: ET.Element) -> list[tuple]:
    """(guid, parent guid, name, codable, colour, description) of every code, in document order."""
    out = []

    def walk(element, parent):
        for code in element.findall(f"{NS}Code"):
            description = code.find(f"{NS}Description")
            out.append(
                (
                    code.get("guid").upper(),
                    parent,
                    code.get("name"),
                    code.get("isCodable"),
                    code.get("color"),
                    None if description is None else description.text,
                )
            )
            walk(code, code.get("guid").upper())

    codes = root.find(f"{NS}CodeBook/{NS}Codes")
    if codes is not None:
        walk(codes, None)
    return out


def _users(root):
    return sorted((u.get("guid").upper(), u.get("name"), u.get("id")) for u in root.iter(f"{NS}User"))


def _codings(root):
    out = []
    for source in root.iter(f"{NS}TextSource"):
        for selection in source.findall(f"{NS}PlainTextSelection"):
            for coding in selection.findall(f"{NS}Coding"):
                out.append(
                    (
                        source.get("guid").upper(),
                        selection.get("guid").upper(),
                        selection.get("startPosition"),
                        selection.get("endPosition"),
                        selection.get("creationDateTime"),
                        coding.get("guid").upper(),
                        coding.get("creatingUser").upper(),
                        coding.get("creationDateTime"),
                        coding.find(f"{NS}CodeRef").get("targetGUID").upper(),
                    )
                )
    return sorted(out)


def _sources(root):
    keep = ("guid", "name", "creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime", "richTextPath")
    return sorted(
        tuple((k, (s.get(k) or "").upper() if k in ("guid", "creatingUser", "modifyingUser") else s.get(k)) for k in keep)
        for s in root.iter(f"{NS}TextSource")
    )


@pytest.mark.parametrize("name", list(_files()))
def test_import_export_reimport_keeps_everything(name):
    original = _files()[name]
    first = read_qdpx(original, name)
    buffer = io.BytesIO()
    write_qdpx(first, buffer)
    exported = buffer.getvalue()
    a, b = _xml(original), _xml(exported)
    # the file written says the same as the file read, element by element
    assert _codes(b) == _codes(a)
    assert _users(b) == _users(a)
    assert _codings(b) == _codings(a)
    assert _sources(b) == _sources(a)
    for key in ("creatingUserGUID", "creationDateTime", "modifiedDateTime"):
        assert b.get(key) == a.get(key)
    text = ET.tostring(b, encoding="unicode")
    assert "[afstand:" not in text and 'name="qda"' not in text
    # nothing afstand-specific was added to the project: no variables, no headings
    assert b.find(f"{NS}Variables") is None or a.find(f"{NS}Variables") is not None
    # re-import: the same project
    again = read_qdpx(exported, name)
    assert again.codebook.codes == first.codebook.codes
    assert [c.guid for c in again.codebook.codes] == [c.guid for c in first.codebook.codes]
    assert again.sources == first.sources
    assert [s.guid for s in again.sources.values()] == [s.guid for s in first.sources.values()]
    assert sorted(again.codings, key=repr) == sorted(first.codings, key=repr)
    assert sorted(c.guid for c in again.codings) == sorted(c.guid for c in first.codings)
    assert again.users == first.users and again.user_info == first.user_info
    assert sorted(again.memos, key=repr) == sorted(first.memos, key=repr)
    assert again.attachments == first.attachments


def test_fixture_details():
    project = read_qdpx(fixture_qdpx(), "fixture")
    heading, trust, distrust, trust2 = project.codebook.codes
    assert not heading.codable and trust.parent == heading.id and distrust.parent == trust.id
    assert trust.description == "Alles over vertrouwen.\nTwee regels."
    assert trust.id != trust2.id and trust.label == trust2.label  # same name, two codes
    assert project.users == ["Joost", "Marieke", "Niemand"]  # a user without codings is kept
    assert project.user_info["Marieke"] == {"guid": "AAAAAAAA-1111-2222-3333-444444444444", "id": "MV"}
    assert sorted(c.coder for c in project.codings) == ["Joost", "Marieke"]
    assert list(project.attachments) == ["sources/FFFFFFFF-1111-2222-3333-444444444444.docx"]
    [memo] = project.memos
    assert (memo.text, memo.author, memo.guid) == ("Twijfel.", "Joost", "66666666-1111-2222-3333-444444444444")


def test_ids_come_back_by_guid_after_another_tool_dropped_afstands_member(tmp_path):
    """afstand → .qdpx → another tool (keeps GUIDs, drops unknown archive members) → afstand with the study's codebook."""
    from afstand.coding.codebook import Code, Codebook, write_codebook
    from afstand.coding.project import Coding, Project, Source
    from tests.conftest import run_cli

    book = Codebook(
        "t",
        [
            Code("W1", "angst", "Angst en spanning", "Angstige cliënten.", "#E69F00", "", ("angst",)),
            Code("W1", "autisme", "Autisme", "", "#56B4E9", "angst"),
            Code("W2", "geen_middelen", "Geen middelen", "Zonder telefoon.", "#009E73"),
        ],
    )
    project = Project("test", book)
    project.add_source(Source("W1-1", "W1", "Cliënten met angst voelen zich thuis veiliger. En autisme ook.", instrument="werkers"))
    project.add_source(Source("W2-1", "W2", "Geen beltegoed."))
    project.add_coding(Coding("W1-1", 0, 18, "angst", "ann", "2026-11-28T10:00:00Z"))
    project.add_coding(Coding("W1-1", 50, 57, "autisme", "bob", "2026-11-28T10:06:00Z"))
    project.add_coding(Coding("W2-1", 0, 15, "geen_middelen", "ann", "2026-11-28T10:07:00Z"))
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    resaved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(resaved, "w") as target:
        for name in source.namelist():
            if not name.startswith("afstand/"):
                target.writestr(name, source.read(name))
    without = read_qdpx(resaved.getvalue())
    assert [c.id for c in without.codebook.codes] != [c.id for c in project.codebook.codes]  # ids from names only
    again = read_qdpx(resaved.getvalue(), known=project.codebook)
    assert again.codebook.codes == project.codebook.codes
    assert sorted(again.codings, key=repr) == sorted(project.codings, key=repr)
    # the same through the command line
    qdpx, book = tmp_path / "resaved.qdpx", tmp_path / "codebook.csv"
    qdpx.write_bytes(resaved.getvalue())
    text = io.StringIO()
    write_codebook(project.codebook, text)
    book.write_text(text.getvalue(), encoding="utf-8")
    result = run_cli("code", "import", str(qdpx), "--codebook", str(book), "--codebook-out", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == book.read_text(encoding="utf-8")
