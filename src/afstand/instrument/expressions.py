"""A small, safe evaluator for the XLSForm constraints afstand checks itself.

Supported: comparisons of ``.`` with numbers (``. >= 16``), joined with ``and``/``or``,
with parentheses. That covers the range checks of number items; a constraint outside this
subset is left to the form's runtime (ODK/Enketo) and reported as not checked on import.
"""

from __future__ import annotations

import re

import numpy as np

_TOKEN = re.compile(r"\s*(>=|<=|!=|=|>|<|\(|\)|\.(?![0-9])|and\b|or\b|-?\d+(?:\.\d+)?)")
_OPS = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less, "=": np.equal, "!=": np.not_equal}


class Unsupported(ValueError):
    pass


def numeric_predicate(expression: str):
    """Compile a constraint into ``f(values: ndarray) -> bool ndarray``; raise Unsupported."""
    tokens = _tokenize(expression)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take(expected=None):
        nonlocal pos
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise Unsupported(expression)
        pos += 1
        return tok

    def disjunction():
        left = conjunction()
        while peek() == "or":
            take()
            right = conjunction()
            left = (lambda a, b: lambda v: a(v) | b(v))(left, right)
        return left

    def conjunction():
        left = atom()
        while peek() == "and":
            take()
            right = atom()
            left = (lambda a, b: lambda v: a(v) & b(v))(left, right)
        return left

    def atom():
        if peek() == "(":
            take("(")
            inner = disjunction()
            take(")")
            return inner
        lhs = take()
        op = take()
        rhs = take()
        if op not in _OPS:
            raise Unsupported(expression)
        if lhs == "." and _is_number(rhs):
            number = float(rhs)
            return lambda v, f=_OPS[op], n=number: f(v, n)
        if rhs == "." and _is_number(lhs):
            number = float(lhs)
            return lambda v, f=_OPS[op], n=number: f(n, v)
        raise Unsupported(expression)

    predicate = disjunction()
    if pos != len(tokens):
        raise Unsupported(expression)
    return predicate


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(?:\.\d+)?", token))


def _tokenize(expression: str) -> list[str]:
    tokens, pos = [], 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise Unsupported(expression)
        tokens.append(match.group(1))
        pos = match.end()
    return tokens
