import numpy as np
import pytest

from afstand.instrument.expressions import Unsupported, numeric_predicate


@pytest.mark.parametrize(
    "expr,values,expected",
    [
        (". >= 16 and . <= 99", [15, 16, 99, 100], [False, True, True, False]),
        (". > 0", [0, 0.1], [False, True]),
        ("(. < 0 or . > 10) and . != 20", [-1, 5, 20, 30], [True, False, False, True]),
        ("18 <= .", [17, 18], [False, True]),
        (". = 3", [3, 4], [True, False]),
    ],
)
def test_numeric_constraints(expr, values, expected):
    assert numeric_predicate(expr)(np.array(values, dtype=float)).tolist() == expected


@pytest.mark.parametrize("expr", ["string-length(.) < 5", ". >= ${age}", ". >=", "and . > 1", ". > 1 )"])
def test_unsupported_constraints_are_refused(expr):
    with pytest.raises(Unsupported):
        numeric_predicate(expr)
