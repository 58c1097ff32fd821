"""LimeSurvey's texts and skip logic in XLSForm's terms, for :mod:`afstand.instrument.limesurvey_form`:
HTML texts as plain text, ``{Q1}`` in texts as ``${Q1}``, language codes as XLSForm language
names, and relevance equations as XPath.

LimeSurvey keeps a question's logic as a relevance equation in its Expression Manager (EM)
syntax, or (surveys from before 2.x, still exportable) as rows of ``<conditions>``. The simple
equations are converted: comparisons of a question with a value or another question (``Q1 ==
"A1"``, ``Q1.NAOK != 'A2'``, ``Q2 > 3``, ``eq``/``ne``/``lt``/``le``/``gt``/``ge``), a multiple
choice option (``Q3_SQ001 == "Y"`` → ``selected(${Q3}, 'SQ001')``), ``is_empty(Q)`` and
``!is_empty(Q)``, joined with ``and``/``&&``, ``or``/``||``, ``!`` and parentheses. Anything else
(other functions, arithmetic, ``self``/``that``, SGQA codes, regular expressions) is not: the
caller keeps the question always shown and warns, naming the equation.
"""

from __future__ import annotations

import html
import re

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>\d+(?:\.\d+)?(?![\w.]))|(?P<str>"[^"\\]*"|'[^'\\]*')|(?P<op>==|!=|<=|>=|&&|\|\||[<>!()])"""
    r"""|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z]+)?))"""
)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "&&", "or": "||", "not": "!"}
_XPATH_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SUFFIXES = ("", "NAOK", "code", "value", "valueNAOK")
_ALWAYS = ("", "1", "true")

#: what an EM variable stands for in the XLSForm: ("one", name) a select_one, ("value", name) any
#: other question, ("option", select_multiple, choice) a multiple choice option, ("multi", name) a
#: multiple choice as a whole
Names = dict[str, tuple]


class _Unconvertible(Exception):
    pass


def relevance(source: str, names: Names) -> str | None:
    """The XPath of an EM relevance equation ('' when it is always true); None when it is not converted."""
    text = source.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if text.lower() in _ALWAYS:
        return ""
    try:
        tokens = _tokens(text)
        parser = _Parser(tokens, names)
        out = parser.or_expr()
        if parser.pos != len(tokens):
            raise _Unconvertible
        return out
    except _Unconvertible:
        return None


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _Unconvertible
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value.lower() in _WORD_OPS:
            kind, value = "op", _WORD_OPS[value.lower()]
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], names: Names) -> None:
        self.tokens, self.names, self.pos = tokens, names, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            raise _Unconvertible
        self.pos += 1
        return token

    def or_expr(self) -> str:
        parts = [self.and_expr()]
        while self.peek() == ("op", "||"):
            self.take()
            parts.append(self.and_expr())
        return " or ".join(parts)

    def and_expr(self) -> str:
        parts = [self.unary()]
        while self.peek() == ("op", "&&"):
            self.take()
            parts.append(self.unary())
        return " and ".join(parts)

    def unary(self) -> str:
        if self.peek() == ("op", "!"):
            self.take()
            grouped = self.peek() == ("op", "(")
            if not grouped and self.peek() not in (("name", "is_empty"), ("op", "!")):
                raise _Unconvertible  # EM's ! binds before ==: "!Q1 == 'A'" is not "not(Q1 == 'A')"
            inner = self.unary()
            if re.fullmatch(r"\$\{\w+\} = ''", inner):  # !is_empty(Q)
                return inner[: -len(" = ''")] + " != ''"
            return f"not{inner}" if grouped else f"not({inner})"
        if self.peek() == ("op", "("):
            self.take()
            inner = self.or_expr()
            self.take(")")
            return f"({inner})"
        if self.peek() == ("name", "is_empty"):
            self.take()
            self.take("(")
            variable = self.variable(self.take())
            self.take(")")
            return _empty(variable)
        left = self.operand()
        kind, op = self.take()
        if kind != "op" or op not in _XPATH_OPS:
            raise _Unconvertible
        right = self.operand()
        if left[0] != "var":
            left, right, op = right, left, _MIRROR[op]
        if left[0] != "var":
            raise _Unconvertible
        return _compare(left[1], op, right)

    def operand(self) -> tuple[str, object]:
        kind, value = self.take()
        if kind == "name":
            return "var", self.variable((kind, value))
        if kind == "num":
            return "num", value
        if kind == "str":
            return "str", value[1:-1]
        raise _Unconvertible

    def variable(self, token: tuple[str, str]) -> tuple:
        kind, value = token
        base, _, suffix = value.partition(".")
        if kind != "name" or suffix not in _SUFFIXES or base not in self.names:
            raise _Unconvertible
        return self.names[base]


def _literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise _Unconvertible


def _empty(variable: tuple) -> str:
    if variable[0] == "option":
        return f"not(selected(${{{variable[1]}}}, '{variable[2]}'))"
    if variable[0] == "multi":
        return f"count-selected(${{{variable[1]}}}) = 0"
    return f"${{{variable[1]}}} = ''"


def _compare(variable: tuple, op: str, right: tuple[str, object]) -> str:
    if variable[0] == "multi":
        raise _Unconvertible
    if variable[0] == "option":  # Q_SQ001 == "Y": the option is chosen; == "": it is not
        if right[0] != "str" or right[1] not in ("Y", "") or op not in ("==", "!="):
            raise _Unconvertible
        chosen = (right[1] == "Y") == (op == "==")
        selected = f"selected(${{{variable[1]}}}, '{variable[2]}')"
        return selected if chosen else f"not({selected})"
    if right[0] == "var":
        other = right[1]
        if other[0] in ("multi", "option"):
            raise _Unconvertible
        return f"${{{variable[1]}}} {_XPATH_OPS[op]} ${{{other[1]}}}"
    value = str(right[1])
    if variable[0] == "one" and value == "-oth-":
        value = "other"
    return f"${{{variable[1]}}} {_XPATH_OPS[op]} {value if right[0] == 'num' else _literal(value)}"


# ---------------------------------------------------------------------------------------------
# conditions (LimeSurvey before 2.x, still in the export): as an EM equation


def conditions_relevance(rows: list[dict[str, str]], codes: dict[str, str]) -> dict[str, str]:
    """Per question id, its ``<conditions>`` as one EM equation: within a scenario the conditions on
    one field are joined with "or" (with "and" when they are not all ``==``), the fields with
    "and"; the scenarios with "or". A condition the equation cannot state (a comparison with
    another answer ``@…@``, a regular expression, a token attribute) keeps its LimeSurvey text,
    so the equation is not converted and the caller warns."""
    scenarios: dict[str, dict[str, dict[str, list[tuple[str, str]]]]] = {}
    for row in rows:
        qid, cqid, field = row.get("qid", ""), row.get("cqid", ""), row.get("cfieldname", "").lstrip("+")
        match = re.fullmatch(r"\d+X\d+X" + re.escape(cqid) + r"(.*)", field) if cqid in codes else None
        variable = (codes[cqid] + (f"_{match.group(1)}" if match.group(1) else "")) if match else field
        per_field = scenarios.setdefault(qid, {}).setdefault(row.get("scenario") or "1", {})
        per_field.setdefault(variable, []).append((row.get("method", "==") or "==", row.get("value", "")))
    out = {}
    for qid, by_scenario in scenarios.items():
        ors = []
        for fields in by_scenario.values():
            ands = []
            for variable, tests in fields.items():
                join = " or " if all(m == "==" for m, _ in tests) else " and "
                parts = [f"{variable} {m} {_em_literal(v)}" if m in _XPATH_OPS else f"{variable} {m} {v}" for m, v in tests]
                ands.append(parts[0] if len(parts) == 1 else "(" + join.join(parts) + ")")
            ors.append(" and ".join(ands))
        out[qid] = " or ".join(f"({o})" if len(ors) > 1 and " and " in o else o for o in ors)
    return out


def _em_literal(value: str) -> str:
    if value.startswith("@") or value.startswith("{"):
        return value  # another answer or a token attribute: left as LimeSurvey wrote it
    return f'"{value}"' if '"' not in value else f"'{value}'"


# ---------------------------------------------------------------------------------------------
# texts

_PIPED = re.compile(r"\{([^{}\s][^{}]*)\}")
_PIPED_NAME = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(?:\.(NAOK|shown|code|value))?")


def pipe(text: str, names: Names) -> tuple[str, list[str]]:
    """A text with LimeSurvey's ``{Q1}`` (``.shown``, ``.NAOK``) as XLSForm's ``${Q1}``; and the
    ``{…}`` expressions that stay as typed (EM skips a brace followed by a space, so does this)."""
    left: list[str] = []

    def one(match: re.Match) -> str:
        inner = match.group(1)
        name = _PIPED_NAME.fullmatch(inner.strip())
        variable = names.get(name.group(1)) if name else None
        if variable is None or variable[0] in ("option", "multi") or inner != inner.strip():
            left.append(match.group(0))
            return match.group(0)
        return f"${{{variable[1]}}}"

    return _PIPED.sub(one, text or ""), left


def plain(text: str) -> str:
    """LimeSurvey's HTML text as plain text: tags out, entities decoded, a line per paragraph."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", text or "")
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h\d)\s*>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", "", text)).replace("\xa0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return "\n".join(line for line in (" ".join(part.split()) for part in text.splitlines()) if line)


def language_label(code: str) -> str:
    """``nl`` → ``Nederlands (nl)``: the language's own name (Babel's CLDR data) and LimeSurvey's code."""
    from babel import Locale, UnknownLocaleError

    for candidate in (code.replace("-", "_"), code.split("-")[0]):
        try:
            name = Locale.parse(candidate).get_language_name()
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if name:
            return f"{name[:1].upper()}{name[1:]} ({code})"
    return f"{code} ({code})"
