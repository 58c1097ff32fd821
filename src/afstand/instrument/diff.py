"""What changed between two versions of an instrument, and whether an item stays comparable.

Items are matched by name. For each item the diff lists changes of these kinds:

``added`` / ``removed``
    the item is only in the newer / only in the older version;
``relabelled``
    the question's wording changed (per language; a change in the default language breaks
    comparability, a change only in a translation does not);
``rescaled``
    the answer categories changed: choices ``added``, ``removed``, ``renamed`` (a new name
    with the wording of a removed choice), ``relabelled`` (same name, new wording) or
    ``reordered`` (same choices in another order). Reordering alone keeps the counts per
    choice comparable; every other change of the categories breaks comparability;
``rescored`` / ``recollapsed``
    the choices' ``score`` / ``collapse`` values changed: breaks the comparability of the
    scales / the collapsed Likert categories, not of the per-choice percentages;
``type``
    the XLSForm type changed (e.g. ``select_one`` → ``select_multiple``);
``relevance``
    the condition under which the question is shown changed (its own ``relevant`` and its
    group's), so a different set of respondents answers it;
``required``
    the question became required or optional (flagged; the categories stay comparable).

Every change carries the wording of both versions (``from`` / ``to``), so outputs can show
what the respondents of each year read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from afstand.instrument.model import Instrument, Item

#: Kinds of change that make an item's per-choice percentages incomparable.
BREAKING = frozenset({"added", "removed", "relabelled", "rescaled", "type", "relevance"})


@dataclass(frozen=True)
class Change:
    item: str
    kind: str
    breaks: bool
    before: str | None  # the older version's wording (question, or the changed choices)
    after: str | None
    details: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        out = {"item": self.item, "kind": self.kind, "breaks_comparability": self.breaks, "from": self.before, "to": self.after}
        if self.details:
            out["details"] = [dict(d) for d in self.details]
        return out


@dataclass
class InstrumentDiff:
    before: Instrument
    after: Instrument
    changes: list[Change] = field(default_factory=list)

    def item_changes(self, name: str) -> list[Change]:
        return [c for c in self.changes if c.item == name]

    def comparable(self, name: str) -> bool:
        """The item is in both versions and no change breaks its per-choice percentages."""
        if name not in self.before.items or name not in self.after.items:
            return False
        return not any(c.breaks for c in self.item_changes(name))

    def likert_comparable(self, name: str) -> bool:
        return self.comparable(name) and not any(c.kind == "recollapsed" for c in self.item_changes(name))

    def scale_comparable(self, names: list[str]) -> bool:
        return all(self.comparable(n) and not any(c.kind == "rescored" for c in self.item_changes(n)) for n in names)

    def as_dict(self) -> dict:
        changed = sorted({c.item for c in self.changes}, key=self._order)
        return {
            "from": {"form_id": self.before.form_id, "version_id": self.before.version_id, "source": self.before.source},
            "to": {"form_id": self.after.form_id, "version_id": self.after.version_id, "source": self.after.source},
            "added": [c.item for c in self.changes if c.kind == "added"],
            "removed": [c.item for c in self.changes if c.kind == "removed"],
            "changed": {
                name: {"comparable": self.comparable(name), "changes": [c.as_dict() for c in self.item_changes(name)]} for name in changed
            },
            "unchanged": [n for n in self.after.items if n in self.before.items and not self.item_changes(n)],
        }

    def _order(self, name: str) -> tuple[int, int]:
        after = list(self.after.items)
        before = list(self.before.items)
        return (after.index(name), 0) if name in self.after.items else (len(after), before.index(name))


def diff_instruments(before: Instrument, after: Instrument) -> InstrumentDiff:
    out = InstrumentDiff(before, after)
    lang_before, lang_after = before.default_language, after.default_language
    for name, item in after.items.items():
        if name not in before.items:
            out.changes.append(Change(name, "added", True, None, item.label(lang_after)))
    for name, item in before.items.items():
        if name not in after.items:
            out.changes.append(Change(name, "removed", True, item.label(lang_before), None))
            continue
        out.changes.extend(_item_changes(before, item, after, after.items[name]))
    return out


def _item_changes(form_a: Instrument, a: Item, form_b: Instrument, b: Item) -> list[Change]:
    changes: list[Change] = []
    wording_a, wording_b = a.label(form_a.default_language), b.label(form_b.default_language)
    if a.type != b.type:
        changes.append(Change(a.name, "type", True, f"{a.type}: {wording_a}", f"{b.type}: {wording_b}"))
    languages = [lang for lang in dict.fromkeys([*a.labels, *b.labels])]
    relabelled = [lang for lang in languages if _norm(a.labels.get(lang)) != _norm(b.labels.get(lang))]
    if relabelled:
        breaks = form_b.default_language in relabelled or form_a.default_language in relabelled
        changes.append(Change(a.name, "relabelled", breaks, wording_a, wording_b, tuple({"language": lang} for lang in relabelled)))
    relevance_a, relevance_b = _relevance(form_a, a), _relevance(form_b, b)
    if relevance_a != relevance_b:
        changes.append(Change(a.name, "relevance", True, relevance_a or "(always shown)", relevance_b or "(always shown)"))
    if (a.required, a.required_if) != (b.required, b.required_if):
        changes.append(Change(a.name, "required", False, _required(a), _required(b)))
    if a.choice_list is not None and b.choice_list is not None:
        changes.extend(_choice_changes(a, form_a.default_language, b, form_b.default_language))
    return changes


def _required(item: Item) -> str:
    if item.required_if:
        return f"required if {item.required_if}"
    return "required" if item.required else "optional"


def _choice_changes(a: Item, lang_a: str, b: Item, lang_b: str) -> list[Change]:
    before = {c.name: c for c in a.choice_list.choices}
    after = {c.name: c for c in b.choice_list.choices}
    details: list[dict] = []
    removed = [n for n in before if n not in after]
    added = [n for n in after if n not in before]
    # a removed and an added choice with the same wording: a renamed choice
    by_label = {_norm(before[n].label(lang_a)): n for n in removed}
    for name in list(added):
        old = by_label.pop(_norm(after[name].label(lang_b)), None)
        if old is not None:
            details.append({"change": "renamed", "from": old, "to": name, "label": after[name].label(lang_b)})
            removed.remove(old)
            added.remove(name)
    details += [{"change": "removed", "choice": n, "label": before[n].label(lang_a)} for n in removed]
    details += [{"change": "added", "choice": n, "label": after[n].label(lang_b)} for n in added]
    for name in before:
        if name in after and any(
            _norm(before[name].labels.get(k)) != _norm(after[name].labels.get(k)) for k in {*before[name].labels, *after[name].labels}
        ):
            details.append({"change": "relabelled", "choice": name, "from": before[name].label(lang_a), "to": after[name].label(lang_b)})
    common_a = [n for n in before if n in after]
    common_b = [n for n in after if n in before]
    reordered = common_a != common_b
    out: list[Change] = []
    wording = lambda item, lang: " | ".join(c.label(lang) for c in item.choice_list.choices)  # noqa: E731
    if details or reordered:
        if reordered:
            details.append({"change": "reordered", "from": common_a, "to": common_b})
        breaks = any(d["change"] != "reordered" for d in details)
        out.append(Change(a.name, "rescaled", breaks, wording(a, lang_a), wording(b, lang_b), tuple(details)))
    shared = [n for n in before if n in after]
    rescored = [{"choice": n, "from": before[n].score, "to": after[n].score} for n in shared if before[n].score != after[n].score]
    if rescored:
        out.append(Change(a.name, "rescored", False, _scores(a), _scores(b), tuple(rescored)))
    recollapsed = [
        {"choice": n, "from": before[n].collapse, "to": after[n].collapse} for n in shared if before[n].collapse != after[n].collapse
    ]
    if recollapsed:
        out.append(Change(a.name, "recollapsed", False, _collapse(a), _collapse(b), tuple(recollapsed)))
    return out


def _relevance(form: Instrument, item: Item) -> str | None:
    """The item's own condition and its group's, as one normalised expression."""
    parts = []
    group = next((g for g in form.groups if g.name == item.group), None) if item.group else None
    if group is not None and group.relevant:
        parts.append(_norm(group.relevant))
    if item.relevant:
        parts.append(_norm(item.relevant))
    return " and ".join(f"({p})" if len(parts) > 1 else p for p in parts) or None


def _scores(item: Item) -> str:
    return ", ".join(f"{c.name}={c.score:g}" if c.score is not None else f"{c.name}=–" for c in item.choice_list.choices)


def _collapse(item: Item) -> str:
    return ", ".join(f"{c.name}→{c.collapse or '–'}" for c in item.choice_list.choices)


def _norm(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None
