"""Numeric constraints for checks on imported data, built on :mod:`afstand.instrument.xpath`.

Import checks see one cell at a time, without the rest of the row, so only constraints on
the item's own value are checked here: comparisons of ``.`` with numbers, ``and``/``or``,
parentheses. A constraint that refers to other items or calls functions raises
:class:`Unsupported` and is left to the form's runtime (reported as not checked on import).
"""

from __future__ import annotations

import re

import numpy as np

from afstand.instrument.xpath import Unsupported as _XPathUnsupported
from afstand.instrument.xpath import compile_expression

_FUNCTION_CALL = re.compile(r"[A-Za-z][\w-]*\s*\(")


class Unsupported(ValueError):
    pass


def numeric_predicate(expression: str):
    """Compile a constraint into ``f(values: ndarray) -> bool ndarray``; raise Unsupported."""
    if _FUNCTION_CALL.search(expression):
        raise Unsupported(expression)
    try:
        compiled = compile_expression(expression)
    except _XPathUnsupported:
        raise Unsupported(expression) from None
    if compiled.references:
        raise Unsupported(expression)
    return lambda values: np.array([compiled({}, float(v)) for v in np.asarray(values, dtype=float)], dtype=bool)
