"""The version id of an instrument: a hash of a canonical form of afstand's own model.

What the id covers is what afstand reads from the XLSForm: the settings (form id, title, version,
languages), every item (type, labels, hints, group, choice list, required, relevant, constraint
and its messages, appearance, and the metadata columns dimension, key, pair, consent_choice),
notes, groups (labels, relevant, appearance, members) and choice lists (names, labels, score,
collapse), in form order; and, only when a form has them (so forms without keep their ids), the
form engine's fields: calculations, choice filters and choice columns, defaults, parameters,
read-only, repeats (repeat_count), nested groups, note hints and the metadata rows expressions may
read. Paths are not hashed: they follow from the names and groups. Not covered: where the form was read from, pyxform's warnings, and
anything afstand does not read (pyxform's internal dictionary may change without notice, so it
is not hashed). An ``.md`` form and its ``.xlsx`` export therefore have the same id, and any
change that afstand can see gives a new one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Mapping

from afstand.instrument.model import ChoiceList, Group, Instrument, Item, Note

SCHEME = 1  # bump when the canonical form below changes meaning


def _labels(labels: Mapping[str, str]) -> list[list[str]]:
    return [[language, text] for language, text in labels.items()]


def _set(out: dict, **fields) -> dict:
    """Add the form-engine fields that are set (a form without them keeps the id it had before they existed)."""
    out.update({k: v for k, v in fields.items() if v not in (None, "", False, {}, [], ())})
    return out


def _choice_list(clist: ChoiceList) -> dict:
    return {
        "name": clist.name,
        "choices": [
            _set({"name": c.name, "labels": _labels(c.labels), "score": c.score, "collapse": c.collapse}, columns=sorted(c.columns.items()))
            for c in clist.choices
        ],
    }


def _item(item: Item) -> dict:
    return {
        "name": item.name,
        "type": item.type,
        "labels": _labels(item.labels),
        "hints": _labels(item.hints),
        "group": item.group,
        "choice_list": item.choice_list.name if item.choice_list else None,
        "required": item.required,
        "relevant": item.relevant,
        "constraint": item.constraint,
        "constraint_messages": _labels(item.constraint_messages),
        "appearance": item.appearance,
        "dimension": item.dimension,
        "key": item.key,
        "pair": item.pair,
    } | _set(
        {},
        repeat=item.repeat,
        calculation=item.calculation,
        choice_filter=item.choice_filter,
        default=item.default,
        parameters=sorted(item.parameters.items()),
        read_only=item.read_only,
        required_if=item.required_if,
        # declared missing-value codes change the analysis; listed only when given
        missing=list(item.missing),
    )


def _note(note: Note) -> dict:
    return _set(
        {"name": note.name, "labels": _labels(note.labels), "group": note.group, "relevant": note.relevant},
        repeat=note.repeat,
        hints=_labels(note.hints),
    )


def _group(group: Group) -> dict:
    return _set(
        {
            "name": group.name,
            "labels": _labels(group.labels),
            "relevant": group.relevant,
            "appearance": group.appearance,
            "elements": list(group.elements),
        },
        parent=group.parent,
        repeat=group.repeat,
        repeat_count=group.repeat_count,
        children=list(group.children) if group.parent or group.repeat else [],
    )


def canonical(instrument: Instrument) -> dict:
    """The instrument as plain JSON-able data, in form order (what the version id hashes)."""
    return {
        "scheme": SCHEME,
        "form_id": instrument.form_id,
        "title": instrument.title,
        "version": instrument.version,
        "default_language": instrument.default_language,
        "languages": list(instrument.languages),
        "consent_item": instrument.consent_item,
        "consent_choice": instrument.consent_choice,
        "order": list(instrument.order),
        "items": [_item(i) for i in instrument.items.values()],
        "notes": [_note(n) for n in instrument.notes.values()],
        "groups": [_group(g) for g in instrument.groups],
        **_set({}, metadata=sorted(instrument.metadata.items())),
        "choice_lists": [_choice_list(c) for c in sorted(instrument.choice_lists.values(), key=lambda c: c.name)],
    }


def version_id(instrument: Instrument) -> str:
    """``<form_id>@<16 hex digits of SHA-256>`` of :func:`canonical`."""
    text = json.dumps(canonical(instrument), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return f"{instrument.form_id}@{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"
