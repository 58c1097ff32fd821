"""The survey's page flow: how an instrument becomes pages, what one page shows, how a posted
page is read (numbers with a decimal comma or point) and checked, and how long the rest takes.
The respondent views (:mod:`afstand.web.respondent.survey`) render what these decide.

One page per top-level group, split when a group holds more than :data:`MAX_QUESTIONS`
questions (a phone page stays short): a run of likert statements sharing an answer scale stays
together with the questions that follow it (its explanation), and a run that is too long on its
own is cut into even parts. A question whose ``relevant`` depends only on earlier pages is shown
only when relevant; one that depends on a question of the same page (directly, through a relative
path such as ``../x``, or through a calculation) is shown with its condition (``data-relevant``:
the expression and what each reference in it reads, :mod:`afstand.instrument.client_logic`) so
the page script can show and hide it, and without the script the server drops an answer it
should not have got, with a notice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from afstand.errors import AfstandError
from afstand.instrument import timing
from afstand.instrument.client_logic import page_logic
from afstand.instrument.engine import engine_for, evaluation_language
from afstand.instrument.model import Group, Instrument, Item
from afstand.instrument.pages import FIELD_PREFIX, field_name
from afstand.instrument.pages import pages as core_pages
from afstand.instrument.pages import read_page as core_read_page
from afstand.instrument.xpath import compile_expression
from afstand.responses.numbers import AmbiguousNumber, NumberError, canonical_number
from afstand.responses.submission import check_submission, split_error_key
from afstand.services import form_pages

MAX_QUESTIONS = 12


@dataclass(frozen=True)
class Page:
    name: str
    labels: dict
    elements: tuple[str, ...]
    relevant: str | None = None
    part: int = 1
    parts: int = 1
    repeat: str | None = None  # a repeat page: its questions are answered per instance
    form: Instrument | None = field(default=None, compare=False, repr=False)  # its conditions are read by this form's engine

    def label(self, language: str) -> str:
        text = Group(self.name, self.labels).label(language)
        return f"{text} ({self.part}/{self.parts})" if self.parts > 1 else text


def pages(instrument: Instrument) -> list[Page]:
    """The core's pages (:func:`afstand.instrument.pages.pages`: one per top-level group, a run of
    loose questions, a repeat on a page of its own), long ones split; each carries the conditions
    of the groups around it. A page with nothing to show (only calculations) is left out."""
    by_name = {g.name: g for g in instrument.groups}
    result: list[Page] = []
    for core in core_pages(instrument):
        conditions = []
        name = core.group
        while name is not None and name in by_name:
            if by_name[name].relevant:
                conditions.insert(0, by_name[name].relevant)
            name = by_name[name].parent
        relevant = " and ".join(f"({c})" for c in conditions) if len(conditions) > 1 else (conditions[0] if conditions else None)
        if core.repeat:
            result.append(Page(core.key, dict(core.labels), core.elements, relevant, repeat=core.repeat))
        else:
            result.extend(_split(instrument, Group(core.key, dict(core.labels), relevant, elements=core.elements)))
    shows = set(instrument.notes) | {k for k, item in instrument.items.items() if item.collected}
    # a page of calculations (or of questions only analysed, such as GPS) would be an empty page: left out
    kept = [page for page in result if page.repeat or shows.intersection(page.elements)] or result[:1]  # a survey has a page
    return [replace(page, form=instrument) for page in kept]


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
    """Whether the page is shown: the conditions of its group and the groups around it, read by the
    form engine (relative paths, the form's calculations filled in)."""
    if not page.relevant:
        return True
    if page.form is not None and page.name in engine_for(page.form).groups:
        return engine_for(page.form).is_relevant(page.name, form_pages.shown_answers(page.form, answers))
    return compile_expression(page.relevant)(answers)


def asked(form: Instrument, item: Item, answers: dict, computed: dict | None = None) -> bool:
    """Whether ``item`` is asked given ``answers``: its own condition and those of its groups, read
    by the form engine (relative paths such as ``../sex`` included) with the form's calculations
    filled in (``computed``: pass them when asking about many items)."""
    if computed is None:
        computed = form_pages.shown_answers(form, answers)
    return engine_for(form).is_relevant(item.name, computed)


def choice_text(item: Item, value: str, language: str, fill=None) -> str:
    """An answer as the respondent reads it (the chosen choices' labels, with ``fill`` applied to
    them: ``${}`` filled in); a typed answer as typed."""
    if item.kind == "number" and language.endswith("(nl)"):
        return value.replace(".", ",")
    if item.choice_list is None:
        return value
    names = value.split() if item.kind == "select_multiple" else [value]
    labels = [item.choice_list.get(n).label(language) if item.choice_list.get(n) else n for n in names]
    return ", ".join(fill(label) if fill else label for label in labels)


def blocks(form: Instrument, page: Page, answers: dict, raw: dict, language: str) -> list[dict]:
    """Notes, single questions and likert runs (statements sharing a choice list) of one page;
    ``${}`` interpolated in labels, hints and notes (with the form's calculations filled in),
    calculations kept off the page, the choices a ``choice_filter`` leaves."""
    if page.repeat:
        return form_pages.blocks(form, page, page.repeat, answers, language)[0]
    result: list[dict] = []
    shown = form_pages.shown_answers(form, answers)
    engine = engine_for(form)
    logic = page_logic_of(form, page, answers, shown)
    for name in page.elements:
        if name in form.notes:
            note = form.notes[name]
            if note.relevant and not engine.is_relevant(name, shown):
                continue
            result.append({"kind": "note", "text": form_pages.interpolate(form, note.label(language), shown), "name": name})
            continue
        item = form.items.get(name)
        if item is None or not item.collected:  # calculations are the server's; media/GPS are not collected here
            continue
        if field_name(name) in logic.hidden:
            continue  # a condition on earlier answers says: not asked
        conditions = logic.conditions.get(field_name(name))
        local = bool(conditions)
        entry = _item(item, answers, raw, language)
        entry["label"] = form_pages.interpolate(form, entry["label"], shown)
        entry["hint"] = form_pages.interpolate(form, entry["hint"], shown)
        if item.choice_list is not None and item.choice_filter:
            entry["choices"] = form_pages.offered(form, item, page.elements, shown, language)
            local = True  # its choices are its own: never in a likert run
        entry["choices"] = form_pages.interpolate_choices(form, entry["choices"], shown)
        if conditions:
            entry["condition"] = json.dumps(conditions, ensure_ascii=False)
        entry["error_label"] = form_pages.label_of(form, entry["field"], language, shown)  # as the error summary names it
        constrained(form, entry, name, logic.constraints.get(field_name(name)), language)
        form_pages.required_now(entry, logic.required.get(field_name(name)))
        if item.appearance == "likert" and item.kind == "select_one" and not local:
            last = result[-1] if result else None
            if last and last["kind"] == "likert" and last["list"] == item.choice_list.name:
                last["rows"].append(entry)
            else:
                result.append(
                    {
                        "kind": "likert",
                        "list": item.choice_list.name,
                        "rows": [entry],
                        "choices": form_pages.interpolate_choices(
                            form, [(c.name, c.label(language)) for c in item.choice_list.choices], shown
                        ),
                    }
                )
        else:
            result.append({"kind": "item", "item": entry})
    return result


def constrained(form: Instrument, entry: dict, key: str, constraint: list | None, language: str) -> None:
    """A question's constraint for the page script (``data-constraint``), with the message the
    server's error summary shows for it (:func:`error_list`)."""
    if constraint is None:
        return
    entry["constraint"] = json.dumps(constraint, ensure_ascii=False)
    entry["constraint_message"] = form_pages.constraint_message(form, form.items[key], language)  # ${} filled in by the script


def page_logic_of(form: Instrument, page: Page, answers: dict, shown: dict | None = None):
    """The page script's conditions for this page (:mod:`afstand.instrument.client_logic`)."""
    if page.repeat:
        return form_pages.repeat_logic(form, page, page.repeat, answers)
    shown = form_pages.shown_answers(form, answers) if shown is None else shown
    inputs = [(n, ()) for n in page.elements if n in form.items and form.items[n].collected]
    return page_logic(engine_for(form), inputs, shown, form_pages.page_groups(form, page.name))


def context_values(form: Instrument, page: Page, answers: dict) -> str:
    """JSON for the page script: the values its conditions read that are not on the page, and the
    calculations it recomputes (``{}`` when no condition on the page is the script's). The page puts
    it in a ``<script>`` element as it is: ``<``, ``>`` and ``&`` are written as JSON escapes, so an
    answer that holds ``</script>`` cannot end the element."""
    data = json.dumps(page_logic_of(form, page, answers).script_data(), separators=(",", ":"), ensure_ascii=False)
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _item(item: Item, answers: dict, raw: dict, language: str) -> dict:
    value = raw.get(item.name)
    if value is None:
        value = answers.get(item.name, "")
        if item.kind == "number" and language.endswith("(nl)"):
            value = value.replace(".", ",")  # shown as typed in Dutch: 0,5 (stored as 0.5)
    return {
        "name": item.name,
        "field": field_name(item.name),
        "type": item.type,
        "kind": item.kind,
        "label": item.label(language),
        "hint": item.hints.get(language) or next(iter(item.hints.values()), ""),
        "required": item.required,
        "multiline": item.appearance == "multiline",
        "choices": [(c.name, c.label(language)) for c in item.choice_list.choices] if item.choice_list else [],
        "value": value,
        "selected": set(value.split()) if item.kind == "select_multiple" else {value},
        "decimal": item.type != "integer",
        "input_type": form_pages.INPUT_TYPES.get(item.type, "text"),
    }


def language_code(form: Instrument, lang: str) -> str:
    """The form's language column for a short code (``nl`` → ``Nederlands (nl)``)."""
    return next((code for code in form.languages if code.endswith(f"({lang})")), form.default_language)


def in_language(form: Instrument, lang: str):
    """Evaluate the form's expressions as the respondent reads it (``with in_language(form, "en"):``):
    ``jr:choice-name()`` gives labels in the page's language; a stored response's calculations
    are still computed in the form's default language (:mod:`afstand.instrument.engine`)."""
    return evaluation_language(language_code(form, lang))


def read_page(form: Instrument, page: Page, answers: dict, posted: Mapping[str, list[str]]) -> tuple[dict, dict, dict]:
    """The page's posted values (name → list of values, as a form sends them) merged into
    ``answers``; numbers read with a decimal comma or point. Returns (answers, the text of
    unreadable inputs, their error codes): an input that cannot be read is never changed."""
    if page.repeat:  # one block of fields per instance shown (``q-member[2]/age``)
        try:
            shown = max(0, min(form_pages.MAX_SHOWN, int((list(posted.get("instances") or []) or ["1"])[-1])))
        except ValueError:
            shown = 1
        return (
            core_read_page(form, form_pages.core_page(page, page.repeat), answers, lambda f: list(posted.get(f, [])), instances=shown),
            {},
            {},
        )
    merged = {k: v for k, v in answers.items() if k not in page.elements}
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in page.elements:
        item = form.items.get(name)
        if item is None or not item.collected:  # a calculation is the server's, never read from a page
            continue
        values = [v for v in _posted(posted, name) if isinstance(v, str)]
        value = " ".join(v for v in values if v) if item.kind == "select_multiple" else (values[-1].strip() if values else "")
        if value and item.kind == "number":
            try:
                value = canonical_number(value, integer=item.type == "integer")
            except NumberError as problem:
                raw[name] = value[:100]
                errors[name] = (
                    "ambiguous_number"
                    if isinstance(problem, AmbiguousNumber)
                    else "not_a_whole_number"
                    if item.type == "integer"
                    else "not_a_number"
                )
                continue
        if value:
            merged[name] = value
    return merged, raw, errors


def _posted(posted: Mapping[str, list[str]], name: str) -> list[str]:
    """A question's values from its namespaced field (``q-<key>``: a question named ``state``,
    ``action`` or ``lang`` cannot collide with the page's own fields); a page rendered before fields
    were namespaced sends the bare name, read unless it is one of the page's own fields."""
    field = field_name(name)
    if field in posted:
        return list(posted[field])
    return [] if name in form_pages.PAGE_FIELDS else list(posted.get(name, []))


def page_errors(form: Instrument, page: Page, answers: dict) -> dict[str, str]:
    """Error codes of the page's questions for the answers so far (the server-side check of one
    page); on a repeat page keyed by the instance's field (``q-member[2]/age``)."""
    if page.repeat:
        return form_pages.errors(form, page, page.repeat, answers)
    checked = check_submission(form, answers, complete=False)
    errors = {k: e.code for k, e in checked.errors.items() if k in page.elements}
    engine, computed = engine_for(form), form_pages.shown_answers(form, answers)
    for name in page.elements:
        item = form.items.get(name)
        if not item or not item.collected or name in answers or name in errors or not asked(form, item, answers, computed):
            continue
        try:
            if engine.is_required(name, computed):
                errors[name] = "required"
        except AfstandError:  # the server cannot evaluate the condition now: the question is not forced
            continue
    return errors


def drop_irrelevant(form: Instrument, page: Page | None, answers: dict) -> list[str]:
    """Remove answers to questions that their condition says were not asked (on ``page``, or
    anywhere when None), as ODK does, and return their names so that the next page can say so:
    never an error that blocks the page."""
    dropped = []
    for name in list(page.elements if page is not None else answers):
        item = form.items.get(name)
        if item is not None and name in answers and name != form.consent_item and not asked(form, item, answers):
            answers.pop(name)  # one at a time: a follow-up of a dropped answer is then not asked either
            dropped.append(name)
    return dropped


def step(all_pages: list[Page], index: int, answers: dict, direction: int) -> int:
    """The next (or previous) page that is relevant; the same index when there is none."""
    i = index + direction
    while 0 <= i < len(all_pages):
        if page_relevant(all_pages[i], answers):
            return i
        i += direction
    return index


def minutes_left(form: Instrument, all_pages: list[Page], index: int, answers: dict) -> int:
    """Minutes for the questions of this page and the relevant pages after it (:mod:`afstand.instrument.timing`);
    before consent, as if it were given (the estimate a respondent decides on)."""
    if form.consent_item and form.consent_item not in answers:
        answers = {**answers, form.consent_item: form.consent_choice}
    return timing.minutes(form.items[e] for p in all_pages[index:] if page_relevant(p, answers) for e in p.elements if e in form.items)


def first_question(blocks_: list[dict]) -> str | None:
    return next(
        (b["item"]["name"] if b["kind"] == "item" else b["rows"][0]["name"] for b in blocks_ if b["kind"] in ("item", "likert")), None
    )


def error_list(
    form: Instrument, errors: dict[str, str], language: str, defaults: dict[str, str], answers: dict | None = None
) -> list[dict]:
    """Errors for the summary and the fields: the question's label and the form's own
    ``constraint_message`` when it has one, else the plain default for the error code; ``${}`` in
    them filled in from ``answers`` (as pyxform's ``<output>`` in ODK and Enketo)."""
    out = []
    shown = form_pages.shown_answers(form, answers or {})
    for name, code in errors.items():
        item = form.items.get(name)
        message = defaults.get(code, defaults["constraint"])
        scope, key = split_error_key(name.removeprefix(FIELD_PREFIX))  # q-member[2]/age
        owner = item if item is not None else form.items.get(key)
        if code == "constraint" and owner is not None and owner.constraint_messages:
            message = form_pages.constraint_message(form, owner, language, shown, scope)
        bounds = form_pages.range_bounds(owner, language) if code == "out_of_range" and owner is not None else None
        if bounds and "out_of_range_between" in defaults:  # the range itself, in plain words
            message = defaults["out_of_range_between"].format(low=bounds[0], high=bounds[1])
        out.append({"name": name, "label": form_pages.label_of(form, name, language, shown), "message": message})
    return out


def labels(form: Instrument, names: list[str], language: str) -> list[str]:
    return [form.items[n].label(language) for n in names if n in form.items]


def review_sections(form: Instrument, all_pages: list[Page], answers: dict, language: str) -> list[dict]:
    """Per relevant page with questions: its title, its index and every question asked with the
    answer given (as the respondent reads them; ``answer`` None for a skipped question, so that a
    skip by mistake can be seen). The consent question is not repeated here."""
    sections = []
    engine, shown = engine_for(form), form_pages.shown_answers(form, answers)  # labels with ${} filled in, as on the pages
    for i, page in enumerate(all_pages):
        questions = [e for e in page.elements if e in form.items and e != form.consent_item and form.items[e].collected]
        if not page_relevant(page, answers) or not questions:
            continue
        rows = [
            {
                "name": n,
                "label": engine.interpolate(form.items[n].label(language), shown),
                "answer": choice_text(form.items[n], answers[n], language, lambda t: engine.interpolate(t, shown))
                if n in answers
                else None,
            }
            for n in questions
            if not page.repeat and (n in answers or asked(form, form.items[n], answers, shown))
        ]
        instances = answers.get(page.repeat) if page.repeat and isinstance(answers.get(page.repeat), list) else []
        for number, instance in enumerate(instances, 1):
            scope = ((page.repeat, number - 1),)
            rows += [
                {
                    "name": field_name(n, scope),
                    "label": f"{engine.interpolate(form.items[n].label(language), shown, scope, n)} ({number})",
                    "answer": choice_text(form.items[n], instance[n], language, lambda t, s=scope, k=n: engine.interpolate(t, shown, s, k)),
                }
                for n in page.elements
                if n in form.items and isinstance(instance, dict) and isinstance(instance.get(n), str)
            ]
        sections.append({"title": engine.interpolate(page.label(language), shown), "index": i, "rows": rows})
    return sections


def consent_answer(form: Instrument, answers: dict) -> str | None:
    """``given``, ``declined`` or None (no answer, or no answer of the list) for a form with a consent question."""
    item = form.items.get(form.consent_item or "")
    value = answers.get(form.consent_item or "")
    if item is None or value is None or (item.choice_list is not None and item.choice_list.get(value) is None):
        return None
    return "given" if value == form.consent_choice else "declined"


def title(version, form: Instrument, lang: str) -> str:
    """The questionnaire's title in ``lang``: the study folder's ``titles`` when it has one, else the form's."""
    from afstand.services.studies import core_study

    core = core_study(version.study.slug)
    if core is not None and version.name in core.instrument_names:
        titles = core.instrument_config(version.name).get("titles", {})
        if lang in titles:
            return titles[lang]
    return form.title


def read_aloud(version) -> bool:
    """Whether the study folder asks for a "read aloud" button on this instrument's questions."""
    from afstand.services.studies import core_study

    core = core_study(version.study.slug)
    return bool(core and version.name in core.instrument_names and core.instrument_config(version.name).get("read_aloud"))
