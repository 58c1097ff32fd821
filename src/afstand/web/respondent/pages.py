"""How an instrument becomes survey pages, and what one page shows.

One page per top-level group, split when a group holds more than :data:`MAX_QUESTIONS`
questions (a phone page stays short): a run of likert statements sharing an answer scale stays
together with the questions that follow it (its explanation), and a run that is too long on its
own is cut into even parts. A question whose ``relevant`` depends only on earlier pages is shown
only when relevant; one that depends on a question of the same page is shown with its condition
(``data-relevant``) so the page script can show and hide it, and without the script the server
drops an answer it should not have got, with a notice.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from afstand.instrument.model import Group, Instrument, Item
from afstand.instrument.xpath import compile_expression

MAX_QUESTIONS = 12


@dataclass(frozen=True)
class Page:
    name: str
    labels: dict
    elements: tuple[str, ...]
    relevant: str | None = None
    part: int = 1
    parts: int = 1

    def label(self, language: str) -> str:
        text = Group(self.name, self.labels).label(language)
        return f"{text} ({self.part}/{self.parts})" if self.parts > 1 else text


def pages(instrument: Instrument) -> list[Page]:
    by_name = {g.name: g for g in instrument.groups}
    result: list[Page] = []
    loose: list[str] = []

    def flush() -> None:
        if loose:
            result.extend(_split(instrument, Group(f"_page{len(result)}", {"": instrument.title}, elements=tuple(loose))))
            loose.clear()

    for name in instrument.order:
        if name in by_name:
            flush()
            result.extend(_split(instrument, by_name[name]))
        else:
            loose.append(name)
    flush()
    return result


def _segments(instrument: Instrument, elements: tuple[str, ...]) -> list[list[str]]:
    """Runs of likert statements (same scale) with what follows them, up to the next run."""
    segments: list[list[str]] = [[]]
    previous = None  # the scale of the previous question when it was a likert statement
    for name in elements:
        item = instrument.items.get(name)
        scale = item.choice_list.name if item is not None and item.appearance == "likert" and item.kind == "select_one" else None
        if scale is not None and scale != previous and _count(instrument, segments[-1]):
            segments.append([])
        segments[-1].append(name)
        if item is not None:
            previous = scale
    return [s for s in segments if s]


def _count(instrument: Instrument, names: list[str]) -> int:
    return sum(1 for n in names if n in instrument.items)


def _split(instrument: Instrument, group: Group) -> list[Page]:
    if _count(instrument, list(group.elements)) <= MAX_QUESTIONS:
        return [Page(group.name, dict(group.labels), group.elements, group.relevant)]
    chunks: list[list[str]] = []
    for segment in _segments(instrument, group.elements):
        size = _count(instrument, segment)
        if size > MAX_QUESTIONS:  # too long on its own: even parts
            parts = math.ceil(size / MAX_QUESTIONS)
            per = math.ceil(size / parts)
            current: list[str] = []
            for name in segment:
                current.append(name)
                if _count(instrument, current) >= per and name in instrument.items:
                    chunks.append(current)
                    current = []
            if current:
                if chunks and _count(instrument, current) == 0:
                    chunks[-1].extend(current)
                else:
                    chunks.append(current)
        elif chunks and _count(instrument, chunks[-1]) + size <= MAX_QUESTIONS:
            chunks[-1].extend(segment)
        else:
            chunks.append(list(segment))
    return [Page(group.name, dict(group.labels), tuple(c), group.relevant, i + 1, len(chunks)) for i, c in enumerate(chunks)]


def page_relevant(page: Page, answers: dict) -> bool:
    return not page.relevant or compile_expression(page.relevant)(answers)


def item_relevant(item: Item, answers: dict) -> bool:
    return not item.relevant or compile_expression(item.relevant)(answers)


def asked(form: Instrument, item: Item, answers: dict) -> bool:
    """Whether ``item`` is asked given ``answers``: its own condition and those of its groups."""
    conditions = [g.relevant for g in form.groups if g.relevant and item.name in g.elements]
    if item.relevant:
        conditions.append(item.relevant)
    return all(compile_expression(c)(answers) for c in conditions)


def on_page_condition(item: Item, page: Page) -> bool:
    """True when the item's condition refers to a question on the same page (the script decides)."""
    return bool(item.relevant) and bool(compile_expression(item.relevant).references & set(page.elements))


def choice_text(item: Item, value: str, language: str) -> str:
    if item.kind == "number" and language.endswith("(nl)"):
        return value.replace(".", ",")
    if item.choice_list is None:
        return value
    names = value.split() if item.kind == "select_multiple" else [value]
    return ", ".join(item.choice_list.get(n).label(language) if item.choice_list.get(n) else n for n in names)


def blocks(form: Instrument, page: Page, answers: dict, raw: dict, language: str) -> list[dict]:
    """Notes, single questions and likert runs (statements sharing a choice list) of one page."""
    result: list[dict] = []
    for name in page.elements:
        if name in form.notes:
            note = form.notes[name]
            if note.relevant and not compile_expression(note.relevant)(answers):
                continue
            result.append({"kind": "note", "text": note.label(language), "name": name})
            continue
        item = form.items.get(name)
        if item is None:
            continue
        local = on_page_condition(item, page)
        if not local and not item_relevant(item, answers):
            continue  # its trigger is on an earlier page and says: not asked
        entry = _item(item, answers, raw, language)
        if local:
            entry["condition"] = item.relevant
        if item.appearance == "likert" and item.kind == "select_one" and not local:
            last = result[-1] if result else None
            if last and last["kind"] == "likert" and last["list"] == item.choice_list.name:
                last["rows"].append(entry)
            else:
                result.append({"kind": "likert", "list": item.choice_list.name, "rows": [entry],
                               "choices": [(c.name, c.label(language)) for c in item.choice_list.choices]})
        else:
            result.append({"kind": "item", "item": entry})
    return result


def context_values(form: Instrument, page: Page, answers: dict) -> str:
    """JSON of the earlier answers that this page's conditions refer to (for the page script)."""
    names: set[str] = set()
    for name in page.elements:
        item = form.items.get(name)
        if item is not None and on_page_condition(item, page):
            names |= compile_expression(item.relevant).references - set(page.elements)
    return json.dumps({n: answers[n] for n in sorted(names) if n in answers}, separators=(",", ":"))


def _item(item: Item, answers: dict, raw: dict, language: str) -> dict:
    value = raw.get(item.name)
    if value is None:
        value = answers.get(item.name, "")
        if item.kind == "number" and language.endswith("(nl)"):
            value = value.replace(".", ",")  # shown as typed in Dutch: 0,5 (stored as 0.5)
    return {
        "name": item.name, "type": item.type, "kind": item.kind, "label": item.label(language),
        "hint": item.hints.get(language) or next(iter(item.hints.values()), ""),
        "required": item.required, "multiline": item.appearance == "multiline",
        "choices": [(c.name, c.label(language)) for c in item.choice_list.choices] if item.choice_list else [],
        "value": value, "selected": set(value.split()) if item.kind == "select_multiple" else {value},
        "decimal": item.type != "integer",
    }
