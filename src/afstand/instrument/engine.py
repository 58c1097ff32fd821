"""The form engine: what an XLSForm means for a given set of answers.

Answers are nested as a response is stored: ``{key: value, repeat_key: [instance, …]}``, where
an instance is again ``{key: value, nested_repeat_key: [...]}``. Values are canonical text
(see :mod:`afstand.responses.submission`). The engine answers, for a question in a given repeat
instance (its *scope*, a tuple of ``(repeat_key, index)``):

* is it relevant (its own ``relevant`` and those of every enclosing group and repeat)?
* does its value meet its ``constraint``?
* is it required (``required`` as a condition, ``${werkt} = 'ja'``, as ODK evaluates it)?
* which choices does its ``choice_filter`` leave?
* what do ``${}`` references in its label and hint read?
* what are the ``calculate`` values (computed on the server, stored with the answers)?

All expressions are compiled once per instrument version (:func:`engine_for`), so a form whose
logic the server cannot evaluate is refused when it is loaded.

``jr:choice-name()`` gives a choice's label in the language expressions are evaluated in: the
language the respondent reads the form in while their pages are shown and checked (the web
survey sets it with :func:`evaluation_language`), else the form's ``default_language``, the one
the analysis uses; a calculation stored with a response is computed in the latter
(:func:`afstand.responses.submission.check_submission`), so its column never mixes languages.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Mapping

from afstand.instrument.model import Choice, Instrument, Item
from afstand.instrument.xpath import Context, Expression, Unsupported, compile_expression, interpolate, string
from afstand.instrument.xpath_functions import number

Scope = tuple[tuple[str, int], ...]
MAX_INSTANCES = 500  # instances of one repeat in one response
MAX_CALCULATION_PASSES = 20
_LANGUAGE: ContextVar[str | None] = ContextVar("afstand_evaluation_language", default=None)


@contextmanager
def evaluation_language(language: str | None):
    """Evaluate expressions for a respondent who reads the form in ``language`` (a language of the
    form, ``English (en)``, or its code, ``en``): ``jr:choice-name()`` gives labels in it. ``None``:
    the form's default language. Per thread and per task, as Django's active language."""
    token = _LANGUAGE.set(language)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def current_language() -> str | None:
    """The language set by :func:`evaluation_language` (``None``: the form's default language)."""
    return _LANGUAGE.get()


class ExpressionError(Unsupported):
    """An expression of the form the engine cannot compile: whose (``owner``, a question's or
    group's key), which column it is in, its text and what is wrong (``why``)."""

    def __init__(self, owner: str, column: str, source: str, why: str, function: str | None = None):
        super().__init__(f"{owner}: {source!r}: {why}", why, function)
        self.owner, self.column, self.source = owner, column, source

    def __reduce__(self):
        return (type(self), (self.owner, self.column, self.source, self.why, self.function))


_NOTHING = compile_expression("''")  # stands in for an expression that failed, while the problems are collected


@dataclass(frozen=True)
class Condition:
    expression: Expression
    owner_path: str  # path of the group or question the expression belongs to (for ../x)
    owner: str  # key of that group or question
    depth: int  # repeats around the owner: the part of a scope its value depends on


class Engine:
    """Compiled logic of one instrument version."""

    def __init__(self, instrument: Instrument, problems: list[ExpressionError] | None = None):
        """``problems``: collect every expression that fails in it (the check of a form) instead of
        raising at the first."""
        self.instrument = instrument
        self._problems = problems
        groups = {g.name: g for g in instrument.groups}
        self.groups = groups
        self.chain: dict[str, tuple[str, ...]] = {}  # key -> enclosing repeats, outermost first
        self.ancestors: dict[str, tuple[str, ...]] = {}  # key -> enclosing groups, outermost first
        for key in list(instrument.items) + list(instrument.notes) + list(groups):
            parent = self._parent(key)
            line: list[str] = []
            while parent is not None:
                line.append(parent)
                parent = groups[parent].parent
            line.reverse()
            self.ancestors[key] = tuple(line)
            self.chain[key] = tuple(g for g in line if groups[g].repeat) + ((key,) if key in groups and groups[key].repeat else ())
        self.relevant: dict[str, tuple[Condition, ...]] = {}
        self.constraint: dict[str, Expression] = {}
        self.required_if: dict[str, Expression] = {}  # ``required`` as a condition
        self.calculation: dict[str, Expression] = {}
        self.choice_filter: dict[str, Expression] = {}
        self.repeat_count: dict[str, Expression] = {}
        for key in list(instrument.items) + list(instrument.notes) + list(groups):
            conditions = [
                Condition(self._compile(groups[g].relevant, g, "relevant"), groups[g].path or g, g, len(self.chain[g]))
                for g in self.ancestors[key]
                if groups[g].relevant
            ]
            own = self._element(key)
            if getattr(own, "relevant", None):
                conditions.append(Condition(self._compile(own.relevant, key, "relevant"), self.path_of(key), key, len(self.chain[key])))
            self.relevant[key] = tuple(conditions)
        for key, item in instrument.items.items():
            if item.constraint:
                self.constraint[key] = self._compile(item.constraint, key, "constraint")
            if item.required_if and not item.required:
                self.required_if[key] = self._compile(item.required_if, key, "required")
            if item.calculation:
                self.calculation[key] = self._compile(item.calculation, key, "calculation")
                moments = {r for r in self.calculation[key].references if self.instrument.metadata.get(r) in ("start", "end")}
                if "now" in self.calculation[key].functions or moments:  # privacy: responses carry no precise time
                    why = "now(), ${start} or ${end} in a calculation would store the time of answering; afstand stores no precise times (today() stores the date)"
                    self._refuse(ExpressionError(key, "calculation", item.calculation, why))
            if item.choice_filter:
                self.choice_filter[key] = self._compile(item.choice_filter, key, "choice_filter", columns=True)
        for group in groups.values():
            if group.repeat and group.repeat_count:
                self.repeat_count[group.name] = self._compile(group.repeat_count, group.name, "repeat_count")
        self.calculated = tuple(k for k in instrument.items if k in self.calculation)
        #: a calculation reads a choice's label: its value depends on the evaluation language
        self.labels_in_calculations = any("jr:choice-name" in e.functions for e in self.calculation.values())
        self._repeat_of = {k: self._innermost_repeat(k) for k in self.chain}

    # -- structure -------------------------------------------------------------------------

    def _element(self, key: str):
        return self.instrument.items.get(key) or self.instrument.notes.get(key) or self.groups.get(key)

    def _parent(self, key: str) -> str | None:
        element = self._element(key)
        if key in self.groups:
            return self.groups[key].parent
        return getattr(element, "group", None)

    def knows(self, name: str) -> bool:
        """Whether ``${name}`` reads something: a question, note, group or metadata row of the form."""
        return self._element(name) is not None or name in self.instrument.metadata

    def path_of(self, key: str) -> str:
        element = self._element(key)
        return (getattr(element, "path", "") or key) if element is not None else key

    def _compile(self, source: str, owner: str, column: str, *, columns: bool = False) -> Expression:
        """The expression in ``column`` of ``owner``; raises ExpressionError (collected instead when the form is checked)."""
        try:
            expression = compile_expression(source, columns=columns)
        except Unsupported as err:
            return self._refuse(ExpressionError(owner, column, source, err.why, err.function))
        for name in sorted(expression.references):
            if self._element(name) is None and name not in self.instrument.metadata:
                return self._refuse(
                    ExpressionError(owner, column, source, f"${{{name}}} is no question, group or calculation of this form")
                )
        for up, names, absolute in sorted(expression.paths):
            if self.resolve_path(self.path_of(owner), up, names, absolute) is None:
                return self._refuse(
                    ExpressionError(owner, column, source, f"the path {'/'.join(names)!r} leads to no question of this form")
                )
        return expression

    def _refuse(self, problem: ExpressionError) -> Expression:
        if self._problems is None:
            raise problem
        self._problems.append(problem)
        return _NOTHING

    def resolve_path(self, owner_path: str, up: int, names: tuple[str, ...], absolute: bool) -> str | None:
        if absolute:
            return self.instrument.paths.get("/".join(names))
        segments = owner_path.split("/")
        # '.' is the owner; '..' its parent: the first '..' drops the owner's own name
        base = segments[: max(0, len(segments) - up)]
        return self.instrument.paths.get("/".join(base + list(names)))

    def repeat_of(self, key: str) -> str | None:
        """The innermost repeat around ``key`` (for a repeat: the one around it), ``None`` at top level."""
        return self._repeat_of.get(key)

    def _innermost_repeat(self, key: str) -> str | None:
        chain = self.chain.get(key, ())
        return chain[-1] if chain and chain[-1] != key else (chain[-2] if len(chain) > 1 else None)

    # -- evaluation ----------------------------------------------------------------------

    def context(
        self,
        answers: Mapping[str, Any],
        scope: Scope = (),
        owner: str = "",
        current: Any = "",
        choice: Choice | None = None,
        today: dt.date | None = None,
    ) -> "AnswerContext":
        return AnswerContext(self, answers, scope, owner, current, choice, today)

    def is_relevant(
        self, key: str, answers: Mapping[str, Any], scope: Scope = (), today: dt.date | None = None, memo: dict | None = None
    ) -> bool:
        """``memo`` (one dict per set of answers) keeps each group's result, so a group's condition
        is evaluated once, not once per question inside it."""
        conditions = self.relevant.get(key, ())
        if not conditions:
            return True
        ctx = None
        for condition in conditions:
            slot = (condition.owner, scope[: condition.depth] if scope else ()) if memo is not None else None
            result = memo.get(slot) if slot is not None else None
            if result is None:
                if ctx is None:
                    ctx = AnswerContext(self, answers, scope, "", "", None, today, owner_is_path=True)
                ctx.owner_path = condition.owner_path
                result = condition.expression(ctx)
                if slot is not None:
                    memo[slot] = result
            if not result:
                return False
        return True

    def meets_constraint(self, key: str, answers: Mapping[str, Any], scope: Scope, value: Any, today: dt.date | None = None) -> bool:
        expression = self.constraint.get(key)
        return expression is None or expression(self.context(answers, scope, key, value, today=today))

    def is_required(self, key: str, answers: Mapping[str, Any], scope: Scope = (), today: dt.date | None = None) -> bool:
        """``required`` yes, or its condition true for ``answers`` (raises EvaluationError as other expressions do)."""
        item = self.instrument.items.get(key)
        if item is None:
            return False
        expression = self.required_if.get(key)
        if expression is None:
            return item.required
        return bool(expression(self.context(answers, scope, key, "", today=today)))

    def choices(self, key: str, answers: Mapping[str, Any], scope: Scope = (), today: dt.date | None = None) -> tuple[Choice, ...]:
        """The choices a select question offers now: its list after ``choice_filter``, each name once."""
        item = self.instrument.items[key]
        if item.choice_list is None:
            return ()
        expression = self.choice_filter.get(key)
        seen: set[str] = set()
        out: list[Choice] = []
        for choice in item.choice_list.choices:
            if choice.name in seen:
                continue
            if expression is None or expression(self.context(answers, scope, key, "", choice, today)):
                seen.add(choice.name)
                out.append(choice)
        return tuple(out)

    def interpolate(self, text: str, answers: Mapping[str, Any], scope: Scope = (), owner: str = "") -> str:
        """A label or hint with every ``${name}`` replaced by the current answer (``''`` when none)."""
        ctx = self.context(answers, scope, owner)

        def resolve(name: str) -> str:
            return string(ctx.ref(name)) if self.knows(name) else "${" + name + "}"

        return interpolate(text, resolve)

    def instance_count(self, repeat: str, answers: Mapping[str, Any], scope: Scope = ()) -> int | None:
        """The fixed number of instances of a repeat with ``repeat_count`` (``None``: respondents add them)."""
        expression = self.repeat_count.get(repeat)
        if expression is None:
            return None
        count = number(expression.value(self.context(answers, scope, repeat)))
        if math.isnan(count):
            return 0
        return int(max(0.0, min(float(MAX_INSTANCES), count)))  # bounded before int(): Infinity cannot overflow

    def calculate(self, answers: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
        """Fill in every ``calculate`` value (in place and returned), in every repeat instance.

        Evaluated in document order, repeated until nothing changes (a calculation may use one
        defined further down); a calculation that is not relevant is empty, as in ODK."""
        for _ in range(MAX_CALCULATION_PASSES):
            changed = False
            for key in self.calculated:
                for container, scope in self.containers(answers, self.repeat_of(key)):
                    if self.is_relevant(key, answers, scope, today):
                        value = string(self.calculation[key].value(self.context(answers, scope, key, container.get(key, ""), today=today)))
                    else:
                        value = ""
                    old = container.get(key, "")
                    if value != old:
                        changed = True
                        if value == "":
                            container.pop(key, None)
                        else:
                            container[key] = value
            if not changed:
                return answers
        raise Unsupported("the calculations of this form do not settle (a calculation depends on itself)")

    def containers(self, answers: dict[str, Any], repeat: str | None) -> list[tuple[dict[str, Any], Scope]]:
        """Every answer dictionary a question of ``repeat`` lives in, with its scope."""
        if repeat is None:
            return [(answers, ())]
        chain = self.chain[repeat]
        found: list[tuple[dict[str, Any], Scope]] = [(answers, ())]
        for r in chain:
            nxt = []
            for container, scope in found:
                instances = container.get(r)
                if isinstance(instances, list):
                    nxt.extend((inst, scope + ((r, i),)) for i, inst in enumerate(instances) if isinstance(inst, dict))
            found = nxt
        return found


class AnswerContext(Context):
    def __init__(
        self,
        engine: Engine,
        answers: Mapping[str, Any],
        scope: Scope,
        owner: str,
        current: Any,
        choice: Choice | None,
        today: dt.date | None,
        owner_is_path: bool = False,
    ):
        self.engine, self.answers, self.scope, self.current, self.choice = engine, answers, scope, current, choice
        self.owner_path = owner if owner_is_path else (engine.path_of(owner) if owner else "")
        self._today = today
        self.language = _LANGUAGE.get() or engine.instrument.default_language

    def ref(self, name: str) -> Any:
        engine = self.engine
        chain = engine.chain.get(name, ())
        if not chain and name not in engine.groups:  # outside any repeat: a plain lookup
            if name in engine.instrument.metadata and name not in engine.instrument.items:
                return self._metadata(engine.instrument.metadata[name])
            return self.answers.get(name, "")
        containers: list[Mapping[str, Any]] = [self.answers]
        shared = 0
        for r, (scope_repeat, _) in zip(chain, self.scope):
            if r != scope_repeat:
                break
            shared += 1
        for depth, r in enumerate(chain):
            nxt: list[Mapping[str, Any]] = []
            for container in containers:
                instances = container.get(r)
                if not isinstance(instances, list):
                    continue
                if depth < shared:
                    index = self.scope[depth][1]
                    if 0 <= index < len(instances) and isinstance(instances[index], dict):
                        nxt.append(instances[index])
                else:
                    nxt.extend(i for i in instances if isinstance(i, dict))
            containers = nxt
        if name in engine.groups:  # a repeat or group: its instances (count(${repeat}) works)
            if engine.groups[name].repeat:
                return tuple("" for _ in containers) if len(chain) > shared else ""
            return ""
        values = tuple(c.get(name, "") for c in containers)
        if len(chain) > shared:  # seen from outside its repeat: a node-set
            return values
        return values[0] if values else ""

    def _metadata(self, kind: str) -> str:
        """Metadata rows as ODK fills them, for expressions only (never stored): today the date,
        start/end the moment of evaluation, device and user properties empty."""
        if kind == "today":
            return self.today().isoformat()
        if kind in ("start", "end"):
            return self.now().isoformat(timespec="seconds")
        return ""

    def path(self, up: int, names: tuple[str, ...], absolute: bool) -> Any:
        key = self.engine.resolve_path(self.owner_path, up, names, absolute)
        return self.ref(key) if key is not None else ""

    def column(self, name: str) -> Any:
        if self.choice is None:
            return ""
        if name == "name":
            return self.choice.name
        return self.choice.columns.get(name, "")

    def position(self) -> int:
        return self.scope[-1][1] + 1 if self.scope else 1

    def choice_label(self, value: str, reference: str) -> str:
        text = reference.strip()
        if text.startswith("${") and text.endswith("}"):
            key = text[2:-1]
        elif text.startswith("/"):  # /data/group/question
            key = self.engine.instrument.paths.get("/".join(text.strip("/").split("/")[1:]))
        else:  # ../question
            steps = text.split("/")
            key = self.engine.resolve_path(self.owner_path, steps.count(".."), tuple(s for s in steps if s not in ("..", ".", "")), False)
        item = self.engine.instrument.items.get(key or "")
        choice = item.choice_list.get(value) if item is not None and item.choice_list is not None else None
        return choice.label(self.language) if choice is not None else value

    def today(self) -> dt.date:
        return self._today or dt.date.today()


_ENGINES: dict[tuple[str, int, int], Engine] = {}


def engine_for(instrument: Instrument) -> Engine:
    """The engine of an instrument, compiled once per version id (raises Unsupported)."""
    key = (instrument.version_id, len(instrument.items), len(instrument.groups))
    engine = _ENGINES.get(key)
    if engine is None:
        engine = Engine(instrument)
        if len(_ENGINES) > 256:
            _ENGINES.clear()
        _ENGINES[key] = engine
    return engine


def item_label(item: Item, language: str | None = None) -> str:
    return item.label(language)
