"""The page script's evaluator agrees with the server's (afstand.instrument.xpath): the same
conditions over the same answers, read by ``static/survey.js`` in Chromium from the page's fields
(references as written — ``${a}``, ``../b``, ``/data/g/c`` — mapped to fields as the server maps
them), and by the server from the stored answers. A condition the script shows where the server
would not (or hides where it would show) is a disagreement."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest

from afstand.instrument.xpath import compile_expression, reference_tokens
from tests.web import browser as shared

pytestmark = shared.pytestmark
SCRIPT = Path(__file__).resolve().parents[2] / "src" / "afstand" / "web" / "static" / "survey.js"
FIELDS = {"a": "q-a", "b": "q-b", "c": "q-c", "d": "q-d", "e": "q-e", "f": "q-f", "calc": "q-calc"}

EXPRESSIONS = [
    "${a} = 3",
    "${a} = '3'",
    "${a} > 2.5",
    "${a} + 1 = 4",
    "${a} * 2 > 5 and ${b} = 'abc'",
    "${a} div 2 = 1.5",
    "${a} mod 2 = 1",
    "-${a} < 0",
    "${e} = ''",
    "${e} != ''",
    "not(${e})",
    "${e} > 0",
    "${e} < 0",
    "${a} = 3 or ${b} = 'x'",
    "(${a} = 3 or ${b} = 'x') and ${e} = ''",
    "selected(/data/g/c, 'x')",
    "selected(../c, 'z')",
    "count-selected(${c}) = 2",
    "selected-at(${c}, 1) = 'y'",
    "string-length(../b) = 3",
    "contains(${b}, 'bc')",
    "starts-with(${b}, 'a')",
    "ends-with(${b}, 'c')",
    "substr(${b}, 1) = 'bc'",
    "substr(${b}, 0, 2) = 'ab'",
    "translate(${b}, 'abc', 'AB') = 'AB'",
    "join('-', ${a}, ${b}) = '3-abc'",
    "pow(2, 3) = 8",
    "sqrt(${a}) > 1.7",
    "log10(100) = 2",
    "exp(0) = 1 and pi() > 3.14",
    "substring-before('a-b', '-') = 'a'",
    "substring-after('a-b', '-') = 'b'",
    "normalize-space('  a  b ') = 'a b'",
    "concat(${a}, ${b}) = '3abc'",
    "coalesce(${e}, ${b}) = 'abc'",
    "if(${a} > 2, 'big', 'small') = 'big'",
    "regex(${b}, '^a.c$')",
    "regex(${b}, '^b')",
    "${d} > '2024-01-01'",
    "${d} < today()",
    "date(${d}) = '2024-02-29'",
    "int(3.7) = 3",
    "round(2.5) = 3",
    "round(-2.5) = -2",
    "floor(-1.5) = -2",
    "ceiling(1.2) = 2",
    "abs(-3) = 3",
    "min(${a}, 7) = 3",
    "max(1, 2, ${a}) = 3",
    "number('4') = 4",
    "number(${b}) = number(${b})",
    "boolean('') = false()",
    "true() and not(false())",
    "boolean-from-string('true')",
    "string(1.5) = '1.5'",
    "1 div 0 > 1000",
    "${f} = 0.5",
    "${f} * 4 = 2",
    "${calc} = 6",
    "${calc} > ${a}",
    "today() != ''",
    "string-length(.) = 0",
]


def _generated(n: int, seed: int) -> list[str]:
    """Conditions put together at random (seeded) from the answers, literals, operators and functions."""
    import random

    rng = random.Random(seed)
    operands = ["${a}", "../b", "${e}", "${f}", "/data/g/d", "'3'", "3", "2.5", "''", "'abc'", "-1", "0", "today()", "${calc}"]

    def value(depth: int) -> str:
        pick = rng.random()
        if depth <= 0 or pick < 0.4:
            return rng.choice(operands)
        if pick < 0.6:
            return f"({value(depth - 1)} {rng.choice(['+', '-', '*', 'div', 'mod'])} {value(depth - 1)})"
        function = rng.choice(["string-length", "number", "int", "round", "coalesce", "concat", "if", "not", "floor", "abs"])
        if function in ("coalesce", "concat"):
            return f"{function}({value(depth - 1)}, {value(depth - 1)})"
        if function == "if":
            return f"if({condition(depth - 1)}, {value(depth - 1)}, {value(depth - 1)})"
        return f"{function}({value(depth - 1)})"

    def condition(depth: int) -> str:
        if depth > 0 and rng.random() < 0.3:
            return f"({condition(depth - 1)} {rng.choice(['and', 'or'])} {condition(depth - 1)})"
        return f"{value(depth)} {rng.choice(['=', '!=', '<', '<=', '>', '>='])} {value(depth)}"

    return [condition(2) for _ in range(n)]


EXPRESSIONS += _generated(300, seed=16)
# the answers as stored (canonical) and as the page's fields hold them (a decimal comma typed)
ANSWERS = [
    ({"a": "3", "b": "abc", "c": "x y", "d": "2024-02-29", "e": "", "f": "0.5"}, {"f": "0,5"}),
    ({"a": "", "b": "xyz", "c": "z", "d": "2030-01-01", "e": "1", "f": "2.5"}, {"f": "2,5"}),
    ({"a": "-4", "b": "a-c", "c": "", "d": "", "e": "0", "f": ""}, {}),
]


def _page(answers: dict, typed: dict, today: dt.date) -> str:
    inputs = []
    for name in ("a", "b", "d", "e", "f"):
        value = typed.get(name, answers[name])
        inputs.append(f'<input type="text" name="q-{name}" value="{html.escape(value)}">')
    for choice in ("x", "y", "z"):
        checked = " checked" if choice in answers["c"].split() else ""
        inputs.append(f'<label><input type="checkbox" name="q-c" value="{choice}"{checked}>{choice}</label>')
    blocks = []
    for i, expression in enumerate(EXPRESSIONS):
        refs = {text: FIELDS[node[1] if node[0] == "ref" else node[2][-1]] for text, node in reference_tokens(expression)}
        condition = html.escape(json.dumps([[expression, refs]]))
        blocks.append(f'<div id="x{i}" data-relevant="{condition}"><input type="text" name="q-shown{i}"></div>')
    context = {"values": {}, "calculations": [["q-calc", "${a} * 2", {"${a}": "q-a"}, []]], "today": today.isoformat()}
    return (
        '<!DOCTYPE html><html lang="nl"><body><form class="survey" method="post" action="#">'
        + "".join(inputs + blocks)
        + "</form>"
        + f'<script type="application/json" id="context">{html.escape(json.dumps(context), quote=False)}</script>'
        + "</body></html>"
    )


@pytest.mark.parametrize("case", range(len(ANSWERS)))
def test_the_page_script_decides_as_the_server(case):
    answers, typed = ANSWERS[case]
    today = dt.date.today()
    server = {**answers, "calc": compile_expression("${a} * 2").text(answers)}
    with shared.playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shared.CHROMIUM, args=shared.ARGS)
        page = chromium.new_page()
        page.set_content(_page(answers, typed, today))
        page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
        shown = page.evaluate(f"[...Array({len(EXPRESSIONS)}).keys()].map(i => !document.getElementById('x' + i).hidden)")
        chromium.close()
    expected = [compile_expression(e)(server) for e in EXPRESSIONS]
    disagree = [(e, s, x) for e, s, x in zip(EXPRESSIONS, shown, expected) if s != x]
    assert disagree == [], disagree
    assert True in expected and False in expected  # both outcomes occur: the comparison can fail
