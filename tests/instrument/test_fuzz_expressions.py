"""Hypothesis over XLSForm expressions: any text in relevant, constraint, calculate or
choice_filter — random token soup and well-formed expressions from a small grammar — either
compiles and evaluates, or is refused with a clear AfstandError. Never another exception,
never a hang."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from afstand.errors import AfstandError
from afstand.instrument.loader import load_instrument
from afstand.instrument.xpath import compile_expression
from afstand.responses.submission import check_submission, compile_rules
from tests.helpers import FUZZ, FUZZ_SLOW

FUNCTIONS = [
    "regex",
    "floor",
    "ceiling",
    "abs",
    "sqrt",
    "exp",
    "log",
    "date-time",
    "selected-at",
    "indexed-repeat",
    "join",
    "min",
    "today",
    "selected",
    "count-selected",
    "string-length",
    "if",
    "coalesce",
    "concat",
    "sum",
    "count",
    "round",
    "pow",
    "int",
    "date",
    "format-date",
    "substr",
    "not",
    "number",
    "max",
    "position",
    "translate",
]
atoms = st.one_of(
    st.sampled_from(
        [
            "'((a{99}){99}){99}'",
            "'[0-9]{4}'",
            "${a}",
            "${n}",
            "${m}",
            "${d}",
            "${calc}",
            ".",
            "../a",
            "/data/n",
            "'x'",
            "''",
            "0",
            "1.5",
            "99999999999",
            "today()",
            "true()",
            "'(a+)+$'",
            "'2024-01-01'",
        ]
    ),
    st.integers(-(10**6), 10**6).map(str),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8).map(lambda s: "'" + s.replace("'", "") + "'"),
)


def _grammar():
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["=", "!=", "<", ">=", "+", "-", "*", "div", "mod", "and", "or"]), inner).map(" ".join),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"-{e}"),
            st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        ),
        max_leaves=12,
    )


expressions = _grammar()
soup = st.lists(
    st.sampled_from(
        [
            "(",
            ")",
            "${a}",
            "'",
            '"',
            ",",
            ".",
            "..",
            "/",
            "$",
            "{",
            "}",
            "and",
            "or",
            "not",
            "=",
            "<",
            "-",
            "regex",
            "if",
            "1",
            "e9",
            "9" * 40,
            " ",
            "[",
            "]",
            "@",
            "|",
            "::",
            "jr:choice-name",
        ]
    ),
    max_size=25,
).map("".join)
answers = st.fixed_dictionaries(
    {},
    optional={
        "a": st.text(max_size=12),
        "n": st.one_of(st.integers(-(10**9), 10**9).map(str), st.text(max_size=5)),
        "m": st.lists(st.sampled_from(["x", "y", "z"]), max_size=3).map(" ".join),
        "d": st.sampled_from(["2024-02-29", "1999-12-31", "x"]),
    },
)


def _form(relevant: str, constraint: str, calculation: str, choice_filter: str) -> bytes:
    def cell(text: str) -> str:  # a markdown table cell
        return text.replace("|", "/").replace("\n", " ")

    return f"""| survey |
| | type | name | label | relevant | constraint | calculation | choice_filter |
| | text | a | A | | | | |
| | decimal | n | N | | | | |
| | select_multiple xyz | m | M | | | | |
| | date | d | D | | | | |
| | calculate | calc | | | | {cell(calculation)} | |
| | select_one xyz | s | S | {cell(relevant)} | {cell(constraint)} | | {cell(choice_filter)} |
| choices |
| | list_name | name | label | k |
| | xyz | x | X | 1 |
| | xyz | y | Y | 2 |
| | xyz | z | Z | 3 |
""".encode()


def _run(form_bytes: bytes, given_answers: dict) -> None:
    try:
        instrument = load_instrument(form_bytes, name="fuzz.md")
        compile_rules(instrument)
    except AfstandError:
        return
    for choice in ("x", "y", "z", None):
        submitted = dict(given_answers, **({"s": choice} if choice else {}))
        result = check_submission(instrument, submitted)
        for error in result.errors.values():
            assert error.code and error.message


@FUZZ
@given(expressions, answers)
@example("regex(., '(a+)+$')", {"a": "a" * 3000 + "!"})
@example("(" * 500 + "1" + ")" * 500, {})
@example("pow(10, 99999999999) * -1", {})
@example("date(99999999999)", {})
@example("round(pow(10, 308), 15)", {})
@example("regex(${a}, '((a{1000}){1000}){1000}')", {"a": "a"})
@example("regex(., ${a})", {"a": "((x{999}){999}){999}"})
@example("format-date(99999999999, '%Y')", {})
@example("substr(${a}, -99999999999, 99999999999)", {"a": "abc"})
def test_expressions_compile_and_evaluate_or_are_refused(expression, given_answers):
    try:
        compiled = compile_expression(expression)
    except AfstandError:
        return
    try:
        compiled.value(given_answers, "a" * 100)
    except AfstandError:
        pass


@FUZZ_SLOW
@given(st.one_of(expressions, soup), st.one_of(expressions, soup), st.one_of(expressions, soup), st.one_of(expressions, soup), answers)
@example("${a} = 'x'", ". != 'z'", "concat(${a}, ${n})", "k > 1", {"a": "x"})
@example("((((", "regex(., '(')", "1 div 0", "${zz} = 1", {})
def test_forms_with_any_expressions_never_crash(relevant, constraint, calculation, choice_filter, given_answers):
    _run(_form(relevant, constraint, calculation, choice_filter), given_answers)


REPEAT_FORM = b"""| survey |
| | type | name | label | relevant | constraint | calculation | repeat_count |
| | integer | n | N | | . < 5 | | |
| | begin_repeat | member | Member | | | | |
| | text | name | Name | | regex(., '^[A-Z]') | | |
| | decimal | age | Age | ${name} != '' | . >= 0 | | |
| | begin_repeat | pet | Pet | | | | if(${n} = 99, 1 div 0, ${n}) |
| | date | born | Born | | . <= today() | | |
| | end_repeat | | | | | | |
| | end_repeat | | | | | | |
| | calculate | total | | | | sum(${age}) + count(${pet}) | |
"""

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=12),
        st.sampled_from(["2024-01-01", "Ann", "0,5", "1e999", "-0", "OK"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["n", "member", "name", "age", "pet", "born", "total", "x"]), inner, max_size=4),
    ),
    max_leaves=15,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(["n", "member", "name", "pet", "total", "zz"]), json_values, max_size=4))
@example({"n": "2", "member": [{"name": "Ann", "age": "3", "pet": [{"born": "2020-01-01"}, {"born": "2999-01-01"}]}]})
@example({"member": [{"pet": [{"pet": []}]}], "total": 3})
@example({"n": 99, "member": [{"pet": [{}]}]})  # repeat_count Infinity
def test_any_nested_answers_are_checked_without_crashing(given_answers):
    instrument = load_instrument(REPEAT_FORM, name="repeat.md")
    result = check_submission(instrument, given_answers)
    for where, error in result.errors.items():
        assert isinstance(where, str) and error.code and error.message
