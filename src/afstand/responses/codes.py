"""Short, forgiving codes people copy by hand (withdrawal codes).

A code is 16 characters of Douglas Crockford's base-32 alphabet (80 bits) and one check
character, shown as four groups of four and the check character: ``7K3M-Q9TX-2HRW-ZP4E-J``.

Reading is forgiving: case, spaces, dashes and dots are ignored, and the letters Crockford
maps (``O`` → ``0``, ``I``/``L`` → ``1``) are read as the digits they look like. The check
character (Luhn mod 32) catches every single wrong character and every swap of two
neighbouring characters, so a typo is reported as a typo, not as an unknown code.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
DATA_CHARS = 16
_VALUE = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_IGNORED = re.compile(r"[\s\-_.·/]+")


class CodeTypo(ValueError):
    """The text has the shape of a code but a character is wrong (the check character says so)."""


def _check(values: list[int]) -> int:
    """Luhn mod N (N = 32) check value of ``values``."""
    total, factor = 0, 2
    for value in reversed(values):
        addend = factor * value
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return (32 - total % 32) % 32


def make_code(secret: bytes) -> str:
    """The code for at least 10 bytes of (pseudo)random ``secret``: 80 bits and a check character."""
    if len(secret) < 10:
        raise ValueError("a code needs at least 80 bits")
    number = int.from_bytes(secret[:10], "big")
    values = [(number >> (5 * (DATA_CHARS - 1 - i))) & 31 for i in range(DATA_CHARS)]
    text = "".join(ALPHABET[v] for v in values) + ALPHABET[_check(values)]
    return "-".join(text[i : i + 4] for i in range(0, DATA_CHARS, 4)) + "-" + text[DATA_CHARS:]


def code_characters(typed: str) -> str:
    """What someone typed without the characters reading ignores (spaces, dashes, dots), upper case."""
    return _IGNORED.sub("", typed).upper()


def read_code(typed: str) -> str | None:
    """The canonical code for what someone typed; None when it does not have the shape of a
    code at all (wrong length or characters); :class:`CodeTypo` when the check character does not match."""
    compact = code_characters(typed)
    if len(compact) != DATA_CHARS + 1 or any(c not in _VALUE for c in compact):
        return None
    values = [_VALUE[c] for c in compact]
    if _check(values[:DATA_CHARS]) != values[DATA_CHARS]:
        raise CodeTypo("a character of the code is wrong")
    text = "".join(ALPHABET[v] for v in values)
    return "-".join(text[i : i + 4] for i in range(0, DATA_CHARS, 4)) + "-" + text[DATA_CHARS:]
