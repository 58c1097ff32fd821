"""One submitted response: canonical values, required / relevant / constraint on the server."""

from __future__ import annotations

import csv

import pytest

from afstand.instrument.loader import load_instrument
from afstand.responses.submission import check_submission
from tests.helpers import MINI_FORM, md_form


@pytest.fixture
def mini(tmp_path):
    return load_instrument(md_form(tmp_path, MINI_FORM))


def test_canonical_values(mini):
    result = check_submission(
        mini, {"consent": "ja", "age": "34", "years": 2.5, "s1": "eens", "fruit": ["peer", "appel", "peer"], "why": " omdat "}
    )
    assert result.ok and result.consented
    assert result.answers == {"consent": "ja", "age": "34", "years": "2.5", "s1": "eens", "fruit": "peer appel", "why": "omdat"}


@pytest.mark.parametrize(
    "answers,item,code",
    [
        ({}, "consent", "required"),
        ({"consent": "ja", "age": "oud"}, "age", "not_a_number"),
        ({"consent": "ja", "age": 40.5}, "age", "not_a_whole_number"),
        ({"consent": "ja", "age": 12}, "age", "constraint"),
        ({"consent": "ja", "s1": "misschien"}, "s1", "not_a_choice"),
        ({"consent": "ja", "fruit": "appel banaan"}, "fruit", "not_a_choice"),
        ({"consent": "ja", "shoe": "42"}, "shoe", "unknown_item"),
        ({"consent": "nee", "age": 40}, "age", "no_consent"),
        ({"consent": "ja", "why": "x" * 10_001}, "why", "too_long"),
        ({"consent": "ja", "age": True}, "age", "not_a_number"),
    ],
)
def test_errors_per_item(mini, answers, item, code):
    result = check_submission(mini, answers)
    assert not result.ok and result.errors[item].code == code


def test_declining_consent_is_a_valid_submission(mini):
    result = check_submission(mini, {"consent": "nee"})
    assert result.ok and not result.consented


def test_relevant_refuses_answers_to_questions_not_asked(tmp_path):
    form = load_instrument(
        md_form(
            tmp_path, MINI_FORM.replace("| | text | why | Waarom? | Why? | | | |", "| | text | why | Waarom? | Why? | | ${s1} != '' | |")
        )
    )
    assert check_submission(form, {"consent": "ja", "why": "x"}).errors["why"].code == "not_relevant"
    assert check_submission(form, {"consent": "ja", "s1": "eens", "why": "x"}).ok


def test_every_consented_reference_row_is_a_valid_submission(study_files, study):
    for name in ("werkers", "clienten"):
        instrument = study.instrument(name)
        with study_files[name].open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                answers = {k: v for k, v in row.items() if k != "response_id" and v != ""}
                result = check_submission(instrument, answers)
                assert result.ok, (name, row["response_id"], {k: e.message for k, e in result.errors.items()})
