"""Numbers as people type them: a decimal comma or a decimal point, never silently changed.

``parse_number("0,5")`` and ``parse_number("0.5")`` are both 0.5. Anything that is not plainly
one number (two separators, letters, thousands groups such as ``1.000,5``) is refused with
:class:`NumberError`, so the caller can show an error naming the question instead of storing
a different value:

* one separator before exactly three digits (``1.000``, ``1,500``) is a thousand to a Dutch
  reader and a fraction to an English one: :class:`AmbiguousNumber`, never read as either;
* a space separates groups of three digits only (``1 000``); ``3 5`` is not 35.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_AROUND = re.compile(r"\s*([+\-\u2212.,])\s*")  # spaces next to a sign or a separator
_GROUPED = re.compile(r"[+\-\u2212]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?")  # 12 345 or 12 345,5
_THOUSAND = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")  # 1.000, 12,345: a thousand or a fraction?


class NumberError(ValueError):
    """The text is not one number."""


class AmbiguousNumber(NumberError):
    """The text reads as two different numbers (``1.000``: a thousand, or one)."""


def parse_number(text: str) -> float:
    """The number in ``text``: digits with at most one decimal separator (comma or point)."""
    spaced = _AROUND.sub(r"\1", _SPACES.sub(" ", text).strip())
    if " " in spaced and not _GROUPED.fullmatch(spaced):
        raise NumberError(f"{text!r} is not one number")
    cleaned = spaced.replace(" ", "").replace("\u2212", "-")  # a typographic minus counts as one
    if not _NUMBER.fullmatch(cleaned):
        raise NumberError(f"{text!r} is not a number")
    if _THOUSAND.fullmatch(cleaned):
        raise AmbiguousNumber(f"{text!r} is a thousand or a fraction")
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise NumberError(f"{text!r} is not a finite number")
    return value


def canonical_number(text: str, *, integer: bool = False) -> str:
    """The canonical text of a typed number (``0,5`` → ``0.5``; ``12,0`` → ``12``).

    ``integer=True`` refuses a fraction (``NumberError``) instead of rounding it."""
    value = parse_number(text)
    if integer and not value.is_integer():
        raise NumberError(f"{text!r} is not a whole number")
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)
