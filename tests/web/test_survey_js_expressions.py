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
FIELDS = {"a": "q-a", "b": "q-b", "c": "q-c", "d": "q-d", "e": "q-e", "f": "q-f", "t": "q-t", "r": "q-r[*]", "calc": "q-calc"}

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
# the answers as stored (canonical) and as the page's fields hold them (a decimal comma typed);
# ``r`` is a question in a repeat seen from outside it (its answers come from the page's context)
ANSWERS = [
    (
        {"a": "3", "b": "abc", "c": "x y", "d": "2024-02-29", "e": "", "f": "0.5", "t": "2024-02-29T23:30:15.250-05:00", "r": ["5", "7"]},
        {"f": "0,5"},
    ),
    ({"a": "", "b": "xyz", "c": "z", "d": "2030-01-01", "e": "1", "f": "2.5", "t": "0099-03-01T00:00", "r": []}, {"f": "2,5"}),
    ({"a": "-4", "b": "a-c", "c": "", "d": "", "e": "0", "f": "", "t": "2024-13-01T10:00", "r": ["x"]}, {}),
    (
        {"a": "1.000", "b": "", "c": "", "d": "-2024-01-01", "e": "", "f": "3,5", "t": "2023-12-31 23:59:59.999999+05:30", "r": ["", "2"]},
        {},
    ),
]
# values the script computes as the server does (each checked as ``value = 'what the server computes'``)
VALUES = [
    "format-date(${d}, '%Y-%m-%d %b %a %e %n %y %H:%M:%S.%3 %h')",
    "format-date(${t}, '%Y-%m-%d %b %a %e %n %y %H:%M:%S.%3 %h')",
    "format-date-time(${t}, '%d/%m/%Y %H:%M')",
    "format-date(19782.7, '%Y-%m-%d %a')",
    "format-date(-719162, '%Y-%m-%d')",
    "format-date(-719163, '%Y-%m-%d')",
    "format-date(2900001, '%Y')",
    "format-date('0099-03-01', '%Y %a %b')",
    "format-date('2024-02-30', '%Y')",
    "format-date(${a}, '%Y-%m-%d')",
    "format-date(today(), '%Y')",
    "date(${t})",
    "date(${d})",
    "date('2024-02-30')",
    "date('10000-01-01')",
    "date(-1.5)",
    "date-time(${t})",
    "decimal-date-time(${t})",
    "decimal-date(${d})",
    "number(${t})",
    "${t} - ${d}",
    "indexed-repeat(${r}, ${r}, 1)",
    "indexed-repeat(${r}, ${r}, 2)",
    "indexed-repeat(${r}, ${r}, 3)",
    "indexed-repeat(${r}, ${r}, 1.9)",
    "indexed-repeat(${r}, ${r}, 0)",
    "indexed-repeat(${a}, ${r}, 1)",
    "indexed-repeat(${a}, ${r}, 2)",
    "count(${r})",
    "sum(${r})",
    "string-length(concat(${r}))",
]


NUMBERS = ("a", "e", "f")  # decimal questions: the page reads them as the server does (0,5 is 0.5; 1.000 is no answer)


def _page(answers: dict, typed: dict, today: dt.date, expressions: list[str] = EXPRESSIONS) -> str:
    inputs = []
    for name in ("a", "b", "d", "e", "f", "t"):
        value = typed.get(name, answers[name])
        number = ' class="number" inputmode="decimal"' if name in NUMBERS else ""  # as the survey page marks a number field
        inputs.append(f'<input type="text" name="q-{name}" value="{html.escape(value)}"{number}>')
    for choice in ("x", "y", "z"):
        checked = " checked" if choice in answers["c"].split() else ""
        inputs.append(f'<label><input type="checkbox" name="q-c" value="{choice}"{checked}>{choice}</label>')
    blocks = []
    for i, expression in enumerate(expressions):
        refs = {text: FIELDS[node[1] if node[0] == "ref" else node[2][-1]] for text, node in reference_tokens(expression)}
        condition = html.escape(json.dumps([[expression, refs]]))
        blocks.append(f'<div id="x{i}" data-relevant="{condition}"><input type="text" name="q-shown{i}"></div>')
    context = {
        "values": {"q-r[*]": answers["r"]},
        "calculations": [["q-calc", "${a} * 2", {"${a}": "q-a"}, []]],
        "today": today.isoformat(),
    }
    return (
        '<!DOCTYPE html><html lang="nl"><body><form class="survey" method="post" action="#">'
        + "".join(inputs + blocks)
        + "</form>"
        + f'<script type="application/json" id="context">{html.escape(json.dumps(context), quote=False)}</script>'
        + "</body></html>"
    )


@pytest.fixture(scope="module")
def chromium():
    with shared.playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shared.CHROMIUM, args=shared.ARGS)
        yield browser
        browser.close()


def _shown(chromium, html: str, count: int) -> list[bool]:
    """Which blocks of the page the script shows (a fresh Chromium page, the script as served)."""
    page = chromium.new_page()
    try:
        page.set_content(html)
        page.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
        return page.evaluate(f"[...Array({count}).keys()].map(i => !document.getElementById('x' + i).hidden)")
    finally:
        page.close()


def _server_answers(answers: dict) -> dict:
    """The stored answers as the server reads them (an unreadable number is no answer)."""
    from afstand.responses.numbers import NumberError, canonical_number

    out = dict(answers)
    for name in NUMBERS:
        try:
            out[name] = canonical_number(answers[name]) if answers[name] else ""
        except NumberError:
            out[name] = ""
    return {**out, "calc": compile_expression("${a} * 2").text(out)}


@pytest.mark.parametrize("case", range(len(ANSWERS)))
def test_the_page_script_decides_as_the_server(chromium, case):
    answers, typed = ANSWERS[case]
    today = dt.date.today()
    server = _server_answers(answers)
    shown = _shown(chromium, _page(answers, typed, today), len(EXPRESSIONS))
    expected = [compile_expression(e)(server) for e in EXPRESSIONS]
    disagree = [(e, s, x) for e, s, x in zip(EXPRESSIONS, shown, expected) if s != x]
    assert disagree == [], disagree
    assert True in expected and False in expected  # both outcomes occur: the comparison can fail


@pytest.mark.parametrize("case", range(len(ANSWERS)))
def test_the_page_script_computes_dates_and_repeat_values_as_the_server(chromium, case):
    """format-date(), date(), indexed-repeat() and node-sets: the script's value equals the server's,
    checked as the condition ``value = 'the server's value'`` (shown only when the script agrees)."""
    from afstand.instrument.xpath import string

    answers, typed = ANSWERS[case]
    today = dt.date.today()
    server = _server_answers(answers)
    values = [string(compile_expression(v).value(server)) for v in VALUES]
    checks = [f"{v} = '{value}'" for v, value in zip(VALUES, values)]
    expected = [compile_expression(c)(server) for c in checks]  # false only where the value is NaN
    shown = _shown(chromium, _page(answers, typed, today, checks), len(checks))
    disagree = [(v, value) for v, value, s, x in zip(VALUES, values, shown, expected) if s != x]
    assert disagree == [], disagree
    assert sum(expected) > len(expected) * 0.7 and len(set(values)) >= 10  # varied values, nearly all comparable


REPEAT_FORM = """
| survey |
| | type | name | label | relevant |
| | select_one kleur | fav | Favourite | |
| | begin_repeat | kind | Child | |
| | select_one kleur | k_colour | Colour | |
| | text | first_only | First child only | position() = 1 and ${k_colour} != '' |
| | text | green | Green | jr:choice-name(${k_colour}, '${k_colour}') = 'Groen' |
| | text | same_name | As the favourite | jr:choice-name(${fav}, '${fav}') = jr:choice-name(../k_colour, '../k_colour') |
| | text | second | Second is red | indexed-repeat(${k_colour}, ${kind}, 1) = 'rood' and position() != 1 |
| | text | from_root | From the root | jr:choice-name(/data/kind/k_colour, '/data/kind/k_colour') != 'Blauw' and position() > 1 |
| | end_repeat | | | |
| choices |
| | list_name | name | label |
| | kleur | rood | Rood |
| | kleur | groen | Groen |
| | kleur | blauw | Blauw |
"""


@pytest.mark.parametrize(
    "colours", [["groen", "rood", ""], ["rood", "groen", "blauw"], ["", "", "groen"]], ids=["groen-rood", "rood-groen-blauw", "late"]
)
def test_position_and_choice_names_in_repeat_instances_as_the_server(chromium, tmp_path, colours):
    """position() and jr:choice-name() on a repeat page: the conditions and their env as
    afstand.instrument.client_logic sends them, evaluated by the script over the instances' fields,
    show exactly the questions the server's engine asks."""
    from afstand.instrument.client_logic import page_logic
    from afstand.instrument.engine import engine_for
    from afstand.instrument.loader import load_instrument
    from afstand.instrument.pages import field_name
    from tests.helpers import md_form

    form = load_instrument(md_form(tmp_path, REPEAT_FORM))
    engine = engine_for(form)
    answers = {"fav": "groen", "kind": [{"k_colour": c} if c else {} for c in colours]}
    keys = ["k_colour", "first_only", "green", "same_name", "second", "from_root"]
    inputs = [(k, (("kind", i),)) for i in range(len(colours)) for k in keys]
    logic = page_logic(engine, inputs, answers, {"kind"}, dt.date.today())
    blocks, fields = [], []
    for key, scope in inputs:
        name = field_name(key, scope)
        if key == "k_colour":
            blocks.append(
                "".join(
                    f'<input type="radio" name="{html.escape(name)}" value="{c}"{" checked" if c == colours[scope[0][1]] else ""}>'
                    for c in ("rood", "groen", "blauw")
                )
            )
            continue
        if name in logic.hidden:
            continue
        condition = html.escape(json.dumps(logic.conditions.get(name, [])))
        blocks.append(f'<div id="x{len(fields)}" data-relevant="{condition}"><input type="text" name="{html.escape(name)}"></div>')
        fields.append((key, scope))
    context = html.escape(json.dumps(logic.script_data()), quote=False)
    page = (
        '<!DOCTYPE html><html lang="nl"><body><form class="survey" method="post" action="#">'
        + "".join(blocks)
        + f'</form><script type="application/json" id="context">{context}</script></body></html>'
    )
    shown = _shown(chromium, page, len(fields))
    expected = [engine.is_relevant(key, answers, scope) for key, scope in fields]
    assert all(not engine.is_relevant(k, answers, s) for k, s in inputs if field_name(k, s) in logic.hidden)  # decided by the server
    assert [(f, s) for f, s, x in zip(fields, shown, expected) if s != x] == []
    assert True in expected and False in expected
    assert any(len(c) > 2 and "choices" in c[2] for entries in logic.conditions.values() for c in entries)  # choice labels sent
    assert any(len(c) > 2 and "position" in c[2] for entries in logic.conditions.values() for c in entries)
