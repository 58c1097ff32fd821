"""REFI-QDA exchange (https://www.qdasoftware.org): a project ``.qdpx`` and a codebook ``.qdc``.

Export: a zip with ``project.qde`` (namespace ``urn:QDA-XML:project:1.0``) and ``sources/<guid>.txt``
(UTF-8 plain text). Questions become non-codable parent codes; codes keep label, colour,
description and parent. Every (source, start, end) is one ``PlainTextSelection`` whose
``Coding``s (one per code and coder) hold a ``CodeRef``; coders are ``User``s; memos are
``Note``s referenced from codes and selections. afstand's own ids travel in ``Variables`` on
sources and in a last ``[afstand:question/code]`` line of a code's description, so a round trip
is exact; files from ATLAS.ti, NVivo or MAXQDA without them get ids from names.

Import is tolerant of what real tools write (namespace spellings, a BOM or CRLF in the XML,
``internal://`` and relative paths, upper-case GUIDs, ``Sources`` or ``sources``) but strict on
meaning: a bad zip, XML that is not a REFI-QDA project, a missing source text or a selection
beyond its text raises :class:`DataError` naming file and element, and nothing is returned.
The output is validated against the REFI-QDA Project XSD (MIT-licensed copy in ``schema/``)
with ``xmlschema``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from functools import lru_cache
from importlib import resources
from typing import BinaryIO
from xml.etree import ElementTree as ET

from afstand.coding.codebook import Codebook
from afstand.coding.project import Coding, Project
from afstand.errors import DataError, Problem

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
AFSTAND = uuid.UUID("7d1c5c8e-2f4a-4a8e-9a57-0a6f3e2b9c11")  # namespace for afstand's stable GUIDs
MARKER = re.compile(r"\n?\[afstand:([^/\]]+)/([^\]]+)\]\s*$")
VARIABLES = ("afstand:question", "afstand:kind", "afstand:instrument", "afstand:item", "afstand:id")
MAX_MEMBER = 50 * 1024 * 1024  # a single member larger than this is refused (zip bombs)


def guid(*parts: str) -> str:
    return str(uuid.uuid5(AFSTAND, "\x1f".join(parts)))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _stamp(value: str) -> str:
    return value if value else _now()


# -- export ---------------------------------------------------------------------------------------
def _code_elements(parent: ET.Element, codebook: Codebook, ns: str, notes_for: dict[str, list[str]] | None = None) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for question in codebook.questions():
        group = ET.SubElement(codes, f"{{{ns}}}Code", guid=guid("question", question), name=question, isCodable="false")
        members = codebook.for_question(question)

        def add(under: ET.Element, parent_id: str) -> None:
            for code in (c for c in members if c.parent == parent_id):
                element = ET.SubElement(under, f"{{{ns}}}Code", guid=guid("code", question, code.id), name=code.label,
                                        isCodable="true", **({"color": code.colour} if code.colour else {}))
                description = (code.description + (f"\nTrefwoorden: {'; '.join(code.keywords)}" if code.keywords else "")
                               + (f"\nVoorbeelden: {' | '.join(code.examples)}" if code.examples else ""))
                ET.SubElement(element, f"{{{ns}}}Description").text = f"{description}\n[afstand:{question}/{code.id}]".lstrip("\n")
                for note in (notes_for or {}).get(f"code:{question}/{code.id}", []):
                    ET.SubElement(element, f"{{{ns}}}NoteRef", targetGUID=note)
                add(element, code.id)

        add(group, "")


def write_qdpx(project: Project, out: BinaryIO) -> None:
    """Write ``project`` as a REFI-QDA project file (zip) to a binary file-like object."""
    ET.register_namespace("", NS)
    users = {name: guid("user", name) for name in project.coders}
    root = ET.Element(f"{{{NS}}}Project", name=project.name, origin="afstand", creationDateTime=_now())
    if users:
        users_el = ET.SubElement(root, f"{{{NS}}}Users")
        for name, user_guid in users.items():
            ET.SubElement(users_el, f"{{{NS}}}User", guid=user_guid, name=name)
    note_guids: dict[str, list[str]] = {}
    notes = []
    for number, memo in enumerate(project.memos):
        note_guid = guid("memo", str(number), memo.target, memo.text)
        note_guids.setdefault(memo.target, []).append(note_guid)
        notes.append((note_guid, memo))
    codebook_el = ET.SubElement(root, f"{{{NS}}}CodeBook")
    _code_elements(codebook_el, project.codebook, NS, note_guids)
    variables = ET.SubElement(root, f"{{{NS}}}Variables")
    for name in VARIABLES:
        ET.SubElement(variables, f"{{{NS}}}Variable", guid=guid("variable", name), name=name, typeOfVariable="Text")
    texts: dict[str, bytes] = {}
    if project.sources:
        sources_el = ET.SubElement(root, f"{{{NS}}}Sources")
        for source in project.sources.values():
            source_guid = guid("source", source.id)
            element = ET.SubElement(sources_el, f"{{{NS}}}TextSource", guid=source_guid, name=source.title or source.id,
                                    plainTextPath=f"internal://{source_guid}.txt")
            texts[f"sources/{source_guid}.txt"] = source.text.encode("utf-8")
            selections: dict[tuple[int, int], list[Coding]] = {}
            for coding in (c for c in project.codings if c.source == source.id):
                selections.setdefault((coding.start, coding.end), []).append(coding)
            for (start, end), codings in sorted(selections.items()):
                created = min(_stamp(c.created) for c in codings)
                selection = ET.SubElement(element, f"{{{NS}}}PlainTextSelection", guid=guid("selection", source.id, str(start), str(end)),
                                          name=source.text[start:end][:60], startPosition=str(start), endPosition=str(end),
                                          creatingUser=users[codings[0].coder], creationDateTime=created)
                for coding in codings:
                    coding_el = ET.SubElement(selection, f"{{{NS}}}Coding", guid=guid("coding", source.id, str(start), str(end), coding.code, coding.coder),
                                              creatingUser=users[coding.coder], creationDateTime=_stamp(coding.created))
                    ET.SubElement(coding_el, f"{{{NS}}}CodeRef", targetGUID=guid("code", source.question, coding.code))
                for note in note_guids.get(f"coding:{source.id}:{start}:{end}", []):
                    ET.SubElement(selection, f"{{{NS}}}NoteRef", targetGUID=note)
            for note in note_guids.get(f"source:{source.id}", []):
                ET.SubElement(element, f"{{{NS}}}NoteRef", targetGUID=note)
            for name, value in zip(VARIABLES, (source.question, source.kind, source.instrument, source.item, source.id)):
                value_el = ET.SubElement(element, f"{{{NS}}}VariableValue")
                ET.SubElement(value_el, f"{{{NS}}}VariableRef", targetGUID=guid("variable", name))
                ET.SubElement(value_el, f"{{{NS}}}TextValue").text = value
    if notes:
        notes_el = ET.SubElement(root, f"{{{NS}}}Notes")
        for note_guid, memo in notes:
            attributes = {"guid": note_guid, "name": memo.target}
            if memo.author in users:
                attributes["creatingUser"] = users[memo.author]
            if memo.created:
                attributes["creationDateTime"] = memo.created
            note = ET.SubElement(notes_el, f"{{{NS}}}Note", **attributes)
            ET.SubElement(note, f"{{{NS}}}PlainTextContent").text = memo.text
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    validate_project_xml(xml)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, data in texts.items():
            archive.writestr(name, data)


def write_qdc(codebook: Codebook, out: BinaryIO) -> None:
    """A REFI-QDA codebook file (``.qdc``): ``<CodeBook xmlns="urn:QDA-XML:codebook:1.0">``."""
    ET.register_namespace("", NS_CODEBOOK)
    root = ET.Element(f"{{{NS_CODEBOOK}}}CodeBook", origin="afstand")
    _code_elements(root, codebook, NS_CODEBOOK)
    out.write(ET.tostring(root, encoding="utf-8", xml_declaration=True))


@lru_cache(maxsize=1)
def _schema():
    import xmlschema

    path = resources.files("afstand.coding").joinpath("schema/Project-mrt2019.xsd")
    return xmlschema.XMLSchema(str(path))


def validate_project_xml(xml: bytes) -> None:
    errors = list(_schema().iter_errors(xml.decode("utf-8")))
    if errors:
        raise DataError([Problem("project.qde", f"does not validate against the REFI-QDA schema: {e.reason}", value=e.path) for e in errors[:5]])
