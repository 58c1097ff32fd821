"""Check one submitted response against its instrument (web form and JSON API).

Answers use the canonical encoding of the CSV layout (:mod:`afstand.responses.values`), nested
as the response is stored: a repeat is a list of instances, each a mapping of its questions'
answers (``{"member": [{"name": "Ann", "age": "34"}, …]}``). The checks are the form's own,
evaluated on the server by :mod:`afstand.instrument.engine`: unknown questions and choices,
types, ``choice_filter``, ``required`` (yes, or a condition), ``relevant`` (an answer to a question that was not asked
is refused, not dropped), ``constraint``, ``repeat_count``; ``calculate`` values are computed
and stored (a submitted one must equal the server's).

Error keys are the question's key, inside a repeat ``member[2]/age`` (1-based); every error
carries the question's label.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from afstand.errors import InstrumentError
from afstand.instrument.engine import MAX_INSTANCES, Engine, Scope, current_language, engine_for, evaluation_language
from afstand.instrument.model import Instrument
from afstand.instrument.xpath import EvaluationError, Unsupported
from afstand.responses.values import MAX_TEXT, UNPRINTABLE, SubmissionError, canonical, typed

__all__ = [
    "CheckedSubmission",
    "MAX_TEXT",
    "SubmissionError",
    "UNPRINTABLE",
    "check_submission",
    "compile_rules",
    "error_key",
    "split_error_key",
]


@dataclass(frozen=True)
class CheckedSubmission:
    answers: dict[str, Any]  # canonical text per answered question; repeats as lists of instances
    consented: bool
    errors: dict[str, SubmissionError]

    @property
    def ok(self) -> bool:
        return not self.errors


def compile_rules(instrument: Instrument) -> None:
    """Compile every expression now (raises InstrumentError naming the form when the server cannot evaluate one)."""
    try:
        engine_for(instrument)
    except Unsupported as err:
        raise InstrumentError(f"{instrument.source}: {err}") from None


def error_key(key: str, scope: Scope) -> str:
    """``age`` at top level, ``member[2]/age`` in the second instance of repeat ``member``."""
    if not scope:
        return key
    return "/".join(f"{r}[{i + 1}]" for r, i in scope) + ("/" if scope else "") + key


_WHERE = re.compile(r"((?:[^/\[\]]+\[\d+\]/)*)(.*)", re.S)


def split_error_key(where: str) -> tuple[tuple[tuple[str, int], ...], str]:
    """``member[2]/age`` -> ``((("member", 1),), "age")`` (the inverse of :func:`error_key`)."""
    match = _WHERE.fullmatch(where)
    prefix, key = match.group(1), match.group(2)
    scope = tuple((part.split("[")[0], int(part.split("[")[1].rstrip("]")) - 1) for part in prefix.split("/") if part)
    return scope, key


def check_submission(
    instrument: Instrument, answers: Mapping[str, Any], *, complete: bool = True, today: dt.date | None = None
) -> CheckedSubmission:
    """Check ``answers``; ``complete=False`` skips the ``required`` check (a page saved half-way)."""
    if not isinstance(answers, Mapping):
        return CheckedSubmission({}, False, {"answers": SubmissionError("not_an_object", "answers must be an object")})
    engine = engine_for(instrument)
    errors: dict[str, SubmissionError] = {}
    submitted_calculations: dict[str, str] = {}
    clean = _read_level(engine, answers, None, (), errors, submitted_calculations)
    consented = True
    if instrument.consent_item:
        consented = clean.get(instrument.consent_item) == instrument.consent_choice
        consent_label = instrument.items[instrument.consent_item].label()
        if instrument.consent_item not in clean and instrument.consent_item not in errors:
            errors[instrument.consent_item] = SubmissionError("required", "consent is required", consent_label)
        if not consented and instrument.consent_item in clean:
            for name in clean:
                if name != instrument.consent_item:
                    question = instrument.items[name].label() if name in instrument.items else name
                    errors[name] = SubmissionError("no_consent", "no answers may be given without consent", question)
    try:
        engine.calculate(clean, today)
        _check_logic(engine, clean, errors, complete, today)
        if engine.labels_in_calculations and current_language() is not None:
            with evaluation_language(None):  # checked as the respondent read it; stored in the language the analysis uses
                engine.calculate(clean, today)
    except (EvaluationError, Unsupported) as err:
        errors.setdefault("answers", SubmissionError("not_evaluable", str(err)))
    for where, value in submitted_calculations.items():
        if where not in errors and _value_at(engine, clean, where) != value:
            key = split_error_key(where)[1]
            errors[where] = SubmissionError(
                "calculated", "this value is calculated by the form; leave it out or send the same value", instrument.items[key].label()
            )
    return CheckedSubmission(clean, consented, errors)


def _read_level(
    engine: Engine,
    raw: Mapping[str, Any],
    repeat: str | None,
    scope: Scope,
    errors: dict[str, SubmissionError],
    calculations: dict[str, str],
) -> dict[str, Any]:
    """Canonical values of one level (the top or one repeat instance); problems into ``errors``."""
    instrument = engine.instrument
    clean: dict[str, Any] = {}
    for name, value in raw.items():
        name = str(name)
        where = error_key(name, scope)
        item = instrument.items.get(name)
        group = engine.groups.get(name)
        if item is None and (group is None or not group.repeat):
            errors[where] = SubmissionError("unknown_item", f"no question {name[:80]!r} in this instrument")
            continue
        if engine.repeat_of(name) != repeat:
            inside = engine.repeat_of(name)
            errors[where] = SubmissionError(
                "wrong_level",
                f"{name!r} belongs " + (f"in the instances of repeat {inside!r}" if inside else "at the top level"),
                item.label() if item else group.label(),
            )
            continue
        if group is not None:
            if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
                errors[where] = SubmissionError("not_a_repeat", "expected a list of instances (objects)", group.label())
                continue
            if len(value) > MAX_INSTANCES:
                errors[where] = SubmissionError("too_many_instances", f"at most {MAX_INSTANCES} instances", group.label())
                continue
            clean[name] = [_read_level(engine, v, name, scope + ((name, i),), errors, calculations) for i, v in enumerate(value)]
            continue
        if item.type in ("calculate", "hidden") or item.calculation is not None:
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                calculations[where] = value.strip() if isinstance(value, str) else canonical(_as_decimal(item), value)[0] or ""
            else:
                errors[where] = SubmissionError("calculated", "this value is calculated by the form", item.label())
            continue
        if not item.collected:
            errors[where] = SubmissionError("not_supported", f"questions of type {item.type} cannot be answered here", item.label())
            continue
        text, error = canonical(item, value)
        if error:
            errors[where] = error
        elif text is not None:
            clean[name] = text
    return clean


def _as_decimal(item):
    from dataclasses import replace

    return replace(item, type="decimal")


def _check_logic(engine: Engine, clean: dict[str, Any], errors: dict[str, SubmissionError], complete: bool, today) -> None:
    instrument = engine.instrument
    memo: dict = {}
    for group in engine.groups.values():
        if not group.repeat:
            continue
        for container, scope in engine.containers(clean, engine.repeat_of(group.name)):
            instances = container.get(group.name)
            where = error_key(group.name, scope)
            if not instances or where in errors:
                continue
            if not engine.is_relevant(group.name, clean, scope, today, memo) and any(instances):
                errors[where] = SubmissionError("not_relevant", "these questions were not asked (skip logic)", group.label())
                continue
            count = engine.instance_count(group.name, clean, scope)
            if count is not None and len(instances) > count:
                errors[where] = SubmissionError(
                    "too_many_instances", f"this form asks for {count} instances, not {len(instances)}", group.label()
                )
    top = [(clean, ())]
    for key, item in instrument.items.items():
        if item.type in ("calculate", "hidden") or item.calculation is not None:
            continue
        repeat = engine.repeat_of(key)
        for container, scope in top if repeat is None else engine.containers(clean, repeat):
            where = error_key(key, scope)
            if where in errors:
                continue
            given = key in container
            asked = engine.is_relevant(key, clean, scope, today, memo)
            if given and not asked:
                errors[where] = SubmissionError("not_relevant", "this question was not asked (skip logic)", item.label())
            elif given and item.choice_filter and item.choice_list is not None:
                offered = {c.name for c in engine.choices(key, clean, scope, today)}
                chosen = container[key].split() if item.type == "select_multiple" else [container[key]]
                missing = [c for c in chosen if c not in offered]
                if missing:
                    errors[where] = SubmissionError("not_offered", f"{missing[0]!r} is not offered here (choice_filter)", item.label())
            if where not in errors and given and key in engine.constraint:
                if not engine.meets_constraint(key, clean, scope, typed(item, container[key]), today):
                    message = item.constraint_messages.get("English (en)") or next(iter(item.constraint_messages.values()), None)
                    message = engine.interpolate(message, clean, scope, key) if message else f"does not meet {item.constraint}"
                    errors[where] = SubmissionError("constraint", message, item.label())
            elif complete and asked and not given and item.collected and engine.is_required(key, clean, scope, today):
                errors[where] = SubmissionError("required", "an answer is required", item.label())


def _value_at(engine: Engine, clean: dict[str, Any], where: str) -> str:
    container: Any = clean
    scope, key = split_error_key(where)
    for name, i in scope:
        instances = container.get(name) if isinstance(container, dict) else None
        if not isinstance(instances, list) or not 0 <= i < len(instances):
            return ""
        container = instances[i]
    return container.get(key, "") if isinstance(container, dict) else ""
