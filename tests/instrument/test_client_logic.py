"""The page script's share of the logic (afstand.instrument.client_logic): which conditions the
page decides, and that every reference — relative path, absolute path, ${} — names the field or
value the server's own resolver reads."""

from __future__ import annotations

import datetime as dt

from afstand.instrument.client_logic import page_logic
from afstand.instrument.engine import engine_for
from afstand.instrument.loader import load_instrument
from afstand.instrument.xpath import reference_tokens
from tests.helpers import md_form

FORM = """
| survey |
| | type | name | label | relevant | calculation |
| | select_one yn | start | Start? | | |
| | begin_group | g | G | ../start = 'ja' | |
| | select_one yn | pets | Pets? | | |
| | integer | n | How many? | ../pets = 'ja' | |
| | calculate | legs | | | ../n * 4 |
| | text | names | Names? | ${legs} >= 8 | |
| | text | early | Early? | /data/start = 'ja' | |
| | text | late | Late? | /data/start = 'nee' | |
| | begin_group | h | H | | |
| | text | deep | Deep? | ../../pets = 'ja' and string-length(.) = 0 | |
| | end_group | | | | |
| | end_group | | | | |
| | begin_repeat | lid | Lid | | |
| | integer | age | Age | | |
| | text | school | School | ../age < 18 | |
| | end_repeat | | | | |
| | integer | total | Total | sum(${age}) > 10 | |
| choices |
| | list_name | name | label | | |
| | yn | ja | Ja | | |
| | yn | nee | Nee | | |
"""


def _form(tmp_path):
    return load_instrument(md_form(tmp_path, FORM))


def test_reference_tokens_are_the_texts_as_written():
    assert reference_tokens("../pets = 'ja' and ${n} > /data/g/x or ../../a/b = ../pets") == [
        ("../pets", ("path", 1, ("pets",), False)),
        ("${n}", ("ref", "n")),
        ("/data/g/x", ("path", 0, ("g", "x"), True)),
        ("../../a/b", ("path", 2, ("a", "b"), False)),
    ]
    assert reference_tokens("string-length(.) = 0 and .. = ''") == []  # '.' and '..' alone read no answer


def test_a_page_sends_its_own_conditions_with_every_reference_resolved(tmp_path):
    form = _form(tmp_path)
    engine = engine_for(form)
    inputs = [(k, ()) for k in ("pets", "n", "names", "early", "late", "deep")]
    logic = page_logic(engine, inputs, {"start": "ja"}, {"g"}, dt.date(2026, 1, 2))
    assert logic.conditions["q-n"] == [["../pets = 'ja'", {"../pets": "q-pets"}]]  # relative to the question's group
    assert logic.conditions["q-names"] == [["${legs} >= 8", {"${legs}": "q-legs"}]]  # through a calculation of this page
    assert logic.conditions["q-deep"] == [["../../pets = 'ja' and string-length(.) = 0", {"../../pets": "q-pets"}]]
    assert "q-early" not in logic.conditions and "q-early" not in logic.hidden  # an earlier answer: decided here, asked
    assert "q-late" in logic.hidden  # decided here: not asked, not on the page
    assert logic.calculations == [["q-legs", "../n * 4", {"../n": "q-n"}, []]]
    assert logic.script_data() == {"values": {}, "calculations": logic.calculations, "today": "2026-01-02"}


def test_the_page_condition_is_not_repeated_and_a_page_without_local_logic_sends_nothing(tmp_path):
    engine = engine_for(_form(tmp_path))
    logic = page_logic(engine, [("pets", ())], {"start": "ja"}, {"g"})
    assert logic.conditions == {} and logic.script_data() == {}  # g's own ../start = 'ja' decides the page


def test_repeat_instances_read_their_own_instance_and_outside_values_come_from_the_context(tmp_path):
    engine = engine_for(_form(tmp_path))
    answers = {"lid": [{"age": "40"}, {"age": "7"}]}
    inputs = [(k, (("lid", i),)) for i in (0, 1) for k in ("age", "school")]
    logic = page_logic(engine, inputs, answers, {"lid"})
    assert logic.conditions["q-lid[1]/school"] == [["../age < 18", {"../age": "q-lid[1]/age"}]]
    assert logic.conditions["q-lid[2]/school"] == [["../age < 18", {"../age": "q-lid[2]/age"}]]
    outside = page_logic(engine, [("total", ())], answers, set())  # a question after the repeat reads every instance
    assert outside.conditions == {} and "q-total" not in outside.hidden  # 40 + 7 > 10, decided by the server


CONSTRAINED = """
| survey |
| | type | name | label | relevant | constraint | calculation |
| | integer | age | Age | | . >= 16 | |
| | begin_repeat | kind | Child | | | |
| | integer | k_age | Age | | . < ${age} and position() < 4 | |
| | select_one kleur | colour | Colour | | | |
| | text | k_name | Name | | jr:choice-name(${colour}, '${colour}') != . and . != jr:choice-name(../colour, '../colour') | |
| | decimal | share | Share | ${colour} != '' and position() > 1 | . <= ${half} | |
| | calculate | half | | | | ../k_age div 2 |
| | end_repeat | | | | | |
| choices |
| | list_name | name | label | | | |
| | kleur | rood | Rood | | | |
| | kleur | groen | Groen | | | |
"""


def test_constraints_travel_with_their_references_and_env(tmp_path):
    engine = engine_for(load_instrument(md_form(tmp_path, CONSTRAINED)))
    first = page_logic(engine, [("age", ())], {}, set())
    assert first.constraints == {"q-age": [". >= 16", {}, {"number": True, "integer": True}]} and first.conditions == {}
    assert first.script_data()["values"] == {}  # a page with only a constraint still gets its context
    answers = {"age": "40", "kind": [{"colour": "rood"}, {}]}
    inputs = [(k, (("kind", i),)) for i in (0, 1) for k in ("k_age", "colour", "k_name", "share")]
    logic = page_logic(engine, inputs, answers, {"kind"})
    assert logic.constraints["q-kind[2]/k_age"] == [
        ". < ${age} and position() < 4",
        {"${age}": "q-age"},
        {"position": 2, "number": True, "integer": True},
    ]
    assert logic.context["q-age"] == "40"  # an earlier page: from the context
    labels = {"rood": "Rood", "groen": "Groen"}
    assert logic.constraints["q-kind[1]/k_name"][2] == {"choices": {"${colour}": labels, "../colour": labels}}
    assert logic.constraints["q-kind[1]/k_name"][1] == {"${colour}": "q-kind[1]/colour", "../colour": "q-kind[1]/colour"}
    assert logic.conditions["q-kind[1]/share"] == [
        ["${colour} != '' and position() > 1", {"${colour}": "q-kind[1]/colour"}, {"position": 1}]
    ]
    # the calculation the constraint of share reads is recomputed by the script, with its instance's k_age
    assert ["q-kind[2]/half", "../k_age div 2", {"../k_age": "q-kind[2]/k_age"}, []] in logic.calculations
    assert logic.constraints["q-kind[2]/share"][1] == {"${half}": "q-kind[2]/half"}
