"""Canonical values per type: read what people type, refuse what cannot be read, change nothing."""

from __future__ import annotations

import pytest

from afstand.instrument.loader import load_instrument
from afstand.responses.submission import check_submission
from tests.helpers import md_form

FORM = """
| survey |
| | type | name | label | parameters |
| | integer | n | Number of days | |
| | decimal | share | Share | |
| | date | day | Day | |
| | time | at | Time | |
| | datetime | moment | Moment | |
| | acknowledge | ok | I have read this | |
| | range | score | Score | start=0 end=10 step=2 |
| | note | info | Info | |
| | geopoint | where | Where | |
"""


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    return load_instrument(md_form(tmp_path_factory.mktemp("values"), FORM))


@pytest.mark.parametrize(
    "name,raw,stored",
    [
        ("n", "12", "12"),
        ("n", " -3 ", "-3"),
        ("n", 7, "7"),
        ("n", "4.0", "4"),
        ("share", "0,5", "0.5"),
        ("share", "0.5", "0.5"),
        ("share", ",5", "0.5"),
        ("share", 2.25, "2.25"),
        ("share", "1e3", "1000"),
        ("day", "2024-02-29", "2024-02-29"),
        ("at", "09:30", "09:30"),
        ("at", "09:30:15", "09:30:15"),
        ("at", "23:59:00+01:00", "23:59:00+01:00"),
        ("moment", "2024-05-01T09:30", "2024-05-01T09:30"),
        ("moment", "2024-05-01 09:30:00Z", "2024-05-01T09:30:00Z"),
        ("ok", "OK", "OK"),
        ("ok", True, "OK"),
        ("score", "4", "4"),
        ("score", 10, "10"),
    ],
)
def test_readable_values(f, name, raw, stored):
    result = check_submission(f, {name: raw})
    assert result.ok, result.errors
    assert result.answers[name] == stored


@pytest.mark.parametrize(
    "name,raw,code",
    [
        ("n", "12 dagen", "not_a_number"),
        ("n", "1.5", "not_a_whole_number"),
        ("n", "1_000", "not_a_number"),
        ("n", "9" * 400, "not_a_number"),
        ("n", 10**30, "too_large"),
        ("n", "nan", "not_a_number"),
        ("n", True, "not_a_number"),
        ("share", "1.234,5", "not_a_number"),
        ("share", "0,5,1", "not_a_number"),
        ("share", "inf", "not_a_number"),
        ("share", "1e999", "not_a_number"),
        ("day", "2023-02-29", "not_a_date"),
        ("day", "01-05-2024", "not_a_date"),
        ("day", 20240501, "not_a_date"),
        ("at", "25:00", "not_a_time"),
        ("at", "9.30", "not_a_time"),
        ("moment", "2024-05-01", "not_a_datetime"),
        ("ok", "no", "not_acknowledged"),
        ("score", "5", "out_of_range"),
        ("score", "12", "out_of_range"),
        ("info", "x", "unknown_item"),
        ("where", "52.1 5.1", "not_supported"),
    ],
)
def test_unreadable_values_are_errors_that_name_the_question(f, name, raw, code):
    result = check_submission(f, {name: raw})
    assert not result.ok and name not in result.answers
    error = result.errors[name]
    assert error.code == code, error
    if code != "unknown_item":
        assert error.question == f.items[name].label() and str(error).startswith(f.items[name].label())
