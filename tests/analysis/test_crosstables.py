"""The cross tables of all breakdowns at once are the per-breakdown cross tables."""

from __future__ import annotations

import numpy as np

from afstand.analysis.compare import CrossTables, _crosstab


def test_cross_tables_of_all_breakdowns_equal_each_on_its_own():
    rng = np.random.default_rng(7)
    n = 5000
    groups = [(rng.integers(0, g + 1, size=n), g) for g in (3, 2, 4)]  # rows: 0 = no group, 1..g = shown groups
    answers = {m: rng.integers(0, m + 1, size=n) for m in (2, 5)}  # 0 = no answer
    joint = CrossTables(groups, widest=5)
    assert joint.key is not None
    for m, column in answers.items():
        for position, (group_row, g) in enumerate(groups):
            expected = _crosstab(group_row, g, column, m)
            got = joint.table(position, ("item", m), column, m)
            assert got.shape == (g, m) and np.array_equal(got, expected)
    alone = CrossTables(groups[:1], widest=5)  # one breakdown: counted directly
    assert alone.key is None
    assert np.array_equal(alone.table(0, "x", answers[5], 5), _crosstab(groups[0][0], 3, answers[5], 5))
    crowded = CrossTables([(rng.integers(0, 60, size=100), 59), (rng.integers(0, 60, size=100), 59)], widest=5)
    assert crowded.key is None  # more combinations than rows: each breakdown on its own
