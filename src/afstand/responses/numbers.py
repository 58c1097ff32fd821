"""Numbers as people type them: a decimal comma or a decimal point, never silently changed.

``parse_number("0,5")`` and ``parse_number("0.5")`` are both 0.5. Anything that is not plainly
one number (two separators, letters, thousands groups such as ``1.000,5``) is refused with
:class:`NumberError`, so the caller can show an error naming the question instead of storing
a different value.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class NumberError(ValueError):
    """The text is not one number."""


def parse_number(text: str) -> float:
    """The number in ``text``: digits with at most one decimal separator (comma or point)."""
    cleaned = _SPACES.sub("", text).replace("\u2212", "-")  # a typographic minus counts as one
    if not _NUMBER.fullmatch(cleaned):
        raise NumberError(f"{text!r} is not a number")
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
