"""The header keys of a form, for :mod:`afstand.responses.layouts`: every way an export tool can
name a question's column, built from the form (never guessed from a header's punctuation).

By name (``kobo-xml``, ``odk-central``, ``afstand``, ``spss``): the bare name, the full group path
joined by the layout's separator, the path within the innermost repeat (ODK Central's repeat
files), a select_multiple's ``<key><sep><choice name>`` 0/1 columns, a geopoint's parts (Kobo's
``_<name>_latitude``, Central's ``<path>-Latitude``).

By label (``kobo-labels``, ``ms-forms``), per language of the form as formpack writes it: the
question's label in that language, or its name when it has none there; with group headers the
groups' labels in the same language (a group without one: its name) joined by the separator; a
select_multiple's ``<key><sep><choice label>`` (a choice without a label in that language: its
name; KoboToolbox's ``or_other`` column ``<key>/other``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from afstand.instrument.model import Instrument
from afstand.instrument.support import canonical_type
from afstand.responses.layout_values import norm

#: form metadata that identifies a person or holds a precise time: an export's column is never read in
IDENTIFYING_METADATA = ("start", "end", "deviceid", "username", "email", "phonenumber", "simserial", "subscriberid",
                        "start-geopoint", "background-geopoint", "uri:deviceid", "uri:username", "uri:email",
                        "uri:phonenumber", "uri:simserial", "uri:subscriberid")  # fmt: skip
#: answers that are a file name; KoboToolbox's "include media URLs" adds a ``<header>_URL`` column
MEDIA_TYPES = ("image", "audio", "video", "file", "background-audio")
#: a geopoint's parts as KoboToolbox (``_<name>_latitude``) and ODK Central (``<path>-Latitude``) write them
KOBO_GEO_PARTS = ("latitude", "longitude", "altitude", "precision")
CENTRAL_GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


@dataclass
class Target:
    kind: str  # item, choice, part, field, id, meta, dropped, unknown, twice, ambiguous, empty
    name: str | None = None
    choice: str | None = None  # the choice's name (a split select_multiple column); a part's position
    fallback: bool = False  # a key from a name where the tool would write a label: matched after labels


def add(keys: dict[str, list[Target]], key: str, target: Target) -> None:
    if not key:
        return
    for t in keys[key]:
        if (t.kind, t.name, t.choice) == (target.kind, target.name, target.choice):
            t.fallback = t.fallback and target.fallback
            return
    keys[key].append(target)


def paths(instrument: Instrument) -> dict[str, tuple[str, ...]]:
    out = dict(instrument.field_paths)
    for name, item in instrument.items.items():  # instruments built without paths
        out.setdefault(name, ((item.group,) if item.group else ()) + (name,))
    for name, note in instrument.notes.items():
        out.setdefault(name, ((note.group,) if note.group else ()) + (name,))
    return out


def _other_kind(instrument: Instrument, name: str) -> str:
    """A form field that is not a question: ``dropped`` when it identifies a person or holds a precise
    time (``start``, ``end``, ``deviceid``, …), else ``field`` (listed as unused)."""
    return "dropped" if instrument.metadata.get(name) in IDENTIFYING_METADATA else "field"


def _in_repeat(instrument: Instrument, name: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path below the innermost repeat holding the field (None: not in a repeat)."""
    item = instrument.items.get(name) or instrument.notes.get(name)
    repeat = instrument.group(item.repeat) if item is not None and item.repeat else None
    if repeat is None or not repeat.path:
        return None
    depth = len(repeat.path.split("/"))
    return path[depth:] if len(path) > depth else None


def keys_by_name(forms: list[Instrument], separators: tuple[str, ...], choice_separators: tuple[str, ...]) -> dict[str, list[Target]]:
    keys: dict[str, list[Target]] = defaultdict(list)
    for instrument in forms:
        for name, path in paths(instrument).items():
            target = Target("item", name) if name in instrument.items else Target(_other_kind(instrument, name), name)
            inner = _in_repeat(instrument, name, path)
            spellings = list(dict.fromkeys(sep.join(p) if sep else p[-1] for sep in separators for p in (path, inner) if p))
            for key in spellings:
                add(keys, key, target)
            item = instrument.items.get(name)
            if item is None:
                continue
            if item.type == "select_multiple":
                for key in spellings:
                    for sep in choice_separators:
                        closing = "]" if sep.endswith("[") else ""  # LimeSurvey: q[choice]
                        for choice in item.choice_list.choices:
                            add(keys, f"{key}{sep}{choice.name}{closing}", Target("choice", name, choice.name))
                    if item.choice_list.get("other") is not None:  # formpack's or_other column: "<key>/other", whatever the separator
                        add(keys, f"{key}/other", Target("choice", name, "other"))
            elif canonical_type(item.type) in MEDIA_TYPES:
                for key in spellings:
                    add(keys, f"{key}_URL", Target("field", name, "url"))
            elif item.type == "geopoint":
                prefixes = [list(p[:-1]) for p in (path, inner) if p]
                _geo_keys(keys, name, spellings, [path[-1]], prefixes, separators, str)
    return keys


def _geo_keys(keys, name, spellings, owns, prefixes, separators, fix) -> None:
    """Central: ``<header>-Latitude`` …; Kobo: ``_<own>_latitude`` …, after the group path with group headers."""
    for key in spellings:
        for n, part in enumerate(CENTRAL_GEO_PARTS):
            add(keys, fix(f"{key}-{part}"), Target("part", name, str(n)))
    for own in dict.fromkeys(owns):
        for n, part in enumerate(KOBO_GEO_PARTS):
            bare = f"_{own}_{part}"
            add(keys, fix(bare), Target("part", name, str(n)))
            for sep in separators:
                for prefix in prefixes:
                    if sep and prefix:
                        add(keys, fix(sep.join(prefix + [bare])), Target("part", name, str(n)))


def _group_texts(instrument: Instrument, path: tuple[str, ...], lang: str | None) -> list[str]:
    """The labels of the groups around a field in one language (a group without one: its name)."""
    out = []
    for depth in range(1, len(path)):
        g = instrument.group(instrument.paths.get("/".join(path[:depth]), ""))
        out.append(((g.labels.get(lang) if lang else None) or path[depth - 1]) if g is not None else path[depth - 1])
    return out


def keys_by_label(forms: list[Instrument], separators: tuple[str, ...], choice_separators: tuple[str, ...]) -> dict[str, list[Target]]:
    keys: dict[str, list[Target]] = defaultdict(list)
    for instrument in forms:
        languages = list(dict.fromkeys(instrument.languages)) + [None]  # None: every text by its name
        for name, path in paths(instrument).items():
            element = instrument.items.get(name) or instrument.notes.get(name)
            is_item = name in instrument.items
            labels = dict(element.labels) if element is not None else {}
            spellings: list[tuple[str, str | None]] = []  # (header, language)
            owns, prefixes = [], []
            for lang in languages:
                prefix = _group_texts(instrument, path, lang)
                prefixes.append(prefix)
                # the label in this language; the name too (a tool that has no label in this language
                # writes the name: pyxform's "Specify other." of or_other is in one language only)
                for own in dict.fromkeys([(labels.get(lang) if lang else None) or path[-1], path[-1]]):
                    owns.append(own)
                    for sep in separators:
                        spellings.append((sep.join(prefix + [own]) if sep else own, lang if own != path[-1] or not labels else None))
            if "" in separators:  # any label, whatever the language
                spellings += [(text, "") for text in labels.values()]
            for key, lang in dict.fromkeys(spellings):
                fallback = lang is None and bool(labels)  # the name where the form has a label
                add(keys, norm(key), Target("item" if is_item else _other_kind(instrument, name), name, fallback=fallback))
            item = instrument.items.get(name)
            if item is None:
                continue
            if item.type == "select_multiple":
                for key, lang in dict.fromkeys(spellings):
                    for choice in item.choice_list.choices:
                        if lang:
                            texts = [choice.labels.get(lang) or choice.name]
                        else:
                            texts = [choice.name] + list(choice.labels.values())
                        for sep in choice_separators:
                            for text in dict.fromkeys(texts):
                                add(keys, norm(f"{key}{sep}{text}"), Target("choice", name, choice.name))
                        if choice.name == "other":  # formpack's or_other column: "<label>/other", whatever the separator
                            add(keys, norm(f"{key}/other"), Target("choice", name, choice.name))
            elif canonical_type(item.type) in MEDIA_TYPES:
                for key, _lang in dict.fromkeys(spellings):
                    add(keys, norm(f"{key}_URL"), Target("field", name, "url"))
            elif item.type == "geopoint":
                _geo_keys(keys, name, [k for k, _ in dict.fromkeys(spellings)], owns, prefixes, separators, norm)
    return keys
