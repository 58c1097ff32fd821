"""What the respondent's survey pages show and read, from the core's form engine (the page flow
itself — post/redirect/get, drafts, the review page — is :mod:`afstand.services.survey_pages`)
(:mod:`afstand.instrument.engine`, :mod:`afstand.instrument.pages`):

* namespaced fields (``q-<key>``): a question named ``state``, ``action`` or ``lang`` cannot
  collide with the page's own fields;
* the display of a page: ``${}`` interpolated, calculations kept off the page, ``choice_filter``;
* repeat pages: one block of questions per instance, with buttons to add and remove instances
  (or as many as ``repeat_count`` fixes); fields per instance (``q-member[2]/age``).
"""

from __future__ import annotations

import json

from afstand.errors import AfstandError
from afstand.instrument.client_logic import PageLogic, page_logic
from afstand.instrument.engine import engine_for
from afstand.instrument.model import KIND_OF_TYPE, Group, Instrument, Item
from afstand.instrument.pages import FIELD_PREFIX, Page, add_instance, page_errors, page_view, remove_instance
from afstand.responses.submission import split_error_key

#: the page's own fields: a question's answer is never read from them
PAGE_FIELDS = frozenset({"state", "action", "lang", "via", "i", "k", "instances", "csrfmiddlewaretoken"})
#: native inputs for the XLSForm types that have one (checked on the server all the same)
INPUT_TYPES = {"date": "date", "time": "time", "datetime": "datetime-local"}


def shown_answers(form: Instrument, answers: dict) -> dict:
    """The answers with the form's calculations filled in (labels may show them)."""
    shown = dict(answers)
    try:
        engine_for(form).calculate(shown)
    except AfstandError:
        return dict(answers)
    return shown


def interpolate(form: Instrument, text: str, shown: dict, scope: tuple = (), owner: str = "") -> str:
    """``${name}`` in a text the respondent reads (a label, hint, choice label or ``constraint_message``)
    replaced by the answer, as pyxform's ``<output>`` shows it in ODK and Enketo."""
    return engine_for(form).interpolate(text, shown, scope, owner)


def interpolate_choices(form: Instrument, choices, shown: dict) -> list[tuple[str, str]]:
    """``(name, label)`` pairs with ``${}`` in the labels filled in."""
    return [(name, interpolate(form, label, shown)) for name, label in choices]


def offered(form: Instrument, item: Item, page_elements, shown: dict, language: str) -> list[tuple[str, str]]:
    """The choices a select question shows. With a ``choice_filter`` on an answer of this same page
    every choice is offered (each name once; the page works without a script) and the server refuses
    one the filter does not allow when the page is sent; otherwise only the choices the filter leaves."""
    engine = engine_for(form)
    if not item.choice_filter:
        return [(c.name, c.label(language)) for c in item.choice_list.choices]
    if engine.choice_filter[item.name].references & set(page_elements):
        return list({c.name: (c.name, c.label(language)) for c in item.choice_list.choices}.values())
    return [(c.name, c.label(language)) for c in engine.choices(item.name, shown)]


MAX_SHOWN = 50  # instances one page shows and reads back


def repeat_of(form: Instrument, page: Group) -> str | None:
    group = form.group(page.name)
    return page.name if group is not None and group.repeat else None


def core_page(page, repeat: str) -> Page:
    """The core's page for a repeat page (anything with ``name``, ``labels`` and ``elements``)."""
    return Page(page.name, page.labels, page.elements, group=page.name, repeat=repeat)


def act(repeat: str, answers: dict, action: str) -> dict | None:
    """The answers after an add/remove button, or None when the action is not one."""
    if action == "add":
        instances = answers.get(repeat) if isinstance(answers.get(repeat), list) else []
        return add_instance(answers, repeat) if len(instances) < MAX_SHOWN else answers
    if action.startswith("remove-") and action[7:].isdigit():
        return remove_instance(answers, repeat, int(action[7:]))
    return None


def errors(form: Instrument, page: Group, repeat: str, answers: dict) -> dict[str, str]:
    """``{field name: error code}`` of this page's questions."""
    out = {}
    for where, error in page_errors(form, core_page(page, repeat), answers).items():
        out[FIELD_PREFIX + where if "[" in where else where] = error.code
    return out


def label_of(form: Instrument, field: str, language: str, shown: dict | None = None) -> str:
    """The question label (and instance number) of a namespaced field, for the error summary
    (``${}`` filled in from ``shown``, the answers with the calculations, when given)."""
    scope, key = split_error_key(field.removeprefix(FIELD_PREFIX))
    item = form.items.get(key)
    label = item.label(language) if item is not None else key
    if shown is not None and item is not None:
        label = interpolate(form, label, shown, scope, key)
    label = label.rstrip().removesuffix(".")  # "label: message" never reads ".:"
    return f"{label} ({scope[-1][1] + 1})" if scope else label


def constraint_message(form: Instrument, item: Item, language: str, shown: dict | None = None, scope: tuple = ()) -> str:
    """The form's ``constraint_message`` in ``language`` (else its first language), or '' for the
    plain default; with ``shown`` (the answers with the calculations) its ``${}`` filled in, as
    pyxform's ``<output>`` shows them in ODK and Enketo. Without, as written: the page script fills
    them in from the page (``data-message``; the constraint's map holds their fields)."""
    messages = item.constraint_messages
    message = (messages.get(language) or next(iter(messages.values()), "")) if messages else ""
    return interpolate(form, message, shown, scope, item.name) if shown is not None and message else message


def range_bounds(item: Item, language: str) -> tuple[str, str] | None:
    """The lowest and highest answer of a ``range`` question as the page writes numbers (a decimal
    comma on a Dutch page), or None when its parameters are not numbers."""
    try:
        ends = sorted((float(item.parameters.get("start", 1)), float(item.parameters.get("end", 10))))
    except ValueError:
        return None
    shown = [str(int(x)) if x.is_integer() else repr(x) for x in ends]
    if language.endswith("(nl)"):
        shown = [x.replace(".", ",") for x in shown]
    return shown[0], shown[1]


def required_now(entry: dict, requirement: bool | list | None) -> None:
    """A conditional ``required`` on a page entry: ``required`` when the server decided it holds,
    ``required_if`` (the condition for the page script) when it reads an answer of this page."""
    if requirement is True:
        entry["required"] = True
    elif isinstance(requirement, list):
        entry["required_if"] = json.dumps(requirement, ensure_ascii=False)


def page_groups(form: Instrument, key: str) -> set[str]:
    """The page's group and the groups around it: their conditions decide the page, not its questions."""
    engine = engine_for(form)
    return {key, *engine.ancestors.get(key, ())} if key in engine.groups else set()


def repeat_logic(form: Instrument, page: Group, repeat: str, answers: dict) -> PageLogic:
    """The page script's conditions for the questions of every instance shown (:mod:`afstand.instrument.client_logic`)."""
    view = page_view(form, core_page(page, repeat), answers)
    inputs = [(q.key, ((repeat, instance.index),)) for instance in view.instances for q in instance.questions if q.type != "note"]
    return page_logic(engine_for(form), inputs, shown_answers(form, answers), page_groups(form, repeat))


def blocks(form: Instrument, page: Group, repeat: str, answers: dict, language: str) -> tuple[list[dict], int, bool]:
    """(blocks, instances shown, whether instances can be added/removed). A question whose condition
    reads only earlier answers is left out when it is not asked; one whose condition reads an
    answer of this instance or page carries it for the page script (the server decides again when
    the page is sent)."""
    view = page_view(form, core_page(page, repeat), answers, language)
    logic = repeat_logic(form, page, repeat, answers)
    shown = shown_answers(form, answers)
    flexible = view.fixed_count is None
    out: list[dict] = []
    for instance in view.instances:
        out.append(
            {"kind": "instance", "number": instance.index + 1, "index": instance.index, "removable": flexible and len(view.instances) > 1}
        )
        for q in instance.questions:
            if q.type == "note":
                if q.relevant:
                    out.append({"kind": "note", "text": q.label})
                continue
            if q.field in logic.hidden:
                continue
            kind = KIND_OF_TYPE.get(q.type, "other")
            out.append(
                {
                    "kind": "item",
                    "item": {
                        "name": q.field,
                        "field": q.field,
                        "type": q.type,
                        "kind": kind,
                        "label": q.label,
                        "hint": q.hint,
                        "required": q.required,
                        "multiline": q.appearance == "multiline",
                        "choices": list(q.choices),
                        "value": q.value,
                        "selected": set(q.value.split()) if kind == "select_multiple" else {q.value},
                        "step": "1" if q.type == "integer" else "any",
                        "decimal": q.type != "integer",  # a phone keyboard with a decimal separator
                        "input_type": INPUT_TYPES.get(q.type, "text"),
                        "condition": json.dumps(logic.conditions[q.field], ensure_ascii=False) if q.field in logic.conditions else None,
                        "error_label": label_of(form, q.field, language, shown),
                    },
                }
            )
            if q.field in logic.constraints:
                item = out[-1]["item"]
                item["constraint"] = json.dumps(logic.constraints[q.field], ensure_ascii=False)
                item["constraint_message"] = constraint_message(form, form.items[q.key], language)  # filled in by the page script
            required_now(out[-1]["item"], logic.required.get(q.field))
    return out, len(view.instances), flexible
