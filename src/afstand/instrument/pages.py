"""What survey pages show and read: the form engine's page-level API (no web framework here).

* :func:`pages` — one page per top-level group (a field-list or not: afstand shows a group on one
  page); a run of questions outside any group is a page of its own; a repeat is a page of its own,
  answered once per instance (instances added and removed with :func:`add_instance` and
  :func:`remove_instance`, or fixed by ``repeat_count``).
* :func:`page_view` — for the answers so far: the page's notes and questions with ``${}``
  interpolated in labels and hints, the choices left by ``choice_filter``, whether each is
  relevant now, its current value and its namespaced form field.
* :func:`read_page` — a page's posted fields merged into the answers.
* :func:`page_errors` — the page's problems, each naming its question.

Form fields are namespaced (:data:`FIELD_PREFIX`), so a question named ``state``, ``action`` or
``csrfmiddlewaretoken`` cannot collide with a page's own fields.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from afstand.instrument.engine import MAX_INSTANCES, Engine, Scope, current_language, engine_for, evaluation_language
from afstand.instrument.model import Instrument
from afstand.instrument.xpath import string

FIELD_PREFIX = "q-"


@dataclass(frozen=True)
class Page:
    key: str
    labels: Mapping[str, str]
    elements: tuple[str, ...]  # question and note keys, in order
    group: str | None = None  # the group shown (its relevance decides whether the page is shown)
    repeat: str | None = None  # a repeat page: its questions are answered per instance

    def label(self, language: str | None = None) -> str:
        if not self.labels:
            return self.key
        if language in self.labels:
            return self.labels[language]
        return next((v for k, v in self.labels.items() if language and k.endswith(f"({language})")), next(iter(self.labels.values())))


@dataclass(frozen=True)
class QuestionView:
    key: str
    field: str  # the namespaced form field name
    type: str  # XLSForm type ("note" for a note)
    label: str
    hint: str
    required: bool
    relevant: bool
    value: str
    choices: tuple[tuple[str, str], ...] = ()
    appearance: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceView:
    index: int  # 0-based
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class PageView:
    page: Page
    title: str
    relevant: bool
    questions: tuple[QuestionView, ...] = ()  # a page without repeat
    instances: tuple[InstanceView, ...] = ()  # a repeat page
    fixed_count: int | None = None  # repeat_count: the respondent cannot add or remove instances


def field_name(key: str, scope: Scope = ()) -> str:
    """The form field of a question: ``q-age``; in a repeat instance ``q-member[2]/age``."""
    return FIELD_PREFIX + "/".join(f"{r}[{i + 1}]" for r, i in scope) + ("/" if scope else "") + key


def pages(instrument: Instrument) -> list[Page]:
    engine = engine_for(instrument)
    groups = engine.groups
    result: list[Page] = []
    loose: list[str] = []

    def flush() -> None:
        if loose:
            result.append(Page(f"_page{len(result)}", {"": instrument.title}, tuple(loose)))
            loose.clear()

    for key in instrument.order:
        group = groups.get(key)
        if group is None:
            loose.append(key)
            continue
        flush()
        if group.repeat:
            result.append(Page(key, group.labels, group.elements, group=key, repeat=key))
            continue
        run: list[str] = []
        current: str | None = None  # the outermost repeat of the run being collected
        part = 0
        for element in group.elements:
            chain = engine.chain.get(element, ())
            outer = next((r for r in chain if r not in engine.ancestors.get(key, ()) and r != key), None)
            if outer != current and run:
                name = key if part == 0 and current is None else f"{key}.{part}"
                result.append(
                    Page(
                        current or name,
                        groups[current].labels if current else group.labels,
                        tuple(run),
                        group=current or key,
                        repeat=current,
                    )
                )
                part += 1
                run = []
            current = outer
            run.append(element)
        if run:
            name = key if part == 0 and current is None else f"{key}.{part}"
            result.append(
                Page(current or name, groups[current].labels if current else group.labels, tuple(run), group=current or key, repeat=current)
            )
    flush()
    return result


def page_relevant(instrument: Instrument, page: Page, answers: Mapping[str, Any], today: dt.date | None = None) -> bool:
    engine = engine_for(instrument)
    computed = _computed(engine, answers, today)
    if page.group is not None and not engine.is_relevant(page.group, computed, (), today):
        return False
    if page.repeat is not None:
        return True
    return any(engine.is_relevant(e, computed, (), today) for e in page.elements if _shown(engine, e))


def page_view(
    instrument: Instrument, page: Page, answers: Mapping[str, Any], language: str | None = None, today: dt.date | None = None
) -> PageView:
    """What a page shows for ``answers``: labels in ``language`` (default: the language expressions are
    evaluated in, :func:`afstand.instrument.engine.evaluation_language`), and so is ``jr:choice-name()``."""
    if language is None or language == current_language():
        return _page_view(instrument, page, answers, language or current_language(), today)
    with evaluation_language(language):
        return _page_view(instrument, page, answers, language, today)


def _page_view(instrument: Instrument, page: Page, answers: Mapping[str, Any], language: str | None, today: dt.date | None) -> PageView:
    engine = engine_for(instrument)
    computed = _computed(engine, answers, today)
    title = engine.interpolate(page.label(language), computed)
    relevant = page.group is None or engine.is_relevant(page.group, computed, (), today)
    if page.repeat is None:
        return PageView(page, title, relevant, questions=_questions(engine, page, computed, (), computed, language, today))
    fixed = engine.instance_count(page.repeat, computed)
    instances = computed.get(page.repeat) if isinstance(computed.get(page.repeat), list) else []
    count = fixed if fixed is not None else max(1, len(instances))
    views = []
    for index in range(count):
        container = instances[index] if index < len(instances) else {}
        scope = ((page.repeat, index),)
        views.append(InstanceView(index, _questions(engine, page, computed, scope, container, language, today)))
    return PageView(page, title, relevant, instances=tuple(views), fixed_count=fixed)


def read_page(
    instrument: Instrument, page: Page, answers: Mapping[str, Any], getlist: Callable[[str], list[str]], instances: int | None = None
) -> dict[str, Any]:
    """The answers with this page's fields replaced by what was posted (``getlist(field)`` → values).

    For a repeat page, ``instances`` is the number of instances shown (default: as many as stored,
    at least one)."""
    engine = engine_for(instrument)
    merged = copy.deepcopy(dict(answers))
    if page.repeat is None:
        _read_fields(engine, page, merged, (), getlist)
        return merged
    stored = merged.get(page.repeat) if isinstance(merged.get(page.repeat), list) else []
    fixed = engine.instance_count(page.repeat, _computed(engine, merged, None))
    count = fixed if fixed is not None else instances if instances is not None else max(1, len(stored))
    count = max(0, min(MAX_INSTANCES, count))
    out = []
    for index in range(count):
        container = dict(stored[index]) if index < len(stored) and isinstance(stored[index], dict) else {}
        _read_fields(engine, page, container, ((page.repeat, index),), getlist)
        out.append(container)
    merged[page.repeat] = out
    return merged


def add_instance(answers: Mapping[str, Any], repeat: str) -> dict[str, Any]:
    merged = copy.deepcopy(dict(answers))
    instances = merged.get(repeat) if isinstance(merged.get(repeat), list) else []
    if len(instances) < MAX_INSTANCES:
        instances.append({})
    merged[repeat] = instances
    return merged


def remove_instance(answers: Mapping[str, Any], repeat: str, index: int) -> dict[str, Any]:
    merged = copy.deepcopy(dict(answers))
    instances = merged.get(repeat) if isinstance(merged.get(repeat), list) else []
    if 0 <= index < len(instances):
        del instances[index]
    merged[repeat] = instances
    return merged


def page_errors(instrument: Instrument, page: Page, answers: Mapping[str, Any], today: dt.date | None = None) -> dict:
    """The problems of this page's questions: ``{error key: SubmissionError}`` (each names its question)."""
    from afstand.responses.submission import check_submission, split_error_key

    checked = check_submission(instrument, answers, complete=True, today=today)
    own = set(page.elements) | ({page.repeat} if page.repeat else set())
    return {where: error for where, error in checked.errors.items() if split_error_key(where)[1] in own}


def _computed(engine: Engine, answers: Mapping[str, Any], today: dt.date | None) -> dict[str, Any]:
    computed = copy.deepcopy(dict(answers))
    try:
        engine.calculate(computed, today)
    except Exception:  # noqa: BLE001 - a display must not fail: show the answers as they are
        return copy.deepcopy(dict(answers))
    return computed


def _shown(engine: Engine, key: str) -> bool:
    if key in engine.instrument.notes:
        return True
    item = engine.instrument.items.get(key)
    return item is not None and item.collected


def _questions(engine: Engine, page: Page, answers, scope: Scope, container, language, today) -> tuple[QuestionView, ...]:
    out = []
    for key in page.elements:
        if not _shown(engine, key):
            continue
        relevant = engine.is_relevant(key, answers, scope, today)
        note = engine.instrument.notes.get(key)
        if note is not None:
            out.append(
                QuestionView(
                    key,
                    field_name(key, scope),
                    "note",
                    engine.interpolate(note.label(language), answers, scope, key),
                    engine.interpolate(_pick(note.hints, language), answers, scope, key),
                    False,
                    relevant,
                    "",
                )
            )
            continue
        item = engine.instrument.items[key]
        choices = (
            tuple((c.name, engine.interpolate(c.label(language), answers, scope, key)) for c in engine.choices(key, answers, scope, today))
            if item.choice_list
            else ()
        )
        value = container.get(key, "") if isinstance(container, Mapping) else ""
        out.append(
            QuestionView(
                key,
                field_name(key, scope),
                item.type,
                engine.interpolate(item.label(language), answers, scope, key),
                engine.interpolate(_pick(item.hints, language), answers, scope, key),
                item.required,
                relevant,
                string(value) if not isinstance(value, list) else "",
                choices,
                item.appearance,
                item.parameters,
            )
        )
    return tuple(out)


def _read_fields(engine: Engine, page: Page, container: dict[str, Any], scope: Scope, getlist) -> None:
    for key in page.elements:
        item = engine.instrument.items.get(key)
        if item is None or not item.collected:
            continue
        values = [v for v in getlist(field_name(key, scope)) if isinstance(v, str)]
        if item.type == "select_multiple":
            value = " ".join(v.strip() for v in values if v.strip())
        else:
            value = values[0].strip() if values else ""
        if value:
            container[key] = value
        else:
            container.pop(key, None)


def _pick(labels: Mapping[str, str], language: str | None) -> str:
    if not labels:
        return ""
    if language in labels:
        return labels[language]
    for lang, text in labels.items():
        if language and lang.endswith(f"({language})"):
            return text
    return next(iter(labels.values()))
