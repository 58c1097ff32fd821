"""The page script's share of a form's logic: what ``static/survey.js`` needs to show and hide
questions as the respondent answers, without a page load, reading exactly what the server reads.

For the questions of one page (each at its repeat instance, its *scope*), every condition that
decides whether a question is asked is sorted into two kinds:

* conditions that read only what the server knows (earlier pages, the form's calculations over
  them) are evaluated here: a question whose condition is false is not put on the page at all;
* conditions that read an answer on this same page — directly, or through a ``calculate`` that
  does — go to the page, as the expression text with a map from each reference *as written*
  (``${age}``, ``../sex``, ``/data/g/x``) to the page field it reads (``q-age``,
  ``q-member[2]/sex``) or to a value in the page's context. The references are resolved by the
  server's own resolver (:meth:`afstand.instrument.engine.Engine.resolve_path`), so a relative
  path reads the same answer in the script as on the server.

The calculations such conditions read are sent too (in document order, each with its own map),
and the script recomputes them as answers change; every other value they read is in the context.
A condition of the page itself (its group and the groups around it) is not repeated: the page is
shown only when it holds.

Every question of the page with a ``constraint`` sends it the same way (the expression, its map,
and its *env*), so the script can refuse an answer as the server will when the page is sent. The
map holds the ``${name}`` references of its ``constraint_message`` too (in every language), so the
script shows the message with the answers filled in, as the server does (pyxform's ``<output>``).

A ``required`` that is a condition (``${werkt} = 'ja'``) is decided here when it reads only what
the server knows (``required``: True or False); when it reads an answer of this page it is sent
the same way, and the script requires an answer exactly while it holds.

An entry's *env* (a third element, only when needed) holds what an expression reads besides
answers: ``position`` (``position()``: the instance number of the scope it is evaluated at),
``choices`` (``jr:choice-name(value, '${q}')``: the choice labels of each question named by a
literal, as the server picks them) and, for a constraint, ``number`` / ``integer`` (``.`` is
then the typed number, read as the server reads it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from afstand.errors import AfstandError
from afstand.instrument.engine import AnswerContext, Engine, Scope, current_language
from afstand.instrument.pages import FIELD_PREFIX, field_name
from afstand.instrument.xpath import Expression, reference_tokens, string, text_references

NUMBER_TYPES = ("integer", "decimal", "range")


@dataclass
class PageLogic:
    hidden: set[str] = field(default_factory=set)  # fields whose question is not asked (a condition the server decided)
    conditions: dict[str, list] = field(default_factory=dict)  # field → [[expression, {reference: name}], …]
    calculations: list = field(default_factory=list)  # [[name, expression, {reference: name}, conditions(, env)], …]
    constraints: dict[str, list] = field(default_factory=dict)  # field → [expression, {reference: name}, env]
    required: dict[str, bool | list] = field(default_factory=dict)  # field → decided here, or [expression, {reference: name}, env]
    context: dict[str, Any] = field(default_factory=dict)  # name → value the server knows
    today: str = ""

    def script_data(self) -> dict:
        """What the page's ``#context`` element holds (empty when nothing on the page is decided by the script)."""
        if not self.conditions and not self.constraints and not self.live_required():
            return {}
        return {"values": self.context, "calculations": self.calculations, "today": self.today}

    def live_required(self) -> dict[str, list]:
        """The conditional ``required`` conditions the script evaluates (field → [expression, map, env])."""
        return {f: r for f, r in self.required.items() if isinstance(r, list)}


def page_logic(
    engine: Engine,
    inputs: list[tuple[str, Scope]],
    answers: Mapping[str, Any],
    page_groups: set[str],
    today: dt.date | None = None,
) -> PageLogic:
    """``inputs``: the questions the page shows as fields, each with its scope; ``answers``: the
    answers so far with the form's calculations filled in; ``page_groups``: the page's group and
    the groups around it (their conditions decide the page, not its questions)."""
    return _Builder(engine, inputs, answers, page_groups, today or dt.date.today()).build()


class _Builder:
    def __init__(self, engine: Engine, inputs, answers, page_groups: set[str], today: dt.date):
        self.engine, self.answers, self.page_groups, self.today = engine, answers, page_groups, today
        self.known: dict[str, tuple[str, Scope]] = {}  # name → (key, the scope it is read at)
        self.input_list = list(inputs)
        self.inputs = {self.name(key, scope) for key, scope in self.input_list}
        self.live: dict[str, bool] = {}  # calculation name → whether it reads (through others, too) a page field
        self.calc: dict[str, tuple[str, Scope, list]] = {}  # calculation name → (key, scope, [expression, refs])
        self.logic = PageLogic(today=today.isoformat())

    # -- names --------------------------------------------------------------------------------

    def name(self, key: str, scope: Scope) -> str:
        """The page field of ``key`` seen from ``scope`` (``q-age``, ``q-member[2]/age``); outside
        its repeat a question is many answers, named with ``[*]`` (``q-member[*]/age``)."""
        chain = self.engine.chain.get(key, ())
        shared: list[tuple[str, int]] = []
        for repeat, (in_scope, index) in zip(chain, scope):
            if repeat != in_scope:
                break
            shared.append((repeat, index))
        if len(shared) < len(chain) and key not in self.engine.groups:
            steps = [f"{r}[{i + 1}]" for r, i in shared] + [f"{r}[*]" for r in chain[len(shared) :]]
            name = FIELD_PREFIX + "/".join(steps + [key])
        else:
            name = field_name(key, tuple(shared))
        self.known[name] = (key, tuple(shared))
        return name

    def references(self, expression: Expression, owner_path: str, scope: Scope) -> dict[str, tuple[str, str]]:
        """Reference as written → (key, name) for an expression of the element at ``owner_path``."""
        out = {}
        for text, node in reference_tokens(expression.source):
            key = node[1] if node[0] == "ref" else self.engine.resolve_path(owner_path, node[1], node[2], node[3])
            if key is not None:
                out[text] = (key, self.name(key, scope))
        return out

    # -- calculations -----------------------------------------------------------------------

    def is_live(self, key: str, name: str, stack: frozenset = frozenset()) -> bool:
        if name in self.inputs:
            return True
        if key not in self.engine.calculation or name in stack or "[*]" in name:
            return False  # an answer, or the calculations of every instance of a repeat: the server's
        if name not in self.live:
            calc_scope = self.known[name][1]
            refs = self.references(self.engine.calculation[key], self.engine.path_of(key), calc_scope)
            live = any(self.is_live(k, n, stack | {name}) for k, n in refs.values())
            conditions = [self._condition_refs(c, key, calc_scope) for c in self.engine.relevant.get(key, ())]
            live = live or any(self.is_live(k, n, stack | {name}) for refs_ in conditions for k, n in refs_.values())
            self.live[name] = live
            if live:
                expression = self.engine.calculation[key]
                self.calc[name] = (
                    key,
                    calc_scope,
                    [expression.source, {t: n for t, (_, n) in refs.items()}, self.env(expression, self.engine.path_of(key), calc_scope)],
                )
        return self.live[name]

    def _condition_refs(self, condition, key: str, scope: Scope) -> dict[str, tuple[str, str]]:
        return self.references(condition.expression, condition.owner_path, scope)

    # -- what an expression reads besides answers -------------------------------------------

    def env(self, expression: Expression, owner_path: str, scope: Scope) -> dict:
        """``position`` and ``choices`` for an expression that calls ``position()`` or ``jr:choice-name()``."""
        out: dict[str, Any] = {}
        if "position" in expression.functions:
            out["position"] = scope[-1][1] + 1 if scope else 1  # as AnswerContext.position()
        if "jr:choice-name" in expression.functions:
            out["choices"] = {text.strip(): self._labels(owner_path, text) for text in _choice_name_literals(expression.tree)}
        return out

    def _labels(self, owner_path: str, reference: str) -> dict[str, str]:
        """The labels ``jr:choice-name(value, reference)`` gives, by choice name (AnswerContext.choice_label)."""
        text = reference.strip()
        if text.startswith("${") and text.endswith("}"):
            key = text[2:-1]
        elif text.startswith("/"):
            key = self.engine.instrument.paths.get("/".join(text.strip("/").split("/")[1:]))
        else:
            steps = text.split("/")
            key = self.engine.resolve_path(owner_path, steps.count(".."), tuple(s for s in steps if s not in ("..", ".", "")), False)
        item = self.engine.instrument.items.get(key or "")
        if item is None or item.choice_list is None:
            return {}
        language = current_language() or self.engine.instrument.default_language  # as AnswerContext.choice_label
        labels: dict[str, str] = {}
        for choice in item.choice_list.choices:
            labels.setdefault(choice.name, choice.label(language))
        return labels

    def constraint_of(self, key: str, scope: Scope, used: set[str]) -> list | None:
        """The constraint of the question ``key`` at ``scope`` for the script: [expression, map, env]."""
        expression = self.engine.constraint.get(key)
        if expression is None:
            return None
        owner_path = self.engine.path_of(key)
        refs = self.references(expression, owner_path, scope)
        for k, n in refs.values():
            self.is_live(k, n)  # registers the calculations of this page it reads
        names = {text: n for text, (_, n) in refs.items()}
        item = self.engine.instrument.items[key]
        for text in item.constraint_messages.values():  # its message's ${name}, which the script fills in
            for name in text_references(text):
                if "${" + name + "}" not in names and self.engine.knows(name):
                    names["${" + name + "}"] = self.name(name, scope)
                    self.is_live(name, names["${" + name + "}"])  # a calculation of this page's answers: recomputed there
        used.update(names.values())
        env = self.env(expression, owner_path, scope)
        if item.type in NUMBER_TYPES:
            env["number"] = True
            if item.type == "integer":
                env["integer"] = True
        return [expression.source, names, env]

    def required_of(self, key: str, scope: Scope, used: set[str]) -> bool | list | None:
        """A conditional ``required`` of ``key`` at ``scope``: True/False when the server decides it
        now, [expression, map, env] when it reads an answer of this page; None without one."""
        expression = self.engine.required_if.get(key)
        if expression is None:
            return None
        owner_path = self.engine.path_of(key)
        refs = self.references(expression, owner_path, scope)
        if any(self.is_live(k, n) for k, n in refs.values()):
            names = {text: n for text, (_, n) in refs.items()}
            used.update(names.values())
            return [expression.source, names, self.env(expression, owner_path, scope)]
        try:
            return bool(expression(AnswerContext(self.engine, self.answers, scope, key, "", None, self.today)))
        except AfstandError:  # the server cannot evaluate it now: it decides when the page is sent
            return False

    # -- the page -----------------------------------------------------------------------------

    def build(self) -> PageLogic:
        used: set[str] = set()
        for key, scope in self.input_list:
            field = self.name(key, scope)
            local = self.conditions_of(key, scope, used)
            if local is None:
                self.logic.hidden.add(field)
                continue
            if local:
                self.logic.conditions[field] = local
            constraint = self.constraint_of(key, scope, used)
            if constraint is not None:
                self.logic.constraints[field] = constraint
            required = self.required_of(key, scope, used)
            if required is not None:
                self.logic.required[field] = required
        if not self.logic.conditions and not self.logic.constraints and not self.logic.live_required():
            return self.logic
        ordered = sorted(self.calc.items(), key=lambda entry: self._order(entry[1][0], entry[1][1]))
        for name, (key, scope, (source, refs, env)) in ordered:
            conditions = self.conditions_of(key, scope, used)
            if conditions is None:  # not asked: its value is empty, as on the server
                self.logic.context[name] = ""
                continue
            self.logic.calculations.append([name, source, refs, conditions] + ([env] if env else []))
            used.update(refs.values())
        for name in sorted(used - self.inputs - {c[0] for c in self.logic.calculations}):
            self.logic.context.setdefault(name, self.value(name))
        return self.logic

    def conditions_of(self, key: str, scope: Scope, used: set[str]) -> list | None:
        """The conditions the script evaluates for ``key`` at ``scope``; None when one that the server
        evaluates here is false (the question is not asked)."""
        local = []
        for condition in self.engine.relevant.get(key, ()):
            if condition.owner in self.page_groups:
                continue
            refs = self._condition_refs(condition, key, scope)
            if any(self.is_live(k, n) for k, n in refs.values()):
                names = {text: n for text, (_, n) in refs.items()}
                env = self.env(condition.expression, condition.owner_path, scope)
                local.append([condition.expression.source, names] + ([env] if env else []))
                used.update(names.values())
                continue
            ctx = AnswerContext(self.engine, self.answers, scope, "", "", None, self.today, owner_is_path=True)
            ctx.owner_path = condition.owner_path
            try:
                if not condition.expression(ctx):
                    return None
            except AfstandError:  # the server cannot evaluate it now: it decides when the page is sent
                continue
        return local

    def _order(self, key: str, scope: Scope) -> tuple:
        calculated = self.engine.calculated
        return (calculated.index(key) if key in calculated else len(calculated), scope)

    def value(self, name: str) -> Any:
        """What the server knows of a context name (an answer or a calculation; many answers as a list)."""
        key, scope = self.known[name]
        value = AnswerContext(self.engine, self.answers, scope, "", "", None, self.today).ref(key)
        return [string(v) for v in value] if isinstance(value, tuple) else string(value)


def _choice_name_literals(tree: tuple) -> list[str]:
    """The literal second arguments of every ``jr:choice-name()`` call in a compiled expression."""
    found: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, tuple) or not node:
            continue
        if not isinstance(node[0], str):  # a tuple of nodes (a call's arguments, the parts of and/or)
            stack.extend(node)
            continue
        if node[0] == "call" and node[1] == "jr:choice-name" and len(node[2]) == 2:
            second = node[2][1]
            if second[0] == "lit" and isinstance(second[1], str):
                found.append(second[1])
        stack.extend(part for part in node[1:] if isinstance(part, tuple))
    return found
