"""REFI-QDA exchange (https://www.qdasoftware.org): a project ``.qdpx`` and a codebook ``.qdc``.

Export: a zip with ``project.qde`` (namespace ``urn:QDA-XML:project:1.0``) and ``sources/<guid>.txt``
(UTF-8 plain text). Questions become non-codable parent codes; codes keep label, colour,
description and parent. Every (source, start, end) is one ``PlainTextSelection`` whose
``Coding``s (one per code and coder) hold a ``CodeRef``; coders are ``User``s; memos are
``Note``s referenced from codes and selections. afstand's own ids travel in ``Variables`` on
afstand's sources and, for codes, in a separate archive member (``afstand/codes.json``) keyed by
GUID, so nothing is added to the project's codes or descriptions; files from ATLAS.ti, NVivo or
MAXQDA without it get ids from names (or from the study's codebook, matched by GUID).

A round trip keeps what the file held: GUIDs of codes, sources, selections, codings, notes and
users; users' ids; the dates on the project, sources, selections and codings; non-codable codes
and the hierarchy; rich-text members of sources.

Import is tolerant of what real tools write (namespace spellings, a BOM or CRLF in the XML,
``internal://`` and relative paths, upper-case GUIDs, ``Sources`` or ``sources``) but strict on
meaning: a bad zip, XML that is not a REFI-QDA project, a missing source text or a selection
beyond its text raises :class:`DataError` naming file and element, and nothing is returned.
The output is validated against the REFI-QDA Project XSD (MIT-licensed copy in ``schema/``)
with ``xmlschema``.
"""

from __future__ import annotations

import datetime as dt
import json
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
MARKER = re.compile(r"\n?\[afstand:([^/\]]+)/([^\]]+)\]\s*$")  # written by afstand before 2026-11: still read
FOREIGN = "qda"  # the question of codes and sources from other tools (in memory only: never written)
SIDECAR = "afstand/codes.json"  # afstand's code ids per GUID, beside the project in the archive
VARIABLES = ("afstand:question", "afstand:kind", "afstand:instrument", "afstand:item", "afstand:id")
WAVE = "afstand:wave"  # a variable only in projects whose sources name their wave
MAX_MEMBER = 50 * 1024 * 1024  # a single member larger than this is refused (zip bombs)


def guid(*parts: str) -> str:
    return str(uuid.uuid5(AFSTAND, "\x1f".join(parts)))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _stamp(value: str) -> str:
    return value if value else _now()


# -- export ---------------------------------------------------------------------------------------
def code_guid(code) -> str:
    return code.guid or guid("code", code.question, code.id)


def _code_elements(parent: ET.Element, codebook: Codebook, ns: str, notes_for: dict[str, list[str]] | None = None) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for question in codebook.questions():
        members = codebook.for_question(question)
        if question == FOREIGN:  # codes of another tool: written as they came, under no heading of afstand's
            group = codes
        else:
            group = ET.SubElement(codes, f"{{{ns}}}Code", guid=guid("question", question), name=question, isCodable="false")

        def add(under: ET.Element, parent_id: str, members=members, question=question) -> None:
            for code in (c for c in members if c.parent == parent_id):
                element = ET.SubElement(
                    under,
                    f"{{{ns}}}Code",
                    guid=code_guid(code),
                    name=code.label,
                    isCodable="true" if code.codable else "false",
                    **({"color": code.colour} if code.colour else {}),
                )
                if code.description:
                    ET.SubElement(element, f"{{{ns}}}Description").text = code.description
                for note in (notes_for or {}).get(f"code:{question}/{code.id}", []):
                    ET.SubElement(element, f"{{{ns}}}NoteRef", targetGUID=note)
                add(element, code.id, members, question)

        add(group, "")


def _sidecar(codebook: Codebook) -> bytes:
    """afstand's own ids of the codes, in a separate archive member: nothing is added to the project itself."""
    codes = {
        code_guid(c).lower(): {"question": c.question, "id": c.id, "keywords": list(c.keywords), "examples": list(c.examples)}
        for c in codebook.codes
    }
    return json.dumps({"version": 1, "codes": codes}, ensure_ascii=False, indent=1).encode("utf-8")


PROJECT_KEPT = ("creatingUserGUID", "creationDateTime", "modifyingUserGUID", "modifiedDateTime", "basePath")
SELECTION_KEPT = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")


def write_qdpx(project: Project, out: BinaryIO) -> None:
    """Write ``project`` as a REFI-QDA project file (zip) to a binary file-like object.

    What an import kept (GUIDs, users, dates, rich-text members) is written back unchanged.
    """
    ET.register_namespace("", NS)
    users = {name: (project.user_info.get(name, {}).get("guid") or guid("user", name)) for name in project.coders}
    attributes = {"name": project.name, "origin": "afstand"}
    attributes.update({k: v for k, v in project.attributes.items() if k in PROJECT_KEPT and v})
    attributes.setdefault("creationDateTime", _now())
    root = ET.Element(f"{{{NS}}}Project", **attributes)
    if users:
        users_el = ET.SubElement(root, f"{{{NS}}}Users")
        for name, user_guid in users.items():
            extra = {"id": project.user_info[name]["id"]} if project.user_info.get(name, {}).get("id") else {}
            ET.SubElement(users_el, f"{{{NS}}}User", guid=user_guid, name=name, **extra)
    note_guids: dict[str, list[str]] = {}
    notes = []
    for number, memo in enumerate(project.memos):
        note_guid = memo.guid or guid("memo", str(number), memo.target, memo.text)
        note_guids.setdefault(memo.target, []).append(note_guid)
        notes.append((note_guid, memo))
    codebook_el = ET.SubElement(root, f"{{{NS}}}CodeBook")
    _code_elements(codebook_el, project.codebook, NS, note_guids)
    own_sources = [s for s in project.sources.values() if s.question != FOREIGN]
    if own_sources:
        variables = ET.SubElement(root, f"{{{NS}}}Variables")
        with_wave = any(s.wave for s in own_sources)
        for name in VARIABLES + ((WAVE,) if with_wave else ()):
            ET.SubElement(variables, f"{{{NS}}}Variable", guid=guid("variable", name), name=name, typeOfVariable="Text")
    texts: dict[str, bytes] = {}
    codes_by_key = {c.key: c for c in project.codebook.codes}
    if project.sources:
        sources_el = ET.SubElement(root, f"{{{NS}}}Sources")
        for source in project.sources.values():
            source_guid = source.guid or guid("source", source.id)
            kept = dict(source.attributes)
            element = ET.SubElement(
                sources_el,
                f"{{{NS}}}TextSource",
                guid=source_guid,
                name=source.title or source.id,
                **({"richTextPath": kept["richTextPath"]} if kept.get("richTextPath") else {}),
                plainTextPath=f"internal://{source_guid}.txt",
                **{k: kept[k] for k in SELECTION_KEPT if kept.get(k)},
            )
            texts[f"sources/{source_guid}.txt"] = source.text.encode("utf-8")
            selections: dict[tuple[int, int], list[Coding]] = {}
            for coding in (c for c in project.codings if c.source == source.id):
                selections.setdefault((coding.start, coding.end), []).append(coding)
            for (start, end), codings in sorted(selections.items()):
                info = project.selections.get((source.id, start, end), {})
                selection_attributes = {
                    "guid": info.get("guid") or guid("selection", source.id, str(start), str(end)),
                    "name": info.get("name") or source.text[start:end][:60],
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": info.get("creatingUser") or users[codings[0].coder],
                    "creationDateTime": info.get("creationDateTime") or min(_stamp(c.created) for c in codings),
                }
                selection_attributes.update({k: info[k] for k in ("modifyingUser", "modifiedDateTime") if info.get(k)})
                selection = ET.SubElement(element, f"{{{NS}}}PlainTextSelection", **selection_attributes)
                for coding in codings:
                    code = codes_by_key.get((source.question, coding.code))
                    coding_el = ET.SubElement(
                        selection,
                        f"{{{NS}}}Coding",
                        guid=coding.guid or guid("coding", source.id, str(start), str(end), coding.code, coding.coder),
                        creatingUser=users[coding.coder],
                        creationDateTime=_stamp(coding.created),
                    )
                    ET.SubElement(
                        coding_el, f"{{{NS}}}CodeRef", targetGUID=code_guid(code) if code else guid("code", source.question, coding.code)
                    )
                for note in note_guids.get(f"coding:{source.id}:{start}:{end}", []):
                    ET.SubElement(selection, f"{{{NS}}}NoteRef", targetGUID=note)
            for note in note_guids.get(f"source:{source.id}", []):
                ET.SubElement(element, f"{{{NS}}}NoteRef", targetGUID=note)
            if source.question != FOREIGN:
                named = zip(VARIABLES, (source.question, source.kind, source.instrument, source.item, source.id))
                for name, value in [*named, *([(WAVE, source.wave)] if source.wave else [])]:
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
        for name, data in project.attachments.items():
            if name not in texts:
                archive.writestr(name, data)
        archive.writestr(SIDECAR, _sidecar(project.codebook))


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
        raise DataError(
            [Problem("project.qde", f"does not validate against the REFI-QDA schema: {e.reason}", value=e.path) for e in errors[:5]]
        )
