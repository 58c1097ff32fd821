import pytest

from afstand.instrument.xpath import Unsupported, compile_expression


@pytest.mark.parametrize(
    "expr,answers,current,expected",
    [
        ("${consent} = 'ja'", {"consent": "ja"}, "", True),
        ("${consent} = 'ja'", {"consent": "nee"}, "", False),
        ("${consent} = 'ja'", {}, "", False),
        ("${w_apps_before} != ''", {"w_apps_before": "sms"}, "", True),
        ("${w_apps_before} != ''", {}, "", False),
        (". >= 16 and . <= 99", {}, 16.0, True),
        (". >= 16 and . <= 99", {}, 15.0, False),
        (". >= 16 and . <= 99", {}, "", False),
        ("selected(${fruit}, 'peer')", {"fruit": "appel peer"}, "", True),
        ("not(selected(${fruit}, 'kers'))", {"fruit": "appel peer"}, "", True),
        ("count-selected(${fruit}) <= 2", {"fruit": "appel peer kers"}, "", False),
        ("${age} > 17 or ${role} = 'x'", {"age": "12", "role": "x"}, "", True),
        ("(${a} + ${b}) * 2 = 10", {"a": "2", "b": "3"}, "", True),
        ("string-length(.) < 5", {}, "abcd", True),
        ("${n} div 0 = 1", {"n": "4"}, "", False),
    ],
)
def test_evaluate(expr, answers, current, expected):
    assert compile_expression(expr)(answers, current) is expected


def test_references_are_collected():
    assert compile_expression("${a} = 'x' and selected(${b}, 'y')").references == {"a", "b"}


@pytest.mark.parametrize("expr", ["${a} = ", "pulldata('x', 'y', 'z', 'w')", "${a} ~ 3", "'open"])
def test_unsupported_is_refused_at_compile_time(expr):
    with pytest.raises(Unsupported):
        compile_expression(expr)


# -- the function library and operators of ODK/Kobo forms ------------------------------------


@pytest.mark.parametrize(
    "expr,answers,current,expected",
    [
        ("regex(., '^[0-9]{4}[A-Z]{2}$')", {}, "1234AB", "true"),
        ("regex(., '^[0-9]{4}[A-Z]{2}$')", {}, "1234 AB", "false"),
        ("regex(${mail}, '@')", {"mail": "a@b.nl"}, "", "true"),  # a search, as JavaRosa and Enketo do
        ("today()", {}, "", "2024-05-01"),
        (". >= today()", {}, "2024-05-02", "true"),
        (". >= today()", {}, "2024-04-30", "false"),
        ("today() - ${born}", {"born": "2024-04-01"}, "", "30"),
        ("date(today() + 1)", {}, "", "2024-05-02"),
        ("format-date(${d}, '%d-%m-%Y')", {"d": "2024-02-09"}, "", "09-02-2024"),
        ("if(${a} = 'x', 'yes', 'no')", {"a": "x"}, "", "yes"),
        ("if(${a} = 'x', 'yes', 'no')", {}, "", "no"),
        ("coalesce(${a}, ${b})", {"b": "B"}, "", "B"),
        ("coalesce(${a}, ${b})", {"a": "A", "b": "B"}, "", "A"),
        ("concat(${a}, '-', ${b}, 3)", {"a": "x", "b": "y"}, "", "x-y3"),
        ("string-length(${a})", {"a": "héllo"}, "", "5"),
        ("string-length(.)", {}, "abc", "3"),
        ("count-selected(${m})", {"m": "a b c"}, "", "3"),
        ("selected(${m}, 'b')", {"m": "a b c"}, "", "true"),
        ("selected-at(${m}, 1)", {"m": "a b c"}, "", "b"),
        ("7 mod 3", {}, "", "1"),
        ("7 div 2", {}, "", "3.5"),
        ("-${a} * 2", {"a": "3"}, "", "-6"),
        ("1 + 2 * 3 - 4 div 2", {}, "", "5"),
        ("1 < 2 = true()", {}, "", "true"),
        ("round(2.456, 2)", {}, "", "2.46"),
        ("int(-2.7)", {}, "", "-2"),
        ("pow(2, 10)", {}, "", "1024"),
        ("pow(10, 400)", {}, "", "Infinity"),
        ("contains(${a}, 'b') and starts-with(${a}, 'a') and ends-with(${a}, 'c')", {"a": "abc"}, "", "true"),
        ("substr('abcdef', 1, 3)", {}, "", "bc"),
        ("translate('abc', 'abc', 'ABC')", {}, "", "ABC"),
        ("normalize-space('  a   b ')", {}, "", "a b"),
        ("number('1,5') + 1", {}, "", "NaN"),  # XPath: a comma is not a decimal separator inside expressions
        ("${a} = 5", {"a": "5.0"}, "", "true"),
        ("${a} = '5'", {"a": "5.0"}, "", "false"),
        ("sum(${list}) + count(${list})", {"list": ["1", "2", "3"]}, "", "9"),
        ("max(1, 5, 3)", {}, "", "5"),
        ("boolean-from-string('true')", {}, "", "true"),
    ],
)
def test_functions(expr, answers, current, expected):
    from afstand.instrument.xpath import MappingContext, string

    class Fixed(MappingContext):
        def today(self):
            import datetime as dt

            return dt.date(2024, 5, 1)

    assert string(compile_expression(expr).value(Fixed(answers, current))) == expected


def test_relative_and_absolute_paths_and_columns():
    expression = compile_expression("selected(../fav_color, 'other') and /data/x = 1")
    assert expression.paths == {(1, ("fav_color",), False), (0, ("x",), True)}
    assert compile_expression("${state} = cf", columns=True).columns == {"cf"}
    with pytest.raises(Unsupported, match="not a reference"):
        compile_expression("${state} = cf")


@pytest.mark.parametrize(
    "expr,message",
    [
        ("(" * 500 + "1" + ")" * 500, "nested more than"),
        ("not(" * 500 + "1" + ")" * 500, "nested more than"),
        ("-" * 500 + "1", "nested more than"),
        ("9" * 500, "more than 30 digits"),
        ("1" + " = 1" * 100, "comparisons in a chain"),
        ("'x' " * 5000, "longer than"),
        ("regex(., '(')", "not a valid regular expression"),
        ("regex(., '((a{1000}){1000}){1000}')", "repeats too much"),  # the regex compiler would expand it for minutes
        ("regex(., 'a{4294967295}')", "repeats too much"),
        ("if(1, 2)", r"if\(\) takes 3 arguments"),
        ("concat()" + " + 1" * 3, None),
    ],
)
def test_bounds_give_clear_errors(expr, message):
    if message is None:
        compile_expression(expr)  # allowed
        return
    with pytest.raises(Unsupported, match=message):
        compile_expression(expr)


def test_long_flat_chains_evaluate_without_recursion():
    expression = compile_expression(" + ".join(["1"] * 2000))
    assert expression.value({}) == 2000.0
    expression = compile_expression(" or ".join(["${a} = 'x'"] * 600))
    assert expression({"a": "x"}) is True


def test_catastrophic_regex_is_stopped_by_the_timeout():
    import time

    from afstand.instrument.xpath import EvaluationError

    expression = compile_expression("regex(., '^(a+)+$')")
    started = time.monotonic()
    with pytest.raises(EvaluationError, match="took too long"):
        expression({}, "a" * 5000 + "!")
    assert time.monotonic() - started < 5
    dynamic = compile_expression("regex(., ${pattern})")  # a pattern from an answer is bounded when evaluated
    with pytest.raises(EvaluationError, match="repeats too much"):
        dynamic({"pattern": "((a{1000}){1000}){1000}"}, "a")


@pytest.mark.parametrize(
    "expr,why",
    [
        (". >= 16 and", "the expression ends after 'and': something must follow"),
        ("${age} >", "the expression ends after '>': something must follow"),
        ("(${consent} = 'ja'", "a '(' is not closed: add a ')'"),
        ("selected(${apps}, 'zoom'", "a '(' is not closed: add a ')'"),
        (". > 3)", "a ')' has no '(' before it"),
        (". > 3 4", "'4' cannot follow '3': an operator (and, or, =, +, …) is missing between them"),
        ("= 3", "the expression cannot start with '='"),
        (". == 3", "'==' is not written so in XLSForm: write '='"),
        (". > 1 && . < 3", "'&&' is not written so in XLSForm: write 'and'"),
        ("!selected(${a}, 'x')", "'!' is not written so in XLSForm: write not(…) around a condition"),
        ("'open", "a text that starts with ' is not closed: add a ' at its end"),
        ("${ age} > 3", "'${ age}' is not a reference: write ${name}, with the name of a question and no spaces"),
        ("selected(${a} 'x')", "\"'x'\" after '${a}': a ',' between the values of selected() or its ')' is missing"),
        (". >= 16 and and . < 3", "'and' cannot follow 'and': a value, ${name} or '.' is missing between them"),
        ("${a} = ja", "'ja' is not a reference (write ${ja}), and a text is written in quotes ('ja')"),
        ("   ", "the expression is empty"),
    ],
)
def test_a_mistake_is_said_in_words(expr, why):
    """What a researcher reads when an expression is refused (the cell and the expression are named by the caller)."""
    with pytest.raises(Unsupported) as refused:
        compile_expression(expr)
    assert refused.value.why == why
    assert str(refused.value).endswith(why) and "expected" not in why


def test_an_unknown_function_is_named():
    with pytest.raises(Unsupported) as refused:
        compile_expression("sin(${a}) > 0")
    assert refused.value.function == "sin" and refused.value.why == "the function sin() is not supported"


def test_the_error_survives_a_child_process():
    """afstand.bounded returns errors from a child process: pickled, with what is wrong."""
    import pickle

    from afstand.instrument.engine import ExpressionError

    error = ExpressionError("age", "constraint", ". >", "the expression ends after '>': something must follow")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.owner, copy.column, copy.source, copy.why, str(copy)) == (error.owner, error.column, error.source, error.why, str(error))
    with pytest.raises(Unsupported) as refused:
        compile_expression("foo(1)")
    again = pickle.loads(pickle.dumps(refused.value))
    assert (again.why, again.function, str(again)) == (refused.value.why, "foo", str(refused.value))
