"""A safe evaluator for the XLSForm expressions of ``relevant`` and ``constraint``.

Supported (what the study's forms and most ODK/Kobo forms use): ``${item}``, ``.`` (the
item's own value), string and number literals, ``= != < <= > >=``, ``and``, ``or``,
``not(…)``, ``selected(${item}, 'choice')``, ``count-selected(${item})``,
``string-length(…)``, ``number(…)``, ``true()``, ``false()``, parentheses, ``+ - * div``.
Anything else raises :class:`Unsupported` when the expression is compiled, so a form the
server cannot check is noticed when it is loaded, not when a respondent submits.

Values follow XPath 1.0 loosely: an unanswered item is ``''``; comparing with a number
converts to a number (``''`` → NaN, so ``. >= 16`` is false for an empty answer).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][\w.-]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<op>!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*)|(?P<name>[A-Za-z][\w-]*)|(?P<dot>\.))"
)


class Unsupported(ValueError):
    """The expression uses XPath this evaluator does not implement."""


@dataclass(frozen=True)
class Expression:
    source: str
    run: Callable[[Mapping[str, Any], Any], Any]
    references: frozenset[str]

    def __call__(self, answers: Mapping[str, Any], current: Any = "") -> bool:
        return _boolean(self.run(answers, current))


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Compile once per distinct expression text (compiled expressions are immutable)."""
    tokens = _tokenize(source)
    parser = _Parser(tokens, source)
    run = parser.expression()
    if parser.pos != len(tokens):
        raise Unsupported(f"{source!r}: unexpected {tokens[parser.pos][1]!r}")
    return Expression(source, run, frozenset(parser.references))


def _tokenize(source: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = source.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise Unsupported(f"{source!r}: cannot read {text[pos:pos + 12]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], source: str):
        self.tokens, self.pos, self.source = tokens, 0, source
        self.references: set[str] = set()

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Unsupported(f"{self.source!r}: expected {value or 'more'}")
        self.pos += 1
        return token

    def expression(self):
        left = self.conjunction()
        while self.peek() and self.peek()[1] == "or":
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda ans, cur: _boolean(a(ans, cur)) or _boolean(b(ans, cur)))(left, right)
        return left

    def conjunction(self):
        left = self.comparison()
        while self.peek() and self.peek()[1] == "and":
            self.take()
            right = self.comparison()
            left = (lambda a, b: lambda ans, cur: _boolean(a(ans, cur)) and _boolean(b(ans, cur)))(left, right)
        return left

    def comparison(self):
        left = self.additive()
        token = self.peek()
        if token and token[0] == "op" and token[1] in _COMPARE:
            self.take()
            right = self.additive()
            return (lambda a, b, op: lambda ans, cur: _compare(a(ans, cur), b(ans, cur), op))(left, right, token[1])
        return left

    def additive(self):
        left = self.multiplicative()
        while self.peek() and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            right = self.multiplicative()
            left = (lambda a, b, o: lambda ans, cur: _number(a(ans, cur)) + (_number(b(ans, cur)) if o == "+" else -_number(b(ans, cur))))(left, right, op)
        return left

    def multiplicative(self):
        left = self.unary()
        while self.peek() and self.peek()[1] in ("*", "div"):
            op = self.take()[1]
            right = self.unary()
            left = (lambda a, b, o: lambda ans, cur: _number(a(ans, cur)) * _number(b(ans, cur)) if o == "*" else _divide(_number(a(ans, cur)), _number(b(ans, cur))))(left, right, op)
        return left

    def unary(self):
        if self.peek() and self.peek()[1] == "-":
            self.take()
            inner = self.unary()
            return lambda ans, cur: -_number(inner(ans, cur))
        return self.primary()

    def primary(self):
        token = self.take()
        kind, value = token
        if kind == "ref":
            name = value[2:-1]
            self.references.add(name)
            return lambda ans, cur: ans.get(name, "")
        if kind == "str":
            text = value[1:-1]
            return lambda ans, cur: text
        if kind == "num":
            number = float(value)
            return lambda ans, cur: number
        if kind == "dot":
            return lambda ans, cur: cur
        if value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "name" and self.peek() and self.peek()[1] == "(":
            return self.call(value)
        raise Unsupported(f"{self.source!r}: unexpected {value!r}")

    def call(self, name: str):
        self.take("(")
        args = []
        if self.peek() and self.peek()[1] != ")":
            args.append(self.expression())
            while self.peek() and self.peek()[1] == ",":
                self.take()
                args.append(self.expression())
        self.take(")")
        function = _FUNCTIONS.get(name)
        if function is None or len(args) != function[0]:
            raise Unsupported(f"{self.source!r}: function {name}() with {len(args)} arguments is not supported")
        implementation = function[1]
        return lambda ans, cur: implementation(*(a(ans, cur) for a in args))


_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


def _compare(a: Any, b: Any, op: str) -> bool:
    if op in ("=", "!=") and not isinstance(a, (bool, float, int)) and not isinstance(b, (bool, float, int)):
        equal = _string(a) == _string(b)
        return equal if op == "=" else not equal
    x, y = _number(a), _number(b)
    if math.isnan(x) or math.isnan(y):
        return op == "!="
    return {"=": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (list, tuple)):
        return " ".join(value)
    return "" if value is None else str(value)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(_string(value).strip().replace(",", "."))
    except ValueError:
        return float("nan")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return _string(value) != ""


def _divide(a: float, b: float) -> float:
    return float("nan") if b == 0 else a / b


def _selected(value: Any, choice: Any) -> bool:
    return _string(choice) in _string(value).split()


_FUNCTIONS: dict[str, tuple[int, Callable]] = {
    "selected": (2, _selected),
    "count-selected": (1, lambda v: float(len(_string(v).split()))),
    "string-length": (1, lambda v: float(len(_string(v)))),
    "number": (1, _number),
    "not": (1, lambda v: not _boolean(v)),
    "true": (0, lambda: True),
    "false": (0, lambda: False),
}
