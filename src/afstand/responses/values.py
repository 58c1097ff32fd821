"""One answer's canonical text per XLSForm type (the encoding of the CSV layout and the database).

select_one: the choice name; select_multiple: space-separated choice names (a list is accepted
too); integer: digits; decimal: a point as decimal separator (a decimal comma is read as well:
``"0,5"`` is 0.5); date ``YYYY-MM-DD``; time ``HH:MM[:SS][zone]``; datetime
``YYYY-MM-DDTHH:MM[:SS][zone]``; acknowledge ``OK``; text stripped. Input that cannot be read is
an error that names the question; a value is never changed into another one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from afstand.instrument.model import Item
from afstand.instrument.xpath_functions import parse_date, parse_datetime, parse_time

MAX_TEXT = 10_000  # characters of one open answer
MAX_EXACT = 2**53  # integers beyond this cannot be stored exactly as numbers
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,3})?")
_TRUE = {"ok", "true", "1", "yes"}


@dataclass(frozen=True)
class SubmissionError:
    code: str
    message: str
    question: str = ""  # the question's label, so every message names it

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.question:
            out["question"] = self.question
        return out

    def __str__(self) -> str:
        return f"{self.question}: {self.message}" if self.question else self.message


def canonical(item: Item, raw: Any) -> tuple[str | None, SubmissionError | None]:
    """``(text, None)``, ``(None, None)`` for no answer, or ``(None, error)``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None, None

    def error(code: str, message: str) -> tuple[None, SubmissionError]:
        return None, SubmissionError(code, message, item.label())

    kind = item.type
    if kind == "select_one":
        if not isinstance(raw, str):
            return error("not_a_choice", "expected a choice name (text)")
        value = raw.strip()
        if item.choice_list.get(value) is None:
            return error("not_a_choice", f"{_short(value)!r} is not a choice of {item.name}")
        return value, None
    if kind == "select_multiple":
        parts = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else None
        if parts is None or not all(isinstance(p, str) for p in parts):
            return error("not_a_choice", "expected space-separated choice names or a list of them")
        unknown = [p for p in parts if item.choice_list.get(p) is None]
        if unknown:
            return error("not_a_choice", f"{_short(unknown[0])!r} is not a choice of {item.name}")
        return " ".join(dict.fromkeys(parts)), None
    if kind in ("integer", "decimal", "range"):
        return _number(item, raw, error)
    if kind in ("date", "time", "datetime"):
        if not isinstance(raw, str):
            return error(f"not_a_{kind}", f"expected a {kind} as text")
        text = raw.strip()
        if kind == "date":
            if parse_date(text) is None:
                return error("not_a_date", f"{_short(text)!r} is not a date (YYYY-MM-DD)")
            return text, None
        if kind == "time":
            if parse_time(text) is None:
                return error("not_a_time", f"{_short(text)!r} is not a time (HH:MM)")
            return text, None
        text = text.replace(" ", "T", 1)
        if parse_datetime(text) is None:
            return error("not_a_datetime", f"{_short(text)!r} is not a date and time (YYYY-MM-DDTHH:MM)")
        return text, None
    if kind == "acknowledge":
        if raw is True or (isinstance(raw, str) and raw.strip().lower() in _TRUE):
            return "OK", None
        return error("not_acknowledged", "expected OK")
    if kind == "text":
        if not isinstance(raw, str):
            return error("not_text", "expected text")
        text = raw.strip()
        if UNPRINTABLE.search(
            text
        ):  # NUL, other control characters, lone surrogates: no keyboard types them, databases and spreadsheets refuse them
            return error("bad_character", "the text contains a control character or invalid Unicode")
        if len(text) > MAX_TEXT:
            return error("too_long", f"at most {MAX_TEXT} characters")
        return text, None
    return error("not_supported", f"questions of type {item.type} cannot be answered here")


def _number(item: Item, raw: Any, error) -> tuple[str | None, SubmissionError | None]:
    if isinstance(raw, bool):
        return error("not_a_number", "expected a number")
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER.fullmatch(text):
            return error("not_a_number", f"{_short(text)!r} is not a number")
        number = float(text.replace(",", "."))
    elif isinstance(raw, (int, float)):
        if isinstance(raw, int) and abs(raw) > MAX_EXACT:
            return error("too_large", "the number is too large")
        number = float(raw)
    else:
        return error("not_a_number", "expected a number")
    if not math.isfinite(number):
        return error("not_a_number", "expected a finite number")
    if abs(number) > MAX_EXACT:
        return error("too_large", "the number is too large")
    if item.type == "integer":
        if not number.is_integer():
            return error("not_a_whole_number", f"{_short(str(raw))!r} is not a whole number")
        return str(int(number)), None
    if item.type == "range":
        problem = _range_problem(item, number)
        if problem:
            return error("out_of_range", problem)
    return _decimal_text(number), None


def _decimal_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _range_problem(item: Item, number: float) -> str | None:
    try:
        start = float(item.parameters.get("start", 1))
        end = float(item.parameters.get("end", 10))
        step = float(item.parameters.get("step", 1))
    except ValueError:
        return "the range of this question is not readable"
    low, high = min(start, end), max(start, end)
    if not low <= number <= high:
        return f"must be between {_decimal_text(low)} and {_decimal_text(high)}"
    if step and abs(((number - start) / step) - round((number - start) / step)) > 1e-9:
        return f"must be a step of {_decimal_text(step)} from {_decimal_text(start)}"
    return None


def typed(item: Item, value: str) -> Any:
    """The value an expression sees for ``.``: numbers as numbers, everything else as text."""
    if item.type in ("integer", "decimal", "range"):
        return float(value)
    return value


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
