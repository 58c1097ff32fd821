"""The form engine, feature by feature, on small XLSForms written inline (pyxform's habit)."""

from __future__ import annotations

import datetime as dt

import pytest

from afstand.instrument.loader import load_instrument
from afstand.instrument.pages import field_name, page_errors, page_view, pages, read_page
from afstand.responses.submission import check_submission
from tests.helpers import md_form


def form(tmp_path, survey: str, choices: str = "", settings: str = ""):
    text = "| survey |\n" + survey.strip() + "\n"
    if choices:
        text += "| choices |\n" + choices.strip() + "\n"
    if settings:
        text += "| settings |\n" + settings.strip() + "\n"
    return load_instrument(md_form(tmp_path, text))


def test_calculate_is_computed_and_stored_in_any_order(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | calculation | relevant |
| | integer | a | A | | |
| | calculate | total | | ${double} + 1 | |
| | calculate | double | | ${a} * 2 | |
| | calculate | flag | | if(${a} > 10, 'big', 'small') | ${a} != '' |
""",
    )
    result = check_submission(f, {"a": "6"})
    assert result.ok and result.answers == {"a": "6", "total": "13", "double": "12", "flag": "small"}
    assert check_submission(f, {}).answers == {"total": "NaN", "double": "NaN"}  # XPath: '' * 2 is NaN; flag not relevant
    assert check_submission(f, {"a": "6", "double": "12"}).ok  # a client may send the same value
    assert check_submission(f, {"a": "6", "double": "99"}).errors["double"].code == "calculated"


def test_choice_filter_cascades_and_is_checked_on_the_server(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | choice_filter |
| | select_one states | state | State | |
| | select_one counties | county | County | ${state}=cf |
""",
        """
| | list_name | name | label | cf |
| | states | texas | Texas | |
| | states | washington | Washington | |
| | counties | king | King | washington |
| | counties | pierce | Pierce | washington |
| | counties | cameron | Cameron | texas |
""",
    )
    page = pages(f)[0]
    view = page_view(f, page, {"state": "texas"})
    assert [q.choices for q in view.questions if q.key == "county"] == [(("cameron", "Cameron"),)]
    assert check_submission(f, {"state": "texas", "county": "cameron"}).ok
    error = check_submission(f, {"state": "texas", "county": "king"}).errors["county"]
    assert error.code == "not_offered" and error.question == "County"


def test_references_are_interpolated_in_labels_and_hints(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | hint |
| | text | name | Your name? | |
| | integer | age | How old are you, ${name}? | ${name}, in years |
| | note | thanks | Thank you ${name} (${age}) | |
""",
    )
    view = page_view(f, pages(f)[0], {"name": "Ann", "age": "40"})
    by_key = {q.key: q for q in view.questions}
    assert by_key["age"].label == "How old are you, Ann?" and by_key["age"].hint == "Ann, in years"
    assert by_key["thanks"].label == "Thank you Ann (40)" and by_key["thanks"].type == "note"


@pytest.mark.parametrize("suffix", ["or_other", "or specify other"])
def test_or_other_asks_the_other_text_only_after_other(tmp_path, suffix):
    f = form(
        tmp_path,
        f"""
| | type | name | label |
| | select_one colors {suffix} | color | Colour |
""",
        """
| | list_name | name | label |
| | colors | red | Red |
| | colors | blue | Blue |
""",
    )
    other = next(k for k in f.items if k != "color")
    assert f.items["color"].choice_list.get("other") is not None
    assert check_submission(f, {"color": "other", other: "mauve"}).ok
    assert check_submission(f, {"color": "red", other: "mauve"}).errors[other].code == "not_relevant"


def test_nested_groups_carry_their_relevance_and_repeated_names_stay_apart(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | relevant |
| | select_one yn | parents | Parents? | |
| | begin_group | mother | Mother | ${parents} = 'yes' |
| | integer | age | Her age | |
| | begin_group | work | Work | |
| | text | job | Her job | |
| | end_group | | | |
| | end_group | | | |
| | begin_group | father | Father | |
| | integer | age | His age | |
| | end_group | | | |
""",
        """
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
""",
    )
    assert set(f.items) == {"parents", "mother/age", "job", "father/age"}
    result = check_submission(f, {"parents": "yes", "mother/age": "50", "father/age": "52", "job": "nurse"})
    assert result.ok and result.answers["mother/age"] == "50" and result.answers["father/age"] == "52"
    refused = check_submission(f, {"parents": "no", "job": "nurse", "father/age": "52"})
    assert refused.errors["job"].code == "not_relevant" and "father/age" not in refused.errors


def test_repeats_are_child_rows_with_their_own_logic(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | relevant | constraint | required | calculation |
| | integer | size | Household size | | . > 0 | | |
| | begin_repeat | member | Member | | | | |
| | text | name | Name | | | yes | |
| | integer | age | Age of ${name} | | . < 130 | | |
| | select_one yn | works | Does ${name} work? | ${age} >= 16 | | | |
| | end_repeat | | | | | | |
| | calculate | members | | | | | count(${member}) |
| | calculate | total_age | | | | | sum(${age}) |
""",
        """
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
""",
    )
    answers = {"size": "2", "member": [{"name": "Ann", "age": "40", "works": "yes"}, {"name": "Bo", "age": "7"}]}
    result = check_submission(f, answers)
    assert result.ok, result.errors
    assert result.answers["members"] == "2" and result.answers["total_age"] == "47"
    assert result.answers["member"][1] == {"name": "Bo", "age": "7"}
    bad = check_submission(f, {"member": [{"name": "Ann", "age": "40"}, {"age": "7", "works": "no"}, {"name": "Cy", "age": "200"}]})
    assert bad.errors["member[2]/name"].code == "required" and bad.errors["member[2]/name"].question == "Name"
    assert bad.errors["member[2]/works"].code == "not_relevant"
    assert bad.errors["member[3]/age"].code == "constraint"
    assert check_submission(f, {"name": "Ann"}).errors["name"].code == "wrong_level"
    assert check_submission(f, {"member": {"name": "Ann"}}).errors["member"].code == "not_a_repeat"
    # the page of the repeat: one entry per instance, labels read their own instance
    page = next(p for p in pages(f) if p.repeat == "member")
    view = page_view(f, page, answers)
    assert [q.label for q in view.instances[1].questions if q.key == "age"] == ["Age of Bo"]
    assert [q.relevant for q in view.instances[1].questions if q.key == "works"] == [False]
    posted = {
        field_name("name", (("member", 0),)): ["Ann"],
        field_name("age", (("member", 0),)): ["41"],
        field_name("name", (("member", 1),)): ["Bo"],
    }
    merged = read_page(f, page, answers, lambda name: posted.get(name, []), instances=2)
    assert merged["member"] == [{"name": "Ann", "age": "41"}, {"name": "Bo"}]  # a field not posted was cleared


def test_repeat_count_fixes_the_number_of_instances(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | repeat_count |
| | integer | n | How many? | |
| | begin_repeat | child | Child | ${n} |
| | text | name | Name | |
| | end_repeat | | | |
""",
    )
    assert check_submission(f, {"n": "2", "child": [{"name": "a"}, {"name": "b"}]}).ok
    assert check_submission(f, {"n": "1", "child": [{"name": "a"}, {"name": "b"}]}).errors["child"].code == "too_many_instances"
    page = next(p for p in pages(f) if p.repeat == "child")
    assert page_view(f, page, {"n": "3"}).fixed_count == 3


def test_page_fields_are_namespaced_so_page_fields_cannot_collide(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label |
| | text | state | Which state? |
| | text | action | What action? |
""",
    )
    page = pages(f)[0]
    assert [q.field for q in page_view(f, page, {}).questions] == ["q-state", "q-action"]
    posted = {"state": ["signed-page-state"], "action": ["next"], "q-state": ["Utrecht"], "q-action": ["vote"]}
    assert read_page(f, page, {}, lambda name: posted.get(name, [])) == {"state": "Utrecht", "action": "vote"}


def test_field_lists_and_nested_groups_make_one_page(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | appearance |
| | text | intro | Intro | |
| | begin_group | block | Block | field-list |
| | text | a | A | |
| | begin_group | inner | Inner | |
| | text | b | B | |
| | end_group | | | |
| | end_group | | | |
""",
    )
    assert [(p.key, p.elements) for p in pages(f)] == [("_page0", ("intro",)), ("block", ("a", "b"))]


def test_page_errors_name_the_question(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | required | constraint | constraint_message |
| | decimal | share | Share of days at home | yes | . <= 1 | At most 1 (${share} is too much) |
""",
    )
    page = pages(f)[0]
    assert {k: (e.code, e.question) for k, e in page_errors(f, page, {}).items()} == {"share": ("required", "Share of days at home")}
    error = page_errors(f, page, {"share": "1,5"})["share"]
    assert error.code == "constraint" and error.message == "At most 1 (1.5 is too much)"
    error = page_errors(f, page, {"share": "een half"})["share"]
    assert error.code == "not_a_number" and error.question == "Share of days at home" and "een half" in error.message


def test_today_in_constraints_uses_the_server_date(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | constraint |
| | date | visit | Next visit | . >= today() |
""",
    )
    day = dt.date(2024, 5, 1)
    assert check_submission(f, {"visit": "2024-05-01"}, today=day).ok
    assert check_submission(f, {"visit": "2024-04-30"}, today=day).errors["visit"].code == "constraint"


def test_a_calculation_may_not_store_the_time_of_answering(tmp_path):
    from afstand.errors import InstrumentError
    from afstand.responses.submission import compile_rules

    f = form(
        tmp_path,
        """
| | type | name | label | calculation |
| | calculate | stamp | | concat('at ', now()) |
""",
    )
    with pytest.raises(InstrumentError, match="would store the time of answering"):
        compile_rules(f)


def test_choice_name_gives_the_label_of_the_chosen_choice(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | calculation |
| | select_one colors | color | Colour | |
| | calculate | color_label | | jr:choice-name(${color}, '${color}') |
| | note | shown | You chose ${color_label} | |
""",
        """
| | list_name | name | label |
| | colors | r | Red |
| | colors | b | Blue |
""",
    )
    assert check_submission(f, {"color": "b"}).answers["color_label"] == "Blue"
    view = page_view(f, pages(f)[0], {"color": "r"})
    assert [q.label for q in view.questions if q.key == "shown"] == ["You chose Red"]


def test_metadata_rows_can_be_read_but_are_never_stored(tmp_path):
    f = form(
        tmp_path,
        """
| | type | name | label | calculation | constraint |
| | today | today | | | |
| | start | start | | | |
| | date | born | Born | | . < ${today} |
| | calculate | age_days | | ${today} - ${born} | |
""",
    )
    day = dt.date(2024, 5, 1)
    result = check_submission(f, {"born": "2024-04-01"}, today=day)
    assert result.ok and result.answers == {"born": "2024-04-01", "age_days": "30"}
    assert check_submission(f, {"born": "2024-06-01"}, today=day).errors["born"].code == "constraint"
    assert check_submission(f, {"today": "2024-05-01"}).errors["today"].code == "unknown_item"
    stamped = form(
        tmp_path,
        """
| | type | name | label | calculation |
| | start | start | | |
| | calculate | began | | ${start} |
""",
    )
    from afstand.errors import InstrumentError
    from afstand.responses.submission import compile_rules

    with pytest.raises(InstrumentError, match="would store the time of answering"):
        compile_rules(stamped)


def test_the_form_engine_fields_are_part_of_the_version_id(tmp_path):
    base = """
| | type | name | label | calculation | choice_filter | repeat_count |
| | select_one ab | pick | Pick | | {filter} | |
| | calculate | c | | {calc} | | |
| | begin_repeat | r | R | | | {count} |
| | text | t | T | | | |
| | end_repeat | | | | | |
"""
    choices = """
| | list_name | name | label | k |
| | ab | a | A | 1 |
| | ab | b | B | 2 |
"""
    ids = set()
    for variant in (
        {"filter": "k = 1", "calc": "1", "count": "2"},
        {"filter": "k = 2", "calc": "1", "count": "2"},
        {"filter": "k = 1", "calc": "2", "count": "2"},
        {"filter": "k = 1", "calc": "1", "count": "3"},
    ):
        (tmp_path / "v").mkdir(exist_ok=True)
        ids.add(form(tmp_path / "v", base.format(**variant), choices).version_id)
    assert len(ids) == 4
