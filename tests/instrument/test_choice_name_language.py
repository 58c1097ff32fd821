"""``jr:choice-name()`` in a form with several languages: the label in the language the respondent
reads (while their pages are shown and checked), the form's default language otherwise — and in
what is stored, which the analysis reads."""

from __future__ import annotations

import pytest

from afstand.instrument.client_logic import page_logic
from afstand.instrument.engine import current_language, engine_for, evaluation_language
from afstand.instrument.loader import load_instrument
from afstand.instrument.pages import page_view, pages
from afstand.responses.submission import check_submission
from tests.helpers import md_form


def _form(tmp_path, default_language: str):
    text = f"""
| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | calculation | constraint |
| | select_one kleur | colour | Lievelingskleur | Favourite colour | | |
| | calculate | colour_label | | | jr:choice-name(${{colour}}, '${{colour}}') | |
| | note | shown | Je koos ${{colour_label}} | You chose ${{colour_label}} | | |
| | text | other | Een andere kleur | Another colour | | . != jr:choice-name(${{colour}}, '${{colour}}') |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) |
| | kleur | groen | Groen | Green |
| | kleur | blauw | Blauw | Blue |
| settings |
| | form_id | default_language |
| | kleuren | {default_language} |
"""
    return load_instrument(md_form(tmp_path, text, f"kleuren-{default_language[-3:-1]}.md"))


@pytest.mark.parametrize(("default", "stored"), [("Nederlands (nl)", "Groen"), ("English (en)", "Green")])
def test_without_a_respondent_the_default_language_is_used_not_the_first(tmp_path, default, stored):
    form = _form(tmp_path, default)
    assert current_language() is None
    assert check_submission(form, {"colour": "groen"}).answers["colour_label"] == stored
    note = next(q for q in page_view(form, pages(form)[0], {"colour": "groen"}).questions if q.key == "shown")
    assert note.label.endswith(stored)


def test_the_respondents_language_on_the_page_and_in_checks(tmp_path):
    form = _form(tmp_path, "Nederlands (nl)")
    page = pages(form)[0]
    for language, label, note in (("English (en)", "Green", "You chose Green"), ("Nederlands (nl)", "Groen", "Je koos Groen")):
        shown = next(q for q in page_view(form, page, {"colour": "groen"}, language).questions if q.key == "shown")
        assert shown.label == note
        with evaluation_language(language):
            # the constraint reads the label the respondent sees: typing it is refused, the other language's is not
            refused = check_submission(form, {"colour": "groen", "other": label})
            assert refused.errors["other"].code == "constraint"
            other = "Groen" if label == "Green" else "Green"
            accepted = check_submission(form, {"colour": "groen", "other": other})
            assert accepted.ok, accepted.errors
            # stored in the form's default language, whichever language the respondent read
            assert accepted.answers["colour_label"] == "Groen"
            # the page script gets the labels of the respondent's language for its own checks
            logic = page_logic(engine_for(form), [("other", ())], {"colour": "groen"}, set())
            constraint = logic.constraints["q-other"]
            assert constraint[2]["choices"]["${colour}"] == {"groen": label, "blauw": "Blue" if label == "Green" else "Blauw"}
    assert current_language() is None  # the language is set for the block only


def test_a_language_code_reads_as_its_column(tmp_path):
    form = _form(tmp_path, "Nederlands (nl)")
    with evaluation_language("en"):
        assert engine_for(form).context({"colour": "blauw"}).choice_label("blauw", "${colour}") == "Blue"
