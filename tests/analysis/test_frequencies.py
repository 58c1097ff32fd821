from __future__ import annotations

import numpy as np
import pytest

from afstand.analysis.frequencies import number, outliers, round_half_up
from afstand.analysis.summary import analyze
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from tests.helpers import MINI_FORM, md_form


@pytest.mark.parametrize(
    "value,digits,expected", [(0.5, 0, 1), (1.5, 0, 2), (2.5, 0, 3), (72.5, 0, 73), (10.35, 1, 10.4), (11.842, 0, 12), (-0.4, 0, 0)]
)
def test_round_half_up(value, digits, expected):
    assert round_half_up(value, digits) == expected


def test_bases_and_missings(tmp_path):
    form = load_instrument(md_form(tmp_path, MINI_FORM))
    data = tmp_path / "d.csv"
    data.write_text(
        "response_id,consent,s1,fruit\nr1,ja,eens,appel peer\nr2,ja,oneens,\nr3,ja,,peer\nr4,ja,eens,kers\nr5,nee,,\n", encoding="utf-8"
    )
    responses = load_responses(data, form)
    consented = analyze(responses)
    s1 = consented["items"]["s1"]
    assert (s1["base"], s1["missing"], s1["counts"]) == (4, 1, {"oneens": 1, "neutraal": 0, "eens": 2})
    assert s1["percent"]["eens"] == 50.0
    valid = analyze(responses, base="valid")["items"]["s1"]
    assert valid["base"] == 3 and valid["percent"]["eens"] == pytest.approx(200 / 3)
    fruit = consented["items"]["fruit"]
    assert fruit["counts"] == {"appel": 1, "peer": 2, "kers": 1} and fruit["missing"] == 1
    assert consented["n_total"] == 5 and consented["n_consented"] == 4
    assert consented["likert"]["s1"]["counts"] == {"oneens": 1, "neutraal": 0, "eens": 2}
    assert consented["items"]["age"]["asked"] is False and consented["data"]["not_asked"] == ["age", "years", "s2", "why"]


def test_number_summary_and_outliers():
    values = np.array([0.3, 0.5, 0.8, 1.0, 1.1, 1.3, 1.6, 2.0, 2.5, 32.0, np.nan])
    flagged = outliers(values[~np.isnan(values)], 3.0)
    assert flagged.tolist() == [False] * 9 + [True]
    full = number(values)
    assert full["n"] == 10 and full["missing"] == 1 and full["max"] == 32.0
    assert full["sd"] == pytest.approx(np.nanstd(values, ddof=1))
    trimmed = number(values, exclude_outliers=True)
    assert trimmed["n"] == 9 and trimmed["mean"] == pytest.approx(np.mean(values[:9]))
    assert trimmed["outliers"]["values"] == [32.0] and trimmed["outliers"]["excluded"] is True
    assert number(np.array([np.nan]))["mean"] is None
