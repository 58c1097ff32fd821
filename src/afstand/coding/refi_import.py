"""Read REFI-QDA ``.qdpx`` projects and ``.qdc`` codebooks (see :mod:`afstand.coding.refi`)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree as ET

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as DefusedET

from afstand.coding.codebook import COLOUR, Code, Codebook
from afstand.coding.project import Coding, Memo, Project, Source
from afstand.coding.refi import FOREIGN, MARKER, MAX_MEMBER, SIDECAR
from afstand.coding.refi import guid as afstand_guid
from afstand.errors import DataError, Problem

__all__ = ["FOREIGN", "read_qdc", "read_qdpx", "inspect"]

MAX_TOTAL = 200 * 1024 * 1024  # all members together (a per-member cap alone lets many members add up)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(iter(_children(element, name)), None)


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:60] or "code"


def _parse(data: bytes, label: str, root_name: str) -> ET.Element:
    # REFI-QDA files have no DTD; refusing one shuts out entity-expansion bombs and external entities.
    # The whole file is scanned, and defusedxml refuses a DTD in any encoding (UTF-16 too) while parsing.
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise DataError([Problem(label, "a DOCTYPE or ENTITY declaration is not allowed in a REFI-QDA file")])
    try:
        root = DefusedET.fromstring(data.lstrip(b"\xef\xbb\xbf"), forbid_dtd=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise DataError([Problem(label, "a DOCTYPE or ENTITY declaration is not allowed in a REFI-QDA file")]) from None
    except ET.ParseError as err:
        line, column = err.position
        raise DataError([Problem(label, f"not well-formed XML (line {line}, column {column})")]) from None
    if _local(root.tag) != root_name:
        raise DataError([Problem(label, f"not a REFI-QDA {root_name}: the root element is <{_local(root.tag)}>", value=root.tag)])
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace and not namespace.lower().startswith("urn:qda-xml:"):
        raise DataError([Problem(label, "unknown XML namespace (expected urn:QDA-XML:...)", value=namespace)])
    return root


def _codes(
    container: ET.Element | None, label: str, ids: dict[str, dict] | None = None, known: Codebook | None = None
) -> tuple[Codebook, dict[str, tuple[str, str]], dict[str, ET.Element]]:
    """The codebook and a map code GUID → (question, code id).

    A top-level non-codable code whose GUID is afstand's GUID for its name is one of afstand's
    question headings; every other code (codable or not) is kept with its GUID, name, colour,
    description and place in the hierarchy. afstand's code ids come from ``ids`` (the
    archive's ``afstand/codes.json``), from ``known`` (the study's codebook, matched by GUID),
    from an old ``[afstand:question/code]`` description line, or else from the code's name.
    """
    ids = ids or {}
    known_by_guid = {afstand_guid("code", c.question, c.id): c for c in (known.codes if known else [])}
    codes: list[Code] = []
    by_guid: dict[str, tuple[str, str]] = {}
    elements: dict[str, ET.Element] = {}
    used: set[tuple[str, str]] = set()
    if container is None:
        return Codebook("qda"), by_guid, elements

    def walk(element: ET.Element, question: str | None, parent: str, top: bool) -> None:
        for code in _children(element, "Code"):
            raw_guid = (code.get("guid") or "").strip().strip("{}")
            key = raw_guid.lower()
            name = code.get("name") or ""
            if not key:
                raise DataError([Problem(label, "a <Code> without guid", value=name)])
            description_el = _child(code, "Description")
            description = (description_el.text or "") if description_el is not None else ""
            codable = (code.get("isCodable") or "true").lower() in ("true", "1")
            elements[key] = code
            if (
                top
                and not codable
                and (
                    key == afstand_guid("question", name)
                    or (_children(code, "Code") and all(_is_marked(c) for c in _children(code, "Code")))
                )
            ):
                walk(code, name, "", False)  # one of afstand's question headings
                continue
            marker = MARKER.search(description)
            keywords: tuple[str, ...] = ()
            examples: tuple[str, ...] = ()
            if key in ids:
                q, code_id = ids[key]["question"], ids[key]["id"]
                keywords, examples = tuple(ids[key].get("keywords", ())), tuple(ids[key].get("examples", ()))
            elif key in known_by_guid:
                found = known_by_guid[key]
                q, code_id, keywords, examples = found.question, found.id, found.keywords, found.examples
            elif marker:  # files written by earlier afstand versions
                q, code_id = marker.group(1), marker.group(2)
                description = MARKER.sub("", description)
                description, examples = _trailing(description, "Voorbeelden: ", "|")
                description, keywords = _trailing(description, "Trefwoorden: ", ";")
            else:
                q, code_id = question or FOREIGN, _slug(name)
            base, n = code_id, 2
            while (q, code_id) in used:
                code_id, n = f"{base}_{n}", n + 1
            colour = code.get("color") or ""
            codes.append(
                Code(
                    q,
                    code_id,
                    name,
                    description.strip() if marker else description,
                    colour if COLOUR.match(colour) else "",
                    parent,
                    keywords,
                    examples,
                    codable,
                    raw_guid,
                )
            )
            used.add((q, code_id))
            if codable:
                by_guid[key] = (q, code_id)
            walk(code, q, code_id, False)

    walk(_child(container, "Codes") if _child(container, "Codes") is not None else container, None, "", True)
    return Codebook("qda", codes), by_guid, elements


def _trailing(description: str, label: str, separator: str) -> tuple[str, tuple[str, ...]]:
    """Split a trailing "Trefwoorden: a; b" / "Voorbeelden: x | y" line (written by afstand) off a description."""
    if f"\n{label}" not in description and not description.startswith(label):
        return description, ()
    description, _, items = description.rpartition(label)
    return description.rstrip("\n"), tuple(item.strip() for item in items.split(separator) if item.strip())


def _is_marked(code: ET.Element) -> bool:
    description = _child(code, "Description")
    return description is not None and bool(MARKER.search(description.text or ""))


def read_qdc(data: bytes, label: str = "codebook.qdc", known: Codebook | None = None) -> Codebook:
    """``known``: the study's codebook, whose code ids are recovered by GUID."""
    root = _parse(data, label, "CodeBook")
    book, _, _ = _codes(root, label, known=known)
    return book


def read_qdpx(source: str | Path | bytes | BinaryIO, label: str | None = None, known: Codebook | None = None) -> Project:
    label = label or (str(source) if isinstance(source, (str, Path)) else "project.qdpx")
    raw = Path(source).read_bytes() if isinstance(source, (str, Path)) else source if isinstance(source, bytes) else source.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise DataError([Problem(label, "not a .qdpx file: not a zip archive")]) from None
    with archive:
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        for info in members.values():
            if info.file_size > MAX_MEMBER:
                raise DataError([Problem(label, f"member too large ({info.file_size} bytes)", value=info.filename)])
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_TOTAL:
            raise DataError([Problem(label, f"the archive unpacks to {total} bytes (at most {MAX_TOTAL})")])
        qde = next((n for n in members if n.lower() == "project.qde"), None) or next(
            (n for n in members if n.lower().endswith(".qde")), None
        )
        if qde is None:
            raise DataError([Problem(label, "no project.qde in the archive")])
        where = f"{label}:{qde}"
        root = _parse(_member(archive, qde, label), where, "Project")
        lower = {n.lower(): n for n in members}
        ids: dict[str, dict] = {}
        if SIDECAR in members:
            import json

            try:
                ids = {
                    k.lower(): v
                    for k, v in json.loads(_member(archive, SIDECAR, label).decode("utf-8")).get("codes", {}).items()
                    if isinstance(v, dict) and isinstance(v.get("question"), str) and isinstance(v.get("id"), str)
                }
            except (ValueError, AttributeError):
                raise DataError([Problem(f"{label}:{SIDECAR}", "not afstand's code list (JSON)")]) from None
        used_members: set[str] = {qde, SIDECAR}

        def read_text(path: str, owner: str) -> str:
            relative = path.split("://", 1)[1] if "://" in path else path
            candidates = [relative, f"sources/{relative}", f"Sources/{relative}", str(PurePosixPath(relative))]
            name = next((lower[c.lower()] for c in candidates if c.lower() in lower), None)
            if name is None:
                raise DataError([Problem(where, f"the text of {owner} is missing from the archive", value=path)])
            used_members.add(name)
            try:
                return _member(archive, name, label).decode("utf-8-sig")
            except UnicodeDecodeError as err:
                raise DataError([Problem(f"{label}:{name}", f"not UTF-8 text: {err.reason} at byte {err.start}")]) from None

        project = _project(root, where, read_text, label, ids, known)
        for name in members:  # rich-text files of sources and the like: kept for the export
            if name not in used_members and not name.endswith("/.root") and name != ".root":
                project.attachments[name] = _member(archive, name, label)
        return project


def _member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    """One member's bytes, or a DataError when the archive is damaged there."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as err:
        raise DataError([Problem(label, f"the archive is damaged: {err}", value=name)]) from None


def _project(root: ET.Element, where: str, read_text, label: str, ids: dict[str, dict], known: Codebook | None) -> Project:
    users = {
        (u.get("guid") or "").strip("{}").lower(): (u.get("name") or u.get("id") or u.get("guid")) for u in _all(root, "Users", "User")
    }
    codebook, by_guid, code_elements = _codes(_child(root, "CodeBook"), where, ids, known)
    project = Project(root.get("name") or Path(label).stem, codebook, users=sorted(set(users.values())))
    for u in _all(root, "Users", "User"):
        name = u.get("name") or u.get("id") or u.get("guid")
        project.user_info[name] = {k: v for k, v in (("guid", (u.get("guid") or "").strip("{}")), ("id", u.get("id") or "")) if v}
    project.attributes = {k: v for k, v in root.attrib.items() if "}" not in k and k not in ("name", "origin")}
    variables = {(v.get("guid") or "").strip("{}").lower(): v.get("name") for v in _all(root, "Variables", "Variable")}
    notes = {}
    for note in _all(root, "Notes", "Note"):
        content = _child(note, "PlainTextContent")
        text = (
            content.text or ""
            if content is not None
            else (read_text(note.get("plainTextPath"), "a note") if note.get("plainTextPath") else "")
        )
        notes[(note.get("guid") or "").strip("{}").lower()] = (
            text,
            users.get((note.get("creatingUser") or "").strip("{}").lower(), ""),
            note.get("creationDateTime") or "",
            (note.get("guid") or "").strip("{}"),
        )
    referenced = set()

    def memo(target: str, element: ET.Element) -> None:
        for ref in _children(element, "NoteRef"):
            key = (ref.get("targetGUID") or "").strip("{}").lower()
            if key in notes:
                text, author, created, note_guid = notes[key]
                project.memos.append(Memo(target, text, author, created, note_guid))
                referenced.add(key)

    for guid, (question, code_id) in by_guid.items():
        memo(f"code:{question}/{code_id}", code_elements[guid])
    sources = _child(root, "Sources")
    problems: list[Problem] = []
    for element in list(sources) if sources is not None else []:
        kind = _local(element.tag)
        name = element.get("name") or element.get("guid") or "?"
        if kind != "TextSource":
            project.skipped.append(f"{kind} {name}: only text sources are imported")
            continue
        content = _child(element, "PlainTextContent")
        if content is not None and content.text is not None:
            text = content.text
        elif element.get("plainTextPath"):
            text = read_text(element.get("plainTextPath"), f"source {name!r}")
        else:
            raise DataError([Problem(where, "a TextSource without PlainTextContent or plainTextPath", value=name)])
        values = {}
        for value in _children(element, "VariableValue"):
            ref, text_value = _child(value, "VariableRef"), _child(value, "TextValue")
            if ref is not None and text_value is not None:
                values[variables.get((ref.get("targetGUID") or "").strip("{}").lower(), "")] = text_value.text or ""
        source_id = values.get("afstand:id") or name
        kept = tuple(
            (k, v)
            for k, v in element.attrib.items()
            if k in ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime", "richTextPath")
        )
        source = Source(
            source_id,
            values.get("afstand:question") or FOREIGN,
            text,
            values.get("afstand:kind") or "note",
            values.get("afstand:instrument", ""),
            values.get("afstand:item", ""),
            "" if name == source_id else name,
            (element.get("guid") or "").strip("{}"),
            kept,
            values.get("afstand:wave", ""),
        )
        try:
            project.add_source(source)
        except DataError as err:
            raise DataError([Problem(where, p.message, value=p.value) for p in err.problems]) from None
        memo(f"source:{source_id}", element)
        spans = [(s, int_or(s, "startPosition", where), int_or(s, "endPosition", where)) for s in _children(element, "PlainTextSelection")]
        spans += [(c, 0, len(text)) for c in _children(element, "Coding")]  # a coding of the whole source
        for selection, start, end in spans:
            codings = [selection] if _local(selection.tag) == "Coding" else _children(selection, "Coding")
            selection_user = users.get((selection.get("creatingUser") or "").strip("{}").lower(), "")
            if not (0 <= start < end <= len(text)):
                problems.append(
                    Problem(
                        where,
                        f"selection [{start}, {end}) of source {name!r} lies outside its text ({len(text)} characters)",
                        value=selection.get("guid"),
                    )
                )
                continue
            if _local(selection.tag) == "PlainTextSelection":
                memo(f"coding:{source_id}:{start}:{end}", selection)
                project.selections[(source_id, start, end)] = {
                    k: v
                    for k, v in selection.attrib.items()
                    if k in ("guid", "name", "creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
                }
            for coding in codings:
                ref = _child(coding, "CodeRef")
                target = (ref.get("targetGUID") or "").strip("{}").lower() if ref is not None else ""
                if target not in by_guid:
                    problems.append(Problem(where, f"a coding in source {name!r} refers to no codable code", value=target or None))
                    continue
                question, code_id = by_guid[target]
                if source.question != question:
                    if source.question == FOREIGN or question == FOREIGN:
                        problems.append(
                            Problem(where, f"code {code_id!r} of question {question} used on source {name!r} of question {source.question}")
                        )
                        continue
                coder = users.get((coding.get("creatingUser") or "").strip("{}").lower(), "") or selection_user or "onbekend"
                created = coding.get("creationDateTime") or selection.get("creationDateTime") or ""
                coding_guid = (coding.get("guid") or "").strip("{}") if _local(coding.tag) == "Coding" else ""
                found = project.check(Coding(source_id, start, end, code_id, coder, created), where)
                if found:
                    problems.extend(found)
                else:
                    project.codings.append(Coding(source_id, start, end, code_id, coder, created, coding_guid))
    if problems:
        raise DataError(problems)
    for key, (text, author, created, note_guid) in notes.items():
        if key not in referenced:
            project.memos.append(Memo("project", text, author, created, note_guid))
    return project


def _all(root: ET.Element, container: str, name: str) -> list[ET.Element]:
    holder = _child(root, container)
    return _children(holder, name) if holder is not None else []


def int_or(element: ET.Element, attribute: str, where: str) -> int:
    try:
        return int(element.get(attribute, ""))
    except ValueError:
        raise DataError([Problem(where, f"{attribute} is not a whole number", value=element.get(attribute))]) from None


def inspect(path: str | Path) -> dict:
    """Counts of what a .qdpx or .qdc holds, read with the import's own reader."""
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        book = read_qdc(path.read_bytes(), str(path))
        return {"codes": len(book.codes), "sources": 0, "selections": 0, "codings": 0, "users": 0}
    project = read_qdpx(path)
    return {
        "codes": len(project.codebook.codes),
        "sources": len(project.sources),
        "selections": len({(c.source, c.start, c.end) for c in project.codings}),
        "codings": len(project.codings),
        "users": len(project.coders),
        "memos": len(project.memos),
        "skipped": project.skipped,
    }
