"""Dimension scores by answer pattern equal the row-by-row computation bit for bit."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from afstand.analysis import dimension_answers as da
from afstand.analysis.reliability import ordinal_alpha
from afstand.analysis.scales import dimension_scores
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.helpers import md_form

CHOICES = [
    ("oneens", 0.1),
    ("neutraal", 0.7),
    ("eens", 2.3),
    ("weet_niet", None),
]  # sums that depend on their order; a choice without a score


def form(tmp_path, k: int, *, scored: bool = True) -> object:
    rows = "\n".join(
        f"| | select_one agree | s{j} | Stelling {j} | | d | {-1 if j % 3 == 1 else 1} |" for j in range(k)
    )  # every third statement reversed
    choices = "\n".join(f"| | agree | {name} | {name} | {'' if score is None or not scored else score} |" for name, score in CHOICES)
    text = f"""
    | survey |
    | | type | name | label | required | dimension | key |
    {rows}
    | choices |
    | | list_name | name | label | score |
    {choices}
    | settings |
    | | form_title | form_id | version |
    | | Patronen | patronen | 1 |
    """
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    return load_instrument(md_form(tmp_path, text))


def responses(tmp_path, k: int, n: int, seed: int, *, scored: bool = True):
    instrument = form(tmp_path, k, scored=scored)
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["response_id"] + [f"s{j}" for j in range(k)])
    names = [name for name, _ in CHOICES] + [""]  # "": not answered
    for i in range(n):
        writer.writerow([f"R{i}"] + [names[c] for c in rng.choice(len(names), size=k, p=[0.3, 0.25, 0.25, 0.1, 0.1])])
    return load_responses(out.getvalue().encode("utf-8"), instrument, name="patronen.csv"), instrument


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()  # NaN and −0.0 included


@pytest.mark.parametrize(("k", "n"), [(2, 500), (3, 3000), (5, 200), (8, 4000)])  # 8 items: numpy's pairwise row sums
def test_patterns_give_the_row_by_row_numbers_bit_for_bit(tmp_path, k, n):
    data, instrument = responses(tmp_path, k, n, seed=k)
    items = instrument.dimensions()["d"]
    by_pattern = da.DimensionAnswers(data, items, patterns=True)
    by_row = da.DimensionAnswers(data, items, patterns=False)
    assert by_pattern.code is not None and by_row.code is None
    assert same(by_pattern.scores, by_row.scores)
    assert same(by_pattern.matrix(), by_row.matrix())
    assert same(by_pattern.complete(), by_row.complete())
    (values_p, level_p), (values_r, level_r) = by_pattern.levels(), by_row.levels()
    assert values_p == values_r and same(level_p, level_r)
    patterns, counts = by_pattern.complete_patterns()
    assert counts.sum() == len(by_row.complete())
    assert ordinal_alpha(patterns, complete=True, weights=counts) == ordinal_alpha(by_row.complete(), complete=True)
    assert by_row.complete_patterns() is None


def test_the_row_computation_is_numpys(tmp_path):
    """The reference the patterns are held to: keyed scores, then ``np.nanmean`` over enough answers."""
    data, instrument = responses(tmp_path, 3, 1000, seed=1)
    items = instrument.dimensions()["d"]
    matrix = np.column_stack([da.keyed_table(i)[data.single[i.name]] for i in items])
    assert set(np.unique(matrix[:, 1][~np.isnan(matrix[:, 1])])) == {2.4 - s for s in (0.1, 0.7, 2.3)}  # s1 is reversed: min + max − score
    enough = (~np.isnan(matrix)).sum(axis=1) >= 2
    expected = np.full(len(matrix), np.nan)
    expected[enough] = np.nanmean(matrix[enough], axis=1)
    answers = da.DimensionAnswers(data, items)
    assert answers.code is not None  # 5³ patterns: grouped
    assert same(answers.scores, expected)


def test_dimension_scores_are_the_same_either_way(tmp_path, monkeypatch):
    data, _ = responses(tmp_path, 4, 2500, seed=4)
    grouped = dimension_scores(data)
    assert next(iter(data.__dict__["_dimension_answers"].values())).code is not None
    data.__dict__.pop("_dimension_answers")
    monkeypatch.setattr(da, "SMALL_PATTERNS", 0)
    monkeypatch.setattr(da, "MAX_PATTERNS", 0)
    by_row = dimension_scores(data)
    assert next(iter(data.__dict__["_dimension_answers"].values())).code is None
    assert repr(grouped) == repr(by_row)


def test_many_patterns_are_not_grouped(tmp_path, monkeypatch):
    data, instrument = responses(tmp_path, 3, 100, seed=2)
    items = instrument.dimensions()["d"]
    assert da.DimensionAnswers(data, items).code is not None  # 125 patterns ≤ 4096
    monkeypatch.setattr(da, "SMALL_PATTERNS", 100)
    assert da.DimensionAnswers(data, items).code is None  # 125 patterns for 100 respondents: row by row


def test_a_one_item_dimension_has_a_score_and_no_reliability(tmp_path):
    data, _ = responses(tmp_path, 1, 300, seed=3)
    (entry,) = dimension_scores(data).values()
    scored = da.keyed_table(data.instrument.items["s0"])[data.single["s0"]]
    assert entry["n"] == np.count_nonzero(~np.isnan(scored)) > 0
    assert entry["alpha"]["alpha"] is None and entry["omega"]["omega"] is None and entry["ordinal_alpha"] is None
    assert entry["item_statistics"] == [{"item": "s0", "item_rest_r": None, "alpha_if_deleted": None}]


def test_a_reversed_statement_without_scores_is_not_scored(tmp_path):
    """Key −1 on a choice list without scores: nothing to reverse (it used to raise on min() of nothing)."""
    data, _ = responses(tmp_path, 2, 300, seed=5, scored=False)
    assert data.instrument.items["s1"].key == -1
    (entry,) = dimension_scores(data).values()
    assert entry["n"] == 0 and entry["mean"] is None


def test_the_trend_of_a_one_item_dimension_has_no_alpha():
    from afstand.analysis.trend import _scale_summary

    values = np.array([1.0, 2.0, 4.0, 4.0])
    summary = _scale_summary(values, values.reshape(-1, 1), 0.95)
    assert summary["n"] == 4 and summary["alpha"] is None and summary["alpha_n"] == 4
