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


@pytest.mark.parametrize("expr", ["jr:choice-name(${a}, '${a}')", "${a} = ", "pulldata('x', 'y', 'z', 'w')", "${a} ~ 3", "'open"])
def test_unsupported_is_refused_at_compile_time(expr):
    with pytest.raises(Unsupported):
        compile_expression(expr)
