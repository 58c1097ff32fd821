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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from afstand.errors import AfstandError
from afstand.instrument.engine import AnswerContext, Engine, Scope
from afstand.instrument.pages import FIELD_PREFIX, field_name
from afstand.instrument.xpath import Expression, reference_tokens, string


@dataclass
class PageLogic:
    hidden: set[str] = field(default_factory=set)  # fields whose question is not asked (a condition the server decided)
    conditions: dict[str, list] = field(default_factory=dict)  # field → [[expression, {reference: name}], …]
    calculations: list = field(default_factory=list)  # [[name, expression, {reference: name}, conditions], …]
    context: dict[str, Any] = field(default_factory=dict)  # name → value the server knows
    today: str = ""

    def script_data(self) -> dict:
        """What the page's ``#context`` element holds (empty when nothing on the page is decided by the script)."""
        if not self.conditions:
            return {}
        return {"values": self.context, "calculations": self.calculations, "today": self.today}


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
                self.calc[name] = (key, calc_scope, [self.engine.calculation[key].source, {t: n for t, (_, n) in refs.items()}])
        return self.live[name]

    def _condition_refs(self, condition, key: str, scope: Scope) -> dict[str, tuple[str, str]]:
        return self.references(condition.expression, condition.owner_path, scope)

    # -- the page -----------------------------------------------------------------------------

    def build(self) -> PageLogic:
        used: set[str] = set()
        for key, scope in self.input_list:
            field = self.name(key, scope)
            local = self.conditions_of(key, scope, used)
            if local is None:
                self.logic.hidden.add(field)
            elif local:
                self.logic.conditions[field] = local
        if not self.logic.conditions:
            return self.logic
        ordered = sorted(self.calc.items(), key=lambda entry: self._order(entry[1][0], entry[1][1]))
        for name, (key, scope, (source, refs)) in ordered:
            conditions = self.conditions_of(key, scope, used)
            if conditions is None:  # not asked: its value is empty, as on the server
                self.logic.context[name] = ""
                continue
            self.logic.calculations.append([name, source, refs, conditions])
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
                local.append([condition.expression.source, names])
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
