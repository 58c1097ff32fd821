"""``instrument diff`` finds each kind of change on crafted forms."""

from __future__ import annotations

import pytest

from afstand.instrument.diff import diff_instruments
from afstand.instrument.loader import load_instrument
from tests.conftest import cli_json, run_cli
from tests.helpers import MINI_FORM, md_form

# tests/helpers.py's MINI_FORM with a colour question (a list to rescale) and a follow-up that depends on s1
BASE = (
    MINI_FORM.replace(
        "| | select_multiple fruit |",
        "| | select_one kleur | colour | Welke kleur? | Which colour? | | | | | | |\n| | select_multiple fruit |",
    )
    .replace("| | text | why | Waarom? | Why? | | |", "| | text | why | Waarom? | Why? | | ${s1} = 'eens' |")
    .replace(
        "| | fruit | appel |",
        "| | kleur | rood | Rood | Red | | |\n| | kleur | blauw | Blauw | Blue | | |\n| | kleur | groen | Groen | Green | | |\n| | fruit | appel |",
    )
)


def _diff(tmp_path, after_text, before_text=BASE):
    before = load_instrument(md_form(tmp_path, before_text, "a.md"))
    after = load_instrument(md_form(tmp_path, after_text, "b.md"))
    return diff_instruments(before, after)


def _kinds(diff, item):
    return [c.kind for c in diff.item_changes(item)]


def test_identical_forms_have_no_changes(tmp_path):
    diff = _diff(tmp_path, BASE.replace("| 1 | Nederlands (nl) |", "| 2 | Nederlands (nl) |"))
    assert diff.changes == [] and all(diff.comparable(n) for n in diff.after.items)


def test_added_and_removed(tmp_path):
    after = BASE.replace("| | integer | age | Leeftijd | Age |", "| | integer | hours | Uren per week | Hours per week |")
    diff = _diff(tmp_path, after)
    assert _kinds(diff, "hours") == ["added"] and _kinds(diff, "age") == ["removed"]
    assert not diff.comparable("hours") and not diff.comparable("age")
    out = diff.as_dict()
    assert out["added"] == ["hours"] and out["removed"] == ["age"]
    assert out["changed"]["age"]["changes"][0]["from"] == "Leeftijd"


def test_relabelled_default_language_breaks_translation_only_does_not(tmp_path):
    diff = _diff(tmp_path, BASE.replace("| Stelling 1 | Statement 1 |", "| Stelling één | Statement 1 |"))
    [change] = diff.item_changes("s1")
    assert (change.kind, change.breaks, change.before, change.after) == ("relabelled", True, "Stelling 1", "Stelling één")
    assert not diff.comparable("s1") and diff.comparable("s2")
    diff = _diff(tmp_path, BASE.replace("| Stelling 1 | Statement 1 |", "| Stelling 1 | Statement one |"))
    [change] = diff.item_changes("s1")
    assert change.kind == "relabelled" and not change.breaks and change.details == ({"language": "English (en)"},)
    assert diff.comparable("s1")


@pytest.mark.parametrize(
    "edit,expected",
    [
        (
            (
                "| | kleur | groen | Groen | Green | | |\n",
                "| | kleur | groen | Groen | Green | | |\n| | kleur | geel | Geel | Yellow | | |\n",
            ),
            [{"change": "added", "choice": "geel", "label": "Geel"}],
        ),
        (("| | kleur | groen | Groen | Green | | |\n", ""), [{"change": "removed", "choice": "groen", "label": "Groen"}]),
        (
            ("| | kleur | groen | Groen |", "| | kleur | green | Groen |"),
            [{"change": "renamed", "from": "groen", "to": "green", "label": "Groen"}],
        ),
        (
            ("| | kleur | groen | Groen | Green |", "| | kleur | groen | Lichtgroen | Green |"),
            [{"change": "relabelled", "choice": "groen", "from": "Groen", "to": "Lichtgroen"}],
        ),
    ],
)
def test_rescaled_kinds_break_comparability(tmp_path, edit, expected):
    diff = _diff(tmp_path, BASE.replace(*edit))
    [change] = diff.item_changes("colour")
    assert change.kind == "rescaled" and change.breaks
    assert [dict(d) for d in change.details] == expected
    assert change.before == "Rood | Blauw | Groen"
    assert not diff.comparable("colour")


def test_reordered_choices_are_flagged_but_comparable(tmp_path):
    after = BASE.replace(
        "| | kleur | rood | Rood | Red | | |\n| | kleur | blauw | Blauw | Blue | | |\n",
        "| | kleur | blauw | Blauw | Blue | | |\n| | kleur | rood | Rood | Red | | |\n",
    )
    diff = _diff(tmp_path, after)
    [change] = diff.item_changes("colour")
    assert change.kind == "rescaled" and not change.breaks
    assert change.details == ({"change": "reordered", "from": ["rood", "blauw", "groen"], "to": ["blauw", "rood", "groen"]},)
    assert diff.comparable("colour")


def test_type_change(tmp_path):
    diff = _diff(tmp_path, BASE.replace("| | select_multiple fruit | fruit |", "| | select_one fruit | fruit |"))
    [change] = diff.item_changes("fruit")
    assert change.kind == "type" and change.breaks
    assert change.before.startswith("select_multiple") and change.after.startswith("select_one")


def test_relevance_of_item_and_of_its_group(tmp_path):
    diff = _diff(tmp_path, BASE.replace("| ${s1} = 'eens' |", "| ${s1} != 'oneens' |"))
    [change] = diff.item_changes("why")
    assert change.kind == "relevance" and change.breaks
    assert change.before == "(${consent} = 'ja') and (${s1} = 'eens')" and change.after.endswith("(${s1} != 'oneens')")
    diff = _diff(tmp_path, BASE.replace("| ${consent} = 'ja' |", "| ${consent} = 'ja' and ${s2} != '' |"))
    assert "relevance" in _kinds(diff, "s1") and "relevance" in _kinds(diff, "age")


def test_scores_collapse_and_required(tmp_path):
    after = BASE.replace("| oneens | Oneens | Disagree | 1 | oneens |", "| oneens | Oneens | Disagree | 0 | niet_eens |")
    after = after.replace("| | integer | age | Leeftijd | Age | | |", "| | integer | age | Leeftijd | Age | yes | |")
    diff = _diff(tmp_path, after)
    assert sorted(_kinds(diff, "s1")) == ["recollapsed", "rescored"]
    assert diff.comparable("s1") and not diff.likert_comparable("s1") and not diff.scale_comparable(["s1", "s2"])
    [required] = diff.item_changes("age")
    assert (required.kind, required.breaks, required.before, required.after) == ("required", False, "optional", "required")


def test_cli_diff_json_and_text(tmp_path):
    a = md_form(tmp_path, BASE, "a.md")
    b = md_form(tmp_path, BASE.replace("| Welke kleur? |", "| Wat is je lievelingskleur? |"), "b.md")
    out = cli_json("instrument", "diff", str(a), str(b), "--json")
    assert out["changed"]["colour"]["comparable"] is False
    assert out["changed"]["colour"]["changes"][0] == {
        "item": "colour",
        "kind": "relabelled",
        "breaks_comparability": True,
        "from": "Welke kleur?",
        "to": "Wat is je lievelingskleur?",
        "details": [{"language": "Nederlands (nl)"}],
    }
    assert "s1" in out["unchanged"]
    text = run_cli("instrument", "diff", str(a), str(b))
    assert text.returncode == 0 and "colour: NIET vergelijkbaar" in text.stdout and "Wat is je lievelingskleur?" in text.stdout
    same = cli_json("instrument", "diff", "werkers", "werkers", "--json")
    assert same["changed"] == {} and same["added"] == [] and same["removed"] == []
    missing = run_cli("instrument", "diff", str(a), str(tmp_path / "nope.md"))
    assert missing.returncode == 2 and "nope.md: no such XLSForm file" in missing.stderr
