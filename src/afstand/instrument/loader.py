"""Read an XLSForm (markdown, CSV, XLSX or XLS) through pyxform into an :class:`Instrument`.

pyxform does the parsing and checking of the form itself. Before it runs, the sheets are
checked for the mistakes pyxform reports without a place, reports as something else, crashes
on or passes silently (:mod:`afstand.instrument.form_sheets`); its own messages are passed on
with the sheet, row, column and value they are about in front (:mod:`afstand.instrument.form_errors`),
prefixed with the file name. This module adds the checks of the analysis metadata columns (see
:mod:`afstand.instrument.model`), of ``choice_filter`` columns and of ``default_language``.

pyxform (and pandas, which it imports) takes about 0.35 s to import and a moment to
convert a form, so its output and warnings are cached (:mod:`afstand.cache`), keyed by the
content hash of the XLSForm, its file type and the installed pyxform: pyxform runs once per
form version. Forms that pyxform or the checks here refuse are never cached.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from afstand import cache
from afstand.bounded import check_zip
from afstand.errors import InstrumentError
from afstand.instrument.form_errors import check_default_language, choice_filter_warnings, explain, fail, locate_support, survey_rows
from afstand.instrument.form_sheets import Book, read_book
from afstand.instrument.form_tree import REQUIRED_YES, _expand_loops, _keys, missing_codes, required_condition
from afstand.instrument.model import Choice, ChoiceList, Group, Instrument, Item, Note
from afstand.instrument.support import FormSupport, check_pyxform
from afstand.instrument.version import version_id
from afstand.instrument.workbook_files import FORM_SUFFIXES, OLE_MAGIC, file_kind, unstored_formula, xls_to_xlsx

# pyxform's type names and aliases -> the XLSForm type names used throughout afstand
_PYXFORM_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select_one": "select_one",
    "select_multiple": "select_multiple",
    "select one external": "select_one_external",
}
# fmt: off
_BIND_TYPES = {"int": "integer", "decimal": "decimal", "date": "date", "time": "time", "dateTime": "datetime",
               "geopoint": "geopoint", "geotrace": "geotrace", "geoshape": "geoshape", "barcode": "barcode"}
_SKIP_TYPES = {"start", "end", "today", "deviceid", "username", "audit", "simserial", "subscriberid", "phonenumber",
               "email", "uri:deviceid", "uri:email", "uri:username", "uri:subscriberid", "uri:simserial", "uri:phonenumber",
               "start-geopoint", "background-audio", "background-geopoint"}
# fmt: on
_CHOICE_OWN = {"name", "label", "media", "score", "collapse", "list_name"}
_VALID_KEYS = {"1": 1, "+1": 1, "-1": -1}


def load_instrument(source: str | os.PathLike[str] | bytes | BinaryIO, *, name: str | None = None) -> Instrument:
    """Load an XLSForm from a path or from bytes/a binary file object.

    ``name`` is used in messages when ``source`` is not a path. A form that uses a feature
    the support matrix (:mod:`afstand.instrument.support`) refuses raises
    :class:`InstrumentError` listing every such feature. The support check runs on pyxform's
    output before the model is built, whether that output comes from the cache or from pyxform.
    """
    raw, file_type, label = _read(source, name)
    raw, file_type, converted = _as_xlsform(raw, file_type, label)  # a LimeSurvey .lss becomes an XLSForm workbook
    entry = _cache_key(raw, file_type)
    cached = cache.read_json(CACHE_KIND, entry) if entry else None
    if (
        isinstance(cached, dict)
        and cached.get("format") == CACHE_FORMAT
        and isinstance(cached.get("pyxform"), dict)
        and isinstance(cached.get("warnings"), list)
    ):
        try:
            _refuse_unsupported(cached["pyxform"], label)  # the support matrix may be newer than the entry
            return _finish(_build(cached["pyxform"], None, label), converted + cached["warnings"], label)
        except Exception:  # noqa: BLE001 — a stale or damaged entry: convert again, which names rows in errors
            pass
    js, book, warnings = _convert(raw, file_type, label)
    _refuse_unsupported(js, label, book)
    built = _build(js, book, label)
    warnings += choice_filter_warnings(book, built.items.values(), survey_rows(book))
    instrument = _finish(built, converted + warnings, label)
    if entry:  # only forms that are supported and build are cached
        cache.write_json(CACHE_KIND, entry, {"format": CACHE_FORMAT, "pyxform": js, "warnings": warnings})
    return instrument


def _as_xlsform(raw: bytes, file_type: str | None, label: str) -> tuple[bytes, str | None, list[str]]:
    """:func:`afstand.instrument.limesurvey_form.as_xlsform`, imported only for what may be a ``.lss``
    (5 ms that every other form, and every ``afstand analyze``, would pay)."""
    if file_type != ".lss" and (file_type is not None or b"<LimeSurveyDocType>" not in raw[:4096]):
        return raw, file_type, []
    from afstand.instrument.limesurvey_form import as_xlsform

    return as_xlsform(raw, file_type, label)


def check_instrument(source: str | os.PathLike[str] | bytes | BinaryIO, *, name: str | None = None) -> FormSupport:
    """What afstand does with each question of a form (:func:`afstand.instrument.form_logic.check_instrument`)."""
    from afstand.instrument.form_logic import check_instrument as check

    return check(source, name=name)


def _support(js: dict[str, Any], book: Book | None, label: str) -> FormSupport:
    """The support matrix applied to the form; each question with its places when the sheets are at hand."""
    support = check_pyxform(js, label)
    locate_support(support, book)
    return support


def _refuse_unsupported(js: dict[str, Any], label: str, book: Book | None = None) -> None:
    refused = _support(js, book, label).refusals()
    if refused:
        raise InstrumentError(f"{label}: afstand does not support this form: " + "; ".join(refused))


def _label(source: Any, name: str | None) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else (name or "<XLSForm>")


def _read(source: str | os.PathLike[str] | bytes | BinaryIO, name: str | None) -> tuple[bytes, str | None, str]:
    """The form's bytes, its file type (from the file name; ``None`` for bytes) and its label for messages."""
    label = _label(source, name)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InstrumentError(f"{label}: no such XLSForm file")
        raw: bytes = path.read_bytes()
        file_type = path.suffix.lower() or None
    else:
        raw = source if isinstance(source, bytes) else source.read()
        file_type = Path(name).suffix.lower() or None if name else None  # an upload's name says what it should be
    if file_type is not None and file_type not in FORM_SUFFIXES:
        raise InstrumentError(f"{label}: not an XLSForm (expected {', '.join(FORM_SUFFIXES)}; got {file_type})")
    check_zip(raw, label)  # a zip bomb is refused before pyxform unpacks it
    raw, file_type = file_kind(raw, file_type, label)
    return raw, file_type, label


CACHE_KIND = "instruments"
CACHE_FORMAT = 4  # 3: each question carries its type dictionary (_type_spec); 4: the sheet checks (older entries skipped them)


def _finish(instrument: Instrument, warnings: list[str], label: str) -> Instrument:
    # the id hashes afstand's own model (afstand.instrument.version), not pyxform's dictionary
    return replace(instrument, version_id=version_id(instrument), warnings=tuple(f"{label}: {w}" for w in warnings))


def _cache_key(raw: bytes, file_type: str | None) -> str | None:
    """Content hash of the form, its file type and the installed pyxform (``None``: no pyxform)."""
    spec = importlib.util.find_spec("pyxform")
    if spec is None or spec.origin is None:
        return None
    try:
        pyxform_init = Path(spec.origin).read_bytes()  # holds pyxform's __version__
    except OSError:
        return None
    return cache.key(f"instrument-{CACHE_FORMAT}", str(file_type), pyxform_init, raw)


def _convert(raw: bytes, file_type: str | None, label: str) -> tuple[dict[str, Any], Book | None, list[str]]:
    """pyxform's dictionary of the form, its sheets (for the places in errors) and pyxform's warnings."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    book = read_book(raw, ".xls" if raw.startswith(OLE_MAGIC) else file_type)  # the sheets as the spreadsheet shows them
    if file_type == ".xls" or (file_type is None and raw.startswith(OLE_MAGIC)):
        raw, file_type = xls_to_xlsx(raw, label), ".xlsx"  # python-calamine reads it, never xlrd
    formula = unstored_formula(raw) if file_type in (".xlsx", ".xlsm") else None
    if formula is not None:
        sheet, cell, text = formula
        raise InstrumentError(
            f"{label}: sheet {sheet!r}, cell {cell} holds a formula ({text}) whose result is not stored in the file "
            "(the program that saved it did not calculate it): open the form in Excel or LibreOffice and save it, "
            "or type the value instead of the formula"
        )
    from afstand.instrument.sheet_checks import sheet_problems, sheet_warnings  # only when a form is converted

    problems = sheet_problems(book) if book is not None else []
    if problems:
        raise InstrumentError(f"{label}: " + "; ".join(problems))
    warnings: list[str] = sheet_warnings(book) if book is not None else []
    try:
        result = convert(xlsform=raw, warnings=warnings, form_name="data", file_type=file_type)
    except PyXFormError as err:
        if str(err).startswith("Argument 'definition' was not recognized"):  # a text file without a form's table
            raise InstrumentError(
                f"{label}: not an XLSForm: no sheet found (a Markdown form is a table whose first column names the sheets, "
                "| survey |, with | | type | name | label | below; a CSV form has the sheet names in its first column)"
            ) from None
        raise InstrumentError(f"{label}: {explain(str(err), book)}") from None
    except Exception as err:  # pyxform can fail with plain exceptions on input the checks above do not foresee
        raise InstrumentError(f"{label}: pyxform could not read this XLSForm: {type(err).__name__}: {err}") from None
    js = json.loads(json.dumps(result._pyxform))  # what a cached copy reads back (tuples become lists): same id
    _annotate_types(js.get("children", []))
    return js, book, [explain(str(w), book) for w in warnings]


def _annotate_types(children: list[dict]) -> None:
    """Copy into each question what pyxform's type dictionary says about its type (control tag,
    bind type, preload, a type's own constraint such as ``phone number``'s), so a cached form is
    read without importing pyxform."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    for child in children:
        if isinstance(child.get("children"), list):
            _annotate_types(child["children"])
        spec = QUESTION_TYPE_DICT.get(child.get("type", ""), {})
        bind = spec.get("bind", {})
        child["_type_spec"] = {
            "control": {"tag": spec.get("control", {}).get("tag")},
            "bind": {k: bind[k] for k in ("type", "constraint", "readonly", "jr:preload") if k in bind},
        }


def _build(js: dict[str, Any], book: Book | None, label: str) -> Instrument:
    form_id = js.get("id_string") or "form"
    default_language = js.get("default_language") or "default"
    languages: list[str] = []
    choice_lists = {
        list_name: _choice_list(list_name, rows, book, label, languages) for list_name, rows in (js.get("choices") or {}).items()
    }
    items: dict[str, Item] = {}
    notes: dict[str, Note] = {}
    groups: list[Group | None] = []
    consent: list[str] = []
    consent_choice: list[str] = []
    top_level: list[str] = []  # names of top-level items, notes and groups, in document order

    children = _expand_loops(js.get("children", []))
    item_keys, group_keys = _keys(children)
    paths: dict[str, str] = {}
    field_paths: dict[str, tuple[str, ...]] = {}  # key -> path segments (readers of other tools' exports)
    metadata: dict[str, str] = {}

    def walk(children: list[dict], prefix: str, group: str | None, repeat: str | None, sink: list[str] | None, direct: list[str]) -> None:
        for child in children:
            ctype = child.get("type", "")
            name = str(child.get("name", ""))
            path = f"{prefix}/{name}" if prefix else name
            if ctype in ("group", "repeat"):
                if child.get("control", {}).get("bodyless") or (name == "meta" and not prefix):
                    _record_paths(child.get("children", []), tuple(path.split("/")), field_paths)
                    continue
                key = group_keys[path]
                members: list[str] = []
                inner: list[str] = []
                slot = len(groups)
                groups.append(None)  # keep document order: outer group before inner ones
                walk(child.get("children", []), path, key, key if ctype == "repeat" else repeat, members, inner)
                bind = child.get("bind", {})
                groups[slot] = Group(
                    name=key,
                    labels=_labels(child.get("label"), default_language, languages),
                    relevant=bind.get("relevant"),
                    appearance=child.get("control", {}).get("appearance"),
                    elements=tuple(members),
                    path=path,
                    parent=group,
                    repeat=ctype == "repeat",
                    repeat_count=_text(child.get("control", {}).get("jr:count")),
                    children=tuple(inner),
                )
                paths[path] = key
                direct.append(key)
                if sink is not None:
                    sink.extend(members)
                else:
                    top_level.append(key)
                continue
            spec = child.get("_type_spec") or {}
            spec_bind = spec.get("bind", {})
            if ctype in _SKIP_TYPES or "jr:preload" in spec_bind or "jr:preload" in child.get("bind", {}):
                metadata[name] = ctype  # expressions may read it (${today}); it is never stored
                field_paths.setdefault(name, tuple(path.split("/")))
                continue
            key = item_keys[path]
            paths[path] = key
            field_paths[key] = tuple(path.split("/"))
            direct.append(key)
            if sink is not None:
                sink.append(key)
            else:
                top_level.append(key)
            bind = {**{k: v for k, v in spec_bind.items() if k in ("constraint",)}, **child.get("bind", {})}
            if ctype == "note":
                notes[key] = Note(
                    key,
                    _labels(child.get("label"), default_language, languages),
                    group,
                    bind.get("relevant"),
                    path=path,
                    repeat=repeat,
                    hints=_labels(child.get("hint"), default_language, languages),
                )
                continue
            xtype = _xlsform_type(ctype, spec)
            clist = choice_lists.get(child.get("list_name") or child.get("itemset") or "")
            if xtype in ("select_one", "select_multiple") and clist is None:
                if isinstance(child.get("choices"), list):  # an inline list (field-list label rows)
                    clist = _choice_list(str(child.get("itemset") or key), child["choices"], book, label, languages)
                else:
                    raise InstrumentError(f"{label}: sheet survey, item {name!r}: choice list not found")
            item = Item(
                name=key,
                type=xtype,
                labels=_labels(child.get("label"), default_language, languages),
                group=group,
                choice_list=clist,
                required=str(bind.get("required", "")).strip().lower() in REQUIRED_YES,
                required_if=required_condition(bind.get("required")),
                relevant=bind.get("relevant"),
                constraint=bind.get("constraint"),
                constraint_messages=_labels(bind.get("jr:constraintMsg"), default_language, languages),
                hints=_labels(child.get("hint"), default_language, languages),
                appearance=child.get("control", {}).get("appearance"),
                dimension=_text(child.get("dimension")),
                key=_key(child, book, label),
                pair=_text(child.get("pair")),
                missing=missing_codes(child.get("missing")),
                path=path if path != key else "",
                repeat=repeat,
                calculation=_text(bind.get("calculate")),
                choice_filter=_text(child.get("choice_filter")),
                default=_text(child.get("default")),
                parameters={str(k): str(v) for k, v in (child.get("parameters") or {}).items()},
                read_only=str(bind.get("readonly", "")).lower() in ("true()", "true", "yes", "1"),
            )
            items[key] = item
            if _text(child.get("consent_choice")):
                consent.append(key)
                choice = child["consent_choice"].strip()
                consent_choice.append(choice)
                if clist is None or clist.get(choice) is None:
                    _fail(label, book, "survey", name, "consent_choice", choice, "is not a choice of this item")

    walk(children, "", None, None, None, [])
    check_default_language(label, book, js.get("default_language"), languages)
    if len(consent) > 1:
        raise InstrumentError(f"{label}: sheet survey: more than one item has a consent_choice ({', '.join(consent)})")
    if consent and next(k for k, i in items.items() if i.collected) != consent[0]:
        raise InstrumentError(f"{label}: sheet survey: the consent item {consent[0]!r} must be the first question")
    return Instrument(
        form_id=form_id,
        title=_first_text(js.get("title")) or form_id,
        version=str(js.get("version") or ""),
        version_id="",  # set by load_instrument from the finished model
        default_language=default_language,
        languages=tuple(languages) or (default_language,),
        items=items,
        groups=tuple(groups),
        notes=notes,
        choice_lists=choice_lists,
        source=label,
        consent_item=consent[0] if consent else None,
        consent_choice=consent_choice[0] if consent_choice else None,
        order=tuple(top_level),
        paths=paths,
        metadata=metadata,
        field_paths=field_paths,
    )


def _record_paths(children: list[dict], prefix: tuple[str, ...], paths: dict[str, tuple[str, ...]]) -> None:
    """Paths of fields inside groups that are not shown (``meta`` and bodyless groups)."""
    for child in children:
        name = child.get("name", "")
        if child.get("type") in ("group", "repeat"):
            _record_paths(child.get("children", []), prefix + (name,), paths)
        elif name:
            paths.setdefault(name, prefix + (name,))


def _xlsform_type(ctype: str, spec: dict) -> str:
    """pyxform's type name (or alias) -> afstand's XLSForm type name."""
    if ctype in _PYXFORM_TYPES:
        return _PYXFORM_TYPES[ctype]
    tag = spec.get("control", {}).get("tag")
    bind_type = spec.get("bind", {}).get("type")
    if ctype in ("calculate", "hidden", "range", "acknowledge", "text", "note"):
        return ctype
    if tag == "trigger":
        return "acknowledge"
    if tag == "upload":
        return ctype
    if bind_type in _BIND_TYPES:
        return _BIND_TYPES[bind_type]
    if bind_type == "string" and tag == "input":
        return "text"
    if bind_type == "string" and tag is None and spec.get("bind", {}).get("readonly"):
        return "hidden"
    return ctype


def _choice_list(list_name: str, rows: list[dict], book: Book | None, label: str, languages: list[str]) -> ChoiceList:
    choices = []
    seen: dict[str, Any] = {}
    for row in rows:
        name = str(row.get("name"))
        # pyxform allows a name twice with the setting allow_choice_duplicates (e.g. a county under two
        # states, told apart by a choice_filter): one answer value, so its labels must agree
        if name in seen and seen[name] != row.get("label"):
            _fail_choice(
                label,
                book,
                list_name,
                name,
                "name",
                name,
                "appears twice in this list with different labels; afstand counts answers by choice name, "
                "so a repeated name must mean the same choice",
                occurrence=2,
            )
        seen.setdefault(name, row.get("label"))
        score = _text(row.get("score"))
        if score is not None:
            try:
                score_value: float | None = float(score)
            except ValueError:
                _fail_choice(label, book, list_name, row.get("name"), "score", score, "is not a number")
        else:
            score_value = None
        choices.append(
            Choice(
                name=str(row.get("name")),
                labels=_labels(row.get("label"), None, languages),
                score=score_value,
                collapse=_text(row.get("collapse")),
                columns={str(k): str(v) for k, v in row.items() if k not in _CHOICE_OWN and not isinstance(v, (dict, list))},
            )
        )
    return ChoiceList(list_name, tuple(choices))


def _labels(value: Any, default_language: str | None, languages: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        for lang in value:
            if lang not in languages:
                languages.append(lang)
        # in the form's language order, not the dict's: pyxform builds some labels (or_other's "Other")
        # from a set, whose order changes with the process's hash seed, and the version id hashes the order
        return {str(lang): str(value[lang]) for lang in languages if lang in value}
    return {default_language or "default": str(value)}


def _first_text(value: Any) -> str | None:
    if isinstance(value, dict):
        return next(iter(value.values()), None)
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _key(child: dict, book: Book | None, label: str) -> int | None:
    raw = _text(child.get("key"))
    if raw is None:
        return None
    if raw in _VALID_KEYS:
        return _VALID_KEYS[raw]
    try:
        as_float = float(raw)
    except ValueError:
        as_float = None
    if as_float in (1.0, -1.0):
        return int(as_float)
    _fail(label, book, "survey", child.get("name"), "key", raw, "must be 1 or -1")
    return None  # unreachable


def _fail(label: str, book: Book | None, sheet: str, name: Any, column: str, value: Any, why: str) -> None:
    fail(label, book, sheet, {"name": str(name)}, column, value, why)


def _fail_choice(label: str, book: Book | None, list_name: str, name: Any, column: str, value: Any, why: str, occurrence: int = 1) -> None:
    fail(label, book, "choices", {"list_name": list_name, "name": str(name)}, column, value, why, occurrence)
