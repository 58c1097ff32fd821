"""A safe, bounded evaluator for XLSForm expressions (``relevant``, ``constraint``,
``calculate``, ``choice_filter`` and ``${}`` references in labels).

Syntax: ``${item}``, ``.`` (the question's own value), relative paths (``../x``, ``../../g/x``),
absolute paths (``/data/x``), bare names (columns of the choices sheet in a ``choice_filter``),
string and number literals, ``or and = != < <= > >= + - * div mod``, unary minus, parentheses
and the functions of :mod:`afstand.instrument.xpath_functions` (``regex``, ``today``,
``selected``, ``count-selected``, ``string-length``, ``if``, ``coalesce``, ``concat`` and more).
Anything else raises :class:`Unsupported` when the expression is compiled, so a form the server
cannot check is noticed when it is loaded, not when a respondent submits.

Bounds: at most :data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` levels of nesting and
:data:`MAX_DIGITS` digits in a number literal (a clear :class:`Unsupported` error, never a
``RecursionError``); chains such as ``a + b + … + z`` are flat nodes, so their evaluation does not
recurse per term; ``regex()`` runs under a timeout (:class:`EvaluationError`).

What an expression reads comes from a :class:`Context`; :class:`MappingContext` serves a flat
``{name: value}`` mapping (unanswered = ``''``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from afstand.errors import InstrumentError
from afstand.instrument.xpath_functions import FUNCTIONS, EvaluationError, boolean, check_regex, number, string

__all__ = [
    "Context",
    "EvaluationError",
    "Expression",
    "MappingContext",
    "Unsupported",
    "compile_expression",
    "interpolate",
    "reference_tokens",
    "string",
    "text_references",
]

MAX_LENGTH = 10_000
MAX_DEPTH = 32
MAX_DIGITS = 30

_NAME = r"[A-Za-z_][\w.-]*"
_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{" + _NAME + r"\})|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<path>(?:\.\./)+" + _NAME + r"(?:/" + _NAME + r")*|\.\.(?![\w.])|\./" + _NAME + r"(?:/" + _NAME + r")*)"
    r"|(?P<abspath>/" + _NAME + r"(?:/" + _NAME + r")*)"
    r"|(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<dot>\.)"
    r"|(?P<op>!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*)|(?P<name>" + _NAME + r"(?::" + _NAME + r")?))"
)
_REFERENCE = re.compile(r"\$\{(" + _NAME + r")\}")


class Unsupported(InstrumentError, ValueError):
    """The expression uses XPath this evaluator does not implement, is not an expression, or exceeds
    its bounds. ``why`` says what is wrong without the expression (a refusal that names the cell
    shows the expression as its value); ``function`` is the name of a function the evaluator does
    not implement, when that is what is wrong."""

    def __init__(self, message: str, why: str | None = None, function: str | None = None):
        super().__init__(message)
        self.why = why or message
        self.function = function

    def __reduce__(self):  # pickled as raised (afstand.bounded runs checks in a child process)
        return (type(self), (str(self), self.why, self.function))


class Context:
    """What an expression reads. The defaults answer ``''`` for everything."""

    current: Any = ""

    def ref(self, name: str) -> Any:
        return ""

    def path(self, up: int, names: tuple[str, ...], absolute: bool) -> Any:
        return ""

    def column(self, name: str) -> Any:
        return ""

    def position(self) -> int:
        return 1

    def choice_label(self, value: str, reference: str) -> str:
        """``jr:choice-name(value, '${question}')``: the label of a choice (here: the value itself)."""
        return value

    def today(self) -> dt.date:
        return dt.date.today()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class MappingContext(Context):
    """A flat mapping of answers by name; a path resolves to the answer of its last name."""

    def __init__(self, answers: Mapping[str, Any], current: Any = "", columns: Mapping[str, Any] | None = None):
        self.answers, self.current, self.columns = answers, current, columns or {}

    def ref(self, name: str) -> Any:
        value = self.answers.get(name, "")
        return tuple(value) if isinstance(value, list) else value

    def path(self, up: int, names: tuple[str, ...], absolute: bool) -> Any:
        return self.ref(names[-1]) if names else ""

    def column(self, name: str) -> Any:
        return self.columns.get(name, "")


@dataclass(frozen=True)
class Expression:
    source: str
    tree: tuple
    references: frozenset[str]  # names used as ${name}
    paths: frozenset[tuple[int, tuple[str, ...], bool]]  # relative and absolute paths: (up, names, absolute)
    columns: frozenset[str]  # bare names (choice columns)
    functions: frozenset[str] = frozenset()  # names of the functions called

    def __call__(self, answers: Mapping[str, Any] | Context, current: Any = "") -> bool:
        return boolean(self.value(answers, current))

    def value(self, answers: Mapping[str, Any] | Context, current: Any = "") -> Any:
        ctx = answers if isinstance(answers, Context) else MappingContext(answers, current)
        return _eval(self.tree, ctx)

    def text(self, answers: Mapping[str, Any] | Context, current: Any = "") -> str:
        return string(self.value(answers, current))


@lru_cache(maxsize=4096)
def compile_expression(source: str, *, columns: bool = False) -> Expression:
    """Compile once per distinct text. ``columns=True`` allows bare names (choice_filter)."""
    if not isinstance(source, str):
        raise Unsupported(f"{source!r}: not an expression")
    if len(source) > MAX_LENGTH:
        raise Unsupported(f"expression longer than {MAX_LENGTH} characters")
    tokens = _tokenize(source)
    parser = _Parser(tokens, source, columns)
    if not tokens:
        raise Unsupported(f"{source!r}: the expression is empty", "the expression is empty")
    tree = parser.expression()
    if parser.pos != len(tokens):
        parser.fail(parser.leftover())
    return Expression(
        source, tree, frozenset(parser.references), frozenset(parser.paths), frozenset(parser.columns), frozenset(parser.functions)
    )


def reference_tokens(source: str) -> list[tuple[str, tuple]]:
    """The references of an expression as written, each once, with what they read: ``("${age}",
    ("ref", "age"))``, ``("../sex", ("path", 1, ("sex",), False))``, ``("/data/g/x", ("path", 0,
    ("g", "x"), True))``. The page script (``static/survey.js``) reads the same token texts, so a
    map from these texts to what the server resolved them to lets it read the same answers."""
    out: dict[str, tuple] = {}
    parser = _Parser([], source, False)
    for kind, text in _tokenize(source):
        if kind == "ref":
            out.setdefault(text, ("ref", text[2:-1]))
        elif kind in ("path", "abspath"):
            node = parser._path(kind, text)
            if node[0] == "path":
                out.setdefault(text, node)
    return list(out.items())


def text_references(text: str) -> list[str]:
    """The names of the ``${name}`` references in a label, hint or message, each once, in order."""
    return list(dict.fromkeys(_REFERENCE.findall(text))) if "${" in text else []


def interpolate(text: str, resolve) -> str:
    """Replace every ``${name}`` in a label or hint by ``resolve(name)`` (a string)."""
    return _REFERENCE.sub(lambda m: resolve(m.group(1)), text) if "${" in text else text


def _tokenize(source: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = source.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            why = _unreadable(text, pos + len(text[pos:]) - len(text[pos:].lstrip()))
            raise Unsupported(f"{_short(source)}: {why}", why)
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


#: what people write from other languages, with the XLSForm spelling
_FOREIGN = {"&&": "and", "||": "or", "==": "=", "<>": "!=", "=>": ">=", "=<": "<="}


def _unreadable(text: str, pos: int) -> str:
    """Why the tokenizer stops at ``text[pos]``, in words."""
    rest = text[pos:]
    if rest[:1] in ("'", '"'):
        return f"a text that starts with {rest[0]} is not closed: add a {rest[0]} at its end"
    if rest.startswith("${"):
        return (
            f"{rest[: rest.find('}') + 1] if '}' in rest else rest[:20]!r} is not a reference: write ${{name}}, "
            "with the name of a question and no spaces"
        )
    for foreign, xlsform in _FOREIGN.items():
        if rest.startswith(foreign):
            return f"{foreign!r} is not written so in XLSForm: write {xlsform!r}"
    if rest.startswith("!"):
        return "'!' is not written so in XLSForm: write not(…) around a condition"
    if rest.startswith(("[", "@", "|", "{")):
        return f"{rest[0]!r} (at {rest[:12]!r}) is XPath that afstand's web survey does not evaluate"
    return f"{rest[0]!r} cannot be part of an expression (at {rest[:12]!r})"


def _short(source: str) -> str:
    return repr(source if len(source) <= 80 else source[:77] + "...")


_EQUALITY = ("=", "!=")
_RELATIONAL = ("<", "<=", ">", ">=")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], source: str, columns: bool):
        self.tokens, self.pos, self.source, self.allow_columns = tokens, 0, source, columns
        self.depth = 0
        self.references: set[str] = set()
        self.paths: set[tuple[int, tuple[str, ...], bool]] = set()
        self.columns: set[str] = set()
        self.functions: set[str] = set()

    def fail(self, why: str, function: str | None = None):
        raise Unsupported(f"{_short(self.source)}: {why}", why, function)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[0] in ("op", "name") and token[1] in values

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            if value == ")":
                self.fail("a '(' is not closed: add a ')'")
            self.fail(
                f"the expression ends after {self.tokens[-1][1]!r}: something must follow" if self.tokens else "the expression is empty"
            )
        if value is not None and token[1] != value:
            self.fail(
                f"{token[1]!r} after {self.tokens[self.pos - 1][1]!r}: a ')' is missing, or an operator (and, or, =, +, …) between them"
            )
        self.pos += 1
        return token

    def leftover(self) -> str:
        """Why a token is left when the expression is complete."""
        token, before = self.tokens[self.pos][1], self.tokens[self.pos - 1][1]
        if token == ")":
            return "a ')' has no '(' before it"
        return f"{token!r} cannot follow {before!r}: an operator (and, or, =, +, …) is missing between them"

    def misplaced(self, value: str) -> str:
        """Why a token cannot start a value (an operator where a value should be)."""
        if self.pos == 1:
            return f"the expression cannot start with {value!r}"
        before = self.tokens[self.pos - 2][1]
        if (before + value) in _FOREIGN:
            return f"{before + value!r} is not written so in XLSForm: write {_FOREIGN[before + value]!r}"
        if value == ")":
            return f"')' after {before!r}: something is missing before it"
        return f"{value!r} cannot follow {before!r}: a value, ${{name}} or '.' is missing between them"

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} levels deep")

    def expression(self) -> tuple:
        return self._chain("or", self.conjunction)

    def conjunction(self) -> tuple:
        return self._chain("and", self.equality)

    def _chain(self, op: str, operand) -> tuple:
        parts = [operand()]
        while self.at(op):
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else (op, tuple(parts))

    def equality(self) -> tuple:
        return self._binary(_EQUALITY, self.relational)

    def relational(self) -> tuple:
        return self._binary(_RELATIONAL, self.additive)

    def _binary(self, ops: tuple[str, ...], operand) -> tuple:
        left = operand()
        chained = 0  # a chain of comparisons (a = b = c) nests to the left: bound it
        while self.peek() and self.peek()[0] == "op" and self.peek()[1] in ops:
            op = self.take()[1]
            chained += 1
            if chained > MAX_DEPTH:
                self.fail(f"more than {MAX_DEPTH} comparisons in a chain")
            left = ("cmp", op, left, operand())
        return left

    def additive(self) -> tuple:
        return self._arith(("+", "-"), self.multiplicative)

    def multiplicative(self) -> tuple:
        return self._arith(("*", "div", "mod"), self.unary)

    def _arith(self, ops: tuple[str, ...], operand) -> tuple:
        first = operand()
        rest = []
        while self.at(*ops):
            op = self.take()[1]
            rest.append((op, operand()))
        return first if not rest else ("arith", first, tuple(rest))

    def unary(self) -> tuple:
        if self.at("-"):
            self.take()
            self.nested()
            inner = self.unary()
            self.depth -= 1
            return ("neg", inner)
        return self.primary()

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "ref":
            name = value[2:-1]
            self.references.add(name)
            return ("ref", name)
        if kind == "str":
            return ("lit", value[1:-1])
        if kind == "num":
            if sum(c.isdigit() for c in value) > MAX_DIGITS:
                self.fail(f"the number {value[:20]}… has more than {MAX_DIGITS} digits")
            return ("lit", float(value))
        if kind == "dot":
            return ("dot",)
        if kind in ("path", "abspath"):
            return self._path(kind, value)
        if value == "(":
            self.nested()
            inner = self.expression()
            self.take(")")
            self.depth -= 1
            return inner
        if kind == "name" and self.at("("):
            return self.call(value)
        if kind == "name" and value not in ("and", "or", "div", "mod"):
            if not self.allow_columns:
                self.fail(f"{value!r} is not a reference (write ${{{value}}}), and a text is written in quotes ('{value}')")
            self.columns.add(value)
            return ("col", value)
        self.fail(self.misplaced(value))

    def _path(self, kind: str, value: str) -> tuple:
        if kind == "abspath":
            names = tuple(value.strip("/").split("/"))[1:]  # drop the form's root element
            key = (0, names, True)
        else:
            steps = value.split("/")
            up = sum(1 for s in steps if s == "..")
            names = tuple(s for s in steps if s not in ("..", "."))
            key = (up, names, False)
        if not key[1]:
            return ("lit", "")  # '..' alone: a group, whose value is empty
        self.paths.add(key)
        return ("path",) + key

    def call(self, name: str) -> tuple:
        self.take("(")
        self.nested()
        args = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.take()
                args.append(self.expression())
        token = self.peek()
        if token is not None and token[1] != ")":
            self.fail(f"{token[1]!r} after {self.tokens[self.pos - 1][1]!r}: a ',' between the values of {name}() or its ')' is missing")
        self.take(")")
        self.depth -= 1
        self.functions.add(name)
        if name == "if":
            if len(args) != 3:
                self.fail("if() takes 3 arguments")
            return ("if", tuple(args))
        spec = FUNCTIONS.get(name)
        if spec is None:
            self.fail(f"the function {name}() is not supported", name)
        low, high, _ = spec
        if len(args) < low or (high is not None and len(args) > high):
            expected = f"{low}" if low == high else f"{low} to {high}" if high is not None else f"at least {low}"
            self.fail(f"{name}() takes {expected} arguments, not {len(args)}")
        if name == "regex" and args[1][0] == "lit":
            try:
                check_regex(string(args[1][1]))
            except EvaluationError as err:
                self.fail(str(err))
        return ("call", name, tuple(args))


def _eval(node: tuple, ctx: Context) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        return ctx.ref(node[1])
    if kind == "dot":
        return ctx.current
    if kind == "path":
        return ctx.path(node[1], node[2], node[3])
    if kind == "col":
        return ctx.column(node[1])
    if kind == "or":
        return any(boolean(_eval(part, ctx)) for part in node[1])
    if kind == "and":
        return all(boolean(_eval(part, ctx)) for part in node[1])
    if kind == "cmp":
        return _compare(_eval(node[2], ctx), _eval(node[3], ctx), node[1])
    if kind == "arith":
        total = number(_eval(node[1], ctx))
        for op, operand in node[2]:
            total = _arith(total, op, number(_eval(operand, ctx)))
        return total
    if kind == "neg":
        return -number(_eval(node[1], ctx))
    if kind == "if":
        condition, yes, no = node[1]
        return _eval(yes if boolean(_eval(condition, ctx)) else no, ctx)
    if kind == "call":
        return FUNCTIONS[node[1]][2](ctx, *(_eval(a, ctx) for a in node[2]))
    raise Unsupported(f"unknown node {kind}")  # unreachable: the parser makes only the nodes above


def _arith(a: float, op: str, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return float("nan") if a == 0 or math.isnan(a) else math.copysign(float("inf"), a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return float("nan")
    return math.fmod(a, b)


def _compare(a: Any, b: Any, op: str) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):  # node-sets: true when some pair compares true
        left = a if isinstance(a, tuple) else (a,)
        right = b if isinstance(b, tuple) else (b,)
        return any(_compare(x, y, op) for x in left for y in right)
    if op in _EQUALITY:
        if isinstance(a, bool) or isinstance(b, bool):
            equal = boolean(a) == boolean(b)
        elif isinstance(a, float) or isinstance(b, float):
            x, y = number(a), number(b)
            equal = x == y
        else:
            equal = string(a) == string(b)
        return equal if op == "=" else not equal
    x, y = number(a), number(b)
    if math.isnan(x) or math.isnan(y):
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
