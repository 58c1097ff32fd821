"""Reliability: Cronbach's α against pingouin, ω against a known one-factor structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from afstand.analysis.scales import cronbach_alpha, item_statistics, keyed_scores, mcdonald_omega, one_factor_loadings
from afstand.responses import load_responses


def dimension_matrices(data, study, name):
    responses = load_responses(data[name], study.instrument(name))
    return {
        dim: pd.DataFrame({i.name: keyed_scores(responses, i) for i in items}) for dim, items in study.instrument(name).dimensions().items()
    }


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_alpha_equals_pingouin(demo_data, study, name, policy):
    matrices = dimension_matrices(demo_data, study, name)
    assert set(matrices) == {"richting_kader", "vertrouwen", "binding", "stroefheid"}
    for dim, frame in matrices.items():
        ours = cronbach_alpha(frame.to_numpy(), nan_policy=policy)
        theirs, _ = pingouin.cronbach_alpha(frame, nan_policy=policy)
        assert ours["alpha"] == pytest.approx(theirs, abs=1e-6), dim
        # pingouin 0.7 takes n for Feldt's CI before listwise deletion; the CI belongs to the
        # complete cases, so compare with pingouin run on those (it rounds its CI to 3 decimals)
        cases = frame.dropna() if policy == "listwise" else frame
        _, ci = pingouin.cronbach_alpha(cases, nan_policy=policy)
        assert ours["n"] == len(cases)
        assert ours["ci"] == pytest.approx(list(ci), abs=5e-4), dim


def test_reverse_keying_uses_the_forms_scores(demo_data, study):
    responses = load_responses(demo_data["werkers"], study.instrument("werkers"))
    item = study.instrument("werkers").items["w_wa_miscommunicatie"]  # key -1, scores 1..5
    raw, keyed = responses.scores(item.name), keyed_scores(responses, item)
    both = ~np.isnan(raw)
    assert np.array_equal(keyed[both], 6 - raw[both])
    assert np.array_equal(np.isnan(keyed), np.isnan(raw))


def test_one_factor_loadings_recover_a_known_structure():
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    assert one_factor_loadings(corr) == pytest.approx(loadings, abs=1e-6)


def test_omega_on_congeneric_data_matches_theory():
    rng = np.random.default_rng(7)
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    factor = rng.standard_normal(200_000)
    data = np.column_stack([loading * factor + np.sqrt(1 - loading**2) * rng.standard_normal(len(factor)) for loading in loadings])
    theory = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    assert mcdonald_omega(data)["omega"] == pytest.approx(theory, abs=0.005)
    # for congeneric items ω ≥ α (α is a lower bound)
    assert mcdonald_omega(data)["omega"] >= cronbach_alpha(data)["alpha"]


def test_item_statistics_by_hand():
    data = np.array([[1, 2, 3], [2, 2, 4], [3, 4, 4], [4, 5, 5], [5, 5, 5]], dtype=float)
    stats = item_statistics(data, ["a", "b", "c"])
    rest = data[:, 1] + data[:, 2]
    assert stats[0]["item_rest_r"] == pytest.approx(np.corrcoef(data[:, 0], rest)[0, 1])
    assert stats[2]["alpha_if_deleted"] == pytest.approx(pingouin.cronbach_alpha(pd.DataFrame(data[:, :2]))[0])


def test_alpha_degenerate_inputs():
    assert cronbach_alpha(np.array([[1.0], [2.0]]))["alpha"] is None
    assert cronbach_alpha(np.array([[1.0, np.nan], [np.nan, 2.0]]))["n"] == 0
    with pytest.raises(ValueError):
        cronbach_alpha(np.ones((3, 2)), nan_policy="bogus")


def test_scales_in_analysis_output(study_results):
    scales = study_results["werkers"]["scales"]
    assert [i["name"] for i in scales["binding"]["items"]] == ["w_wa_enthousiasmeren", "w_wa_luisteren", "w_wa_inschatten_gevoel"]
    for entry in scales.values():
        assert entry["n"] > 200 and 1 <= entry["mean"] <= 5
        assert entry["alpha"]["ci"][0] < entry["alpha"]["alpha"] < entry["alpha"]["ci"][1]


def test_row_sums_and_means_are_numpys_bit_for_bit():
    from afstand.analysis.dimension_answers import _row_means, _row_sums

    rng = np.random.default_rng(5)
    for k in range(1, 11):
        matrix = rng.normal(size=(5000, k)) * rng.choice([1.0, 1e8, 1e-8, 0.0, -0.0], size=(5000, k))
        matrix[rng.random((5000, k)) < 0.2] = np.nan
        filled = np.where(np.isnan(matrix), 0.0, matrix)
        assert np.array_equal(_row_sums(filled), filled.sum(axis=1)), k
        missing = np.isnan(matrix)
        answered = k - missing.sum(axis=1)
        enough = answered >= (k + 1) // 2
        expected = np.full(len(matrix), np.nan)
        with np.errstate(all="ignore"):
            expected[enough] = np.nanmean(matrix[enough], axis=1)
        got = _row_means(matrix, missing, answered, enough)
        assert np.array_equal(got, expected, equal_nan=True) and np.array_equal(np.signbit(got), np.signbit(expected)), k


def test_complete_rows_are_the_rows_without_nan():
    from afstand.analysis.reliability import complete_rows

    rng = np.random.default_rng(18)
    for k in range(1, 7):
        matrix = rng.normal(size=(2000, k))
        matrix[rng.random((2000, k)) < 0.1] = np.nan
        expected = matrix[~np.isnan(matrix).any(axis=1)]
        got = complete_rows(matrix)
        assert got.shape == expected.shape and np.array_equal(got, expected), k
    assert complete_rows(np.zeros((0, 3))).shape == (0, 3)


def test_levels_are_numpy_unique_counted_or_sorted():
    """polychoric's level codes: counted for whole numbers in a short range, sorted otherwise; both
    exactly ``np.unique(..., return_inverse=True)``."""
    from afstand.analysis.reliability import _levels

    rng = np.random.default_rng(21)
    columns = [
        rng.integers(1, 6, 5000).astype(float),  # item scores 1–5
        rng.choice([-2.0, 0.0, 3.0, 7.0], 5000),  # gaps between the values, negative ones
        rng.choice([1.0, 1.5, 2.0, 2.5], 5000),  # halves: sorted
        rng.choice([0.0, 5000.0], 5000),  # too wide a range to count
        np.full(50, 4.0),  # one level
    ]
    for column in columns:
        levels, code = np.unique(column, return_inverse=True)
        got_n, got_code = _levels(column)
        assert got_n == len(levels) and np.array_equal(got_code, code), column[:5]
