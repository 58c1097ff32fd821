"""Check one submitted response against its instrument (web form and JSON API).

Answers use the canonical encoding of the CSV layout: item name → choice name,
select_multiple as space-separated choice names (a JSON list is accepted too), numbers as
numbers or numeric strings, unanswered items left out. The checks are the form's own:
unknown items and choices, number types, ``required``, ``relevant`` (an answer to a question
that was not asked is refused, not dropped) and ``constraint``, evaluated on the server with
:mod:`afstand.instrument.xpath`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from afstand.instrument.model import Instrument, Item
from afstand.instrument.xpath import Expression, compile_expression

MAX_TEXT = 10_000  # characters of one open answer


@dataclass(frozen=True)
class SubmissionError:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class CheckedSubmission:
    answers: dict[str, str]  # canonical text per answered item
    consented: bool
    errors: dict[str, SubmissionError]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Rules:
    relevant: dict[str, list[Expression]]  # item -> its own and its groups' conditions
    constraint: dict[str, Expression]


_RULES: dict[str, _Rules] = {}  # by instrument version id: same content, same rules


def _rules(instrument: Instrument) -> _Rules:
    cached = _RULES.get(instrument.version_id)
    if cached is None:
        cached = _RULES[instrument.version_id] = _compile(instrument)
    return cached


def _compile(instrument: Instrument) -> _Rules:
    relevant: dict[str, list[Expression]] = {}
    constraint: dict[str, Expression] = {}
    for item in instrument.items.values():
        conditions = [g.relevant for g in instrument.groups if g.relevant and item.name in g.elements]
        if item.relevant:
            conditions.append(item.relevant)
        relevant[item.name] = [compile_expression(c) for c in conditions]
        if item.constraint:
            constraint[item.name] = compile_expression(item.constraint)
    return _Rules(relevant, constraint)


def compile_rules(instrument: Instrument) -> None:
    """Compile every relevant/constraint expression now (raises Unsupported for a form the server cannot check)."""
    _rules(instrument)


def check_submission(instrument: Instrument, answers: Mapping[str, Any], *, complete: bool = True) -> CheckedSubmission:
    """Check ``answers``; ``complete=False`` skips the ``required`` check (a page saved half-way)."""
    errors: dict[str, SubmissionError] = {}
    clean: dict[str, str] = {}
    if not isinstance(answers, Mapping):
        return CheckedSubmission({}, False, {"answers": SubmissionError("not_an_object", "answers must be an object")})
    for name, raw in answers.items():
        item = instrument.items.get(name)
        if item is None:
            errors[str(name)] = SubmissionError("unknown_item", f"no question {name!r} in this instrument")
            continue
        value, error = _canonical(item, raw)
        if error:
            errors[name] = error
        elif value is not None:
            clean[name] = value
    consented = True
    if instrument.consent_item:
        consented = clean.get(instrument.consent_item) == instrument.consent_choice
        if instrument.consent_item not in clean and instrument.consent_item not in errors:
            errors[instrument.consent_item] = SubmissionError("required", "consent is required")
        if not consented and instrument.consent_item in clean:
            for name in clean:
                if name != instrument.consent_item:
                    errors[name] = SubmissionError("no_consent", "no answers may be given without consent")
    rules = _rules(instrument)
    for item in instrument.items.values():
        if item.name in errors:
            continue
        asked = all(condition(clean) for condition in rules.relevant[item.name])
        given = item.name in clean
        if given and not asked:
            errors[item.name] = SubmissionError("not_relevant", "this question was not asked (skip logic)")
        elif given and item.name in rules.constraint:
            if not rules.constraint[item.name](clean, _typed(item, clean[item.name])):
                message = item.constraint_messages.get("English (en)") or f"does not meet {item.constraint}"
                errors[item.name] = SubmissionError("constraint", message)
        elif complete and asked and item.required and not given:
            errors[item.name] = SubmissionError("required", "an answer is required")
    return CheckedSubmission(clean, consented, errors)


UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _canonical(item: Item, raw: Any) -> tuple[str | None, SubmissionError | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None, None
    kind = item.kind
    if kind == "select_one":
        if not isinstance(raw, str):
            return None, SubmissionError("not_a_choice", "expected a choice name (text)")
        value = raw.strip()
        if item.choice_list.get(value) is None:
            return None, SubmissionError("not_a_choice", f"{value!r} is not a choice of {item.name}")
        return value, None
    if kind == "select_multiple":
        parts = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else None
        if parts is None or not all(isinstance(p, str) for p in parts):
            return None, SubmissionError("not_a_choice", "expected space-separated choice names or a list of them")
        unknown = [p for p in parts if item.choice_list.get(p) is None]
        if unknown:
            return None, SubmissionError("not_a_choice", f"{unknown[0]!r} is not a choice of {item.name}")
        seen: list[str] = []
        for p in parts:
            if p not in seen:
                seen.append(p)
        return " ".join(seen), None
    if kind == "number":
        if isinstance(raw, bool):
            return None, SubmissionError("not_a_number", "expected a number")
        try:
            number = float(raw.strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            return None, SubmissionError("not_a_number", f"{raw!r} is not a number")
        if not math.isfinite(number):
            return None, SubmissionError("not_a_number", "expected a finite number")
        if item.type == "integer":
            if not number.is_integer():
                return None, SubmissionError("not_a_whole_number", f"{raw!r} is not a whole number")
            return str(int(number)), None
        return repr(number).removesuffix(".0") if number.is_integer() else repr(number), None
    if kind == "text":
        if not isinstance(raw, str):
            return None, SubmissionError("not_text", "expected text")
        text = raw.strip()
        if UNPRINTABLE.search(text):  # NUL, other control characters, lone surrogates: no keyboard types them, databases and spreadsheets refuse them
            return None, SubmissionError("bad_character", "the text contains a control character or invalid Unicode")
        if len(text) > MAX_TEXT:
            return None, SubmissionError("too_long", f"at most {MAX_TEXT} characters")
        return text, None
    return None, SubmissionError("not_supported", f"questions of type {item.type} cannot be answered here")


def _typed(item: Item, value: str) -> Any:
    if item.kind == "number":
        return float(value)
    return value
