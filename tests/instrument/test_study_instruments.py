"""The study's two XLSForms against the item contract and the report's requirements."""

from __future__ import annotations

import re

import pytest

from afstand.instrument.loader import load_instrument


@pytest.mark.parametrize("name", ["werkers", "clienten"])
def test_every_contract_item_is_in_the_form_exactly(name, study, contract):
    items, choices = contract
    instrument = study.instrument(name)
    lists: dict[str, dict[str, str]] = {}
    for row in choices:
        lists.setdefault(row["list_name"], {})[row["name"]] = row["label_nl"]
    for row in (r for r in items if r["instrument"] == name):
        item = instrument.items[row["name"]]
        assert item.type == row["type"], row["name"]
        assert item.labels["Nederlands (nl)"] == row["label_nl"], row["name"]
        if row["list_name"]:
            assert item.choice_list.name == row["list_name"]
            got = {c.name: c.labels["Nederlands (nl)"] for c in item.choice_list.choices}
            assert got == lists[row["list_name"]], row["list_name"]
        if row["dimension"]:
            assert item.dimension == row["dimension"]
            assert item.key == int(row["key"])


@pytest.mark.parametrize("name,topics", [("werkers", 11), ("clienten", 6)])
def test_topics_translations_consent_and_missings(name, topics, study):
    instrument = study.instrument(name)
    top_level = [g for g in instrument.groups if all(g.name not in other.elements for other in instrument.groups)]
    assert len(top_level) == topics  # report 4.1.2 (11 topics) and 4.1.3 (6 topics)
    assert instrument.languages == ("Nederlands (nl)", "English (en)")
    for item in instrument.items.values():
        assert item.labels.get("English (en)"), f"{item.name} has no English label"
        if item.choice_list:
            for choice in item.choice_list.choices:
                assert choice.labels.get("English (en)"), f"{item.choice_list.name}/{choice.name}"
    # consent first; the only required item; everything after it gated on consent
    first = next(iter(instrument.items.values()))
    assert first.name == instrument.consent_item == "consent" and instrument.consent_choice == "ja"
    assert [i.name for i in instrument.items.values() if i.required] == ["consent"]
    for group in instrument.groups:
        if "consent" not in group.elements:
            assert group.relevant == "${consent} = 'ja'", group.name


def test_follow_up_questions_have_skip_logic_and_ages_have_constraints(study):
    werkers = study.instrument("werkers")
    follow_ups = [i for i in werkers.items.values() if i.label().startswith("Kun je je antwoord toelichten")]
    assert len(follow_ups) >= 4
    for item in follow_ups:
        assert re.fullmatch(r"\$\{\w+\} != ''", item.relevant), item.name
    assert werkers.items["w_age"].constraint == ". >= 16 and . <= 99"
    assert study.instrument("clienten").items["c_age"].constraint == ". >= 16 and . <= 99"


def test_report_questions_reconstructed(study):
    werkers = study.instrument("werkers")
    for name in ("w_open_phases_good", "w_open_phases_bad", "w_open_never", "w_open_tips_start", "w_kenmerken"):
        assert name in werkers.items
    assert "signup_pointer" in werkers.notes and "signup_pointer" in study.instrument("clienten").notes
    assert len(werkers.keyed_items()) == 14  # 12 alliance statements + privacy + drop-out
    assert len(study.instrument("clienten").keyed_items()) == 9


def test_pairs_point_at_existing_client_items(study):
    werkers, clienten = study.instrument("werkers"), study.instrument("clienten")
    pairs = {i.name: i.pair for i in werkers.items.values() if i.pair}
    assert len(pairs) == 6
    for target in pairs.values():
        other, item = target.split(":")
        assert other == "clienten" and item in clienten.items


def test_version_id_is_stable_and_content_based(study, tmp_path):
    path = study.form_path("clienten")
    first = load_instrument(path).version_id
    assert first == load_instrument(path).version_id
    assert re.fullmatch(r"clienten@[0-9a-f]{16}", first)
    changed = tmp_path / "changed.md"
    changed.write_text(path.read_text(encoding="utf-8").replace("Hoe oud bent u?", "Wat is uw leeftijd?"), encoding="utf-8")
    assert load_instrument(changed).version_id != first
