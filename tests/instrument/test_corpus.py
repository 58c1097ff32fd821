"""Every form of ../shared/xlsform-corpus through the engine: it loads, its logic compiles, each
page renders for empty answers and for generated ones, and the expected structure is kept
(repeats, loops, full paths, calculations, choice filters)."""

from __future__ import annotations

import pytest

from afstand.demo_form import generate_submissions
from afstand.instrument.loader import load_instrument
from afstand.instrument.pages import page_errors, page_view, pages
from afstand.responses.submission import check_submission, compile_rules
from tests.helpers import CORPUS, EACH_FORM, FORMS


@pytest.fixture(scope="module")
def corpus():
    if not FORMS:
        pytest.skip("../shared/xlsform-corpus is not present")
    return CORPUS


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_every_page_renders(name):
    """Every form of the corpus; without ../shared, every XLSForm of the study folders."""
    instrument = load_instrument(EACH_FORM[name])
    compile_rules(instrument)
    answers = generate_submissions(instrument, 1, seed=2)[0]
    for page in pages(instrument):
        for given in ({}, answers):
            view = page_view(instrument, page, given)
            questions = view.questions or tuple(q for i in view.instances for q in i.questions)
            assert all(q.field.startswith("q-") for q in questions)
        assert page_errors(instrument, page, answers) == {}


def test_corpus_structure(corpus):
    tutorial = load_instrument(corpus / "tutorial.xls")
    assert [g.name for g in tutorial.repeats] == ["member"] and tutorial.items["age_in_years"].repeat == "member"
    loop = load_instrument(corpus / "loop.xlsx")
    assert "loop_toilet_types/bucket_system/number" in loop.items
    assert loop.items["loop_toilet_types/bucket_system/number"].label() == "How many Bucket system are on the premises?"
    cascading = load_instrument(corpus / "cascading_select_test_equivalent.xls")
    result = check_submission(cascading, {"mylga_zone": "zone_1", "mylga_state_in_zone_1": "state_2", "mylga_lga_in_state_2": "lga_3"})
    assert result.ok and result.answers["mylga_state"] == "state_2" and result.answers["mylga"] == "lga_3"
    wrong = check_submission(cascading, {"mylga_zone": "zone_1", "mylga_state_in_zone_1": "state_2", "mylga_lga_in_state_1": "lga_1"})
    assert wrong.errors["mylga_lga_in_state_1"].code == "not_relevant"
    widgets = load_instrument(corpus / "widgets.xls")
    assert check_submission(widgets, {"my_select": "c d"}).errors["my_select"].code == "constraint"
    assert check_submission(widgets, {"my_date": "2000-01-01"}).errors["my_date"].message == "only future dates allowed"
    spec = load_instrument(corpus / "xlsform_spec_test.xlsx")
    result = check_submission(
        spec, {"skip_to_end": "no", "address": "x@example.org", "repeat_test": [{"required_text": "a", "list-nolabel-test": "yes"}] * 2}
    )
    assert result.ok, result.errors
    assert (
        check_submission(spec, {"skip_to_end": "no", "repeat_test": [{"list-nolabel-test": "yes"}]})
        .errors["repeat_test[1]/required_text"]
        .code
        == "required"
    )
    assert check_submission(spec, {"skip_to_end": "yes", "my_name": "x"}).errors["my_name"].code == "not_relevant"
