"""Disclosure control across outputs: linked tables (waves and their pool), the publication ledger,
individual values of a hidden band, two band breakdowns on one item, and the JSON's test precision
(docs/disclosure-control.md; the findings of the outside review "attack")."""

from __future__ import annotations

import json
import shutil

import pytest

from afstand.analysis.disclosure import for_json, linked_ledger, publish
from afstand.analysis.summary import analyze
from afstand.analysis.suppression import linked_cells, suppress_cells
from afstand.errors import StudyError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses
from afstand.study import Study
from tests.helpers import MINI_STUDY, attack, true_cells

MIN = 10


@pytest.fixture(scope="module")
def mini():
    return Study.load(MINI_STUDY), load_instrument(MINI_STUDY / "mini.md")


def _csv(path, orgs: list[str], years: list[int] | None = None):
    """Mini-study responses with these organisations (and years of experience)."""
    years = years or [2] * len(orgs)
    lines = ["response_id,consent,org,sex,role,years,q1,q2,q3"]
    for i, (org, year) in enumerate(zip(orgs, years)):
        lines.append(f"R{i},ja,{org},{'mv'[i % 2]},r{1 + i % 2},{year},{['oneens', 'eens', 'neutraal'][i % 3]},eens,oneens")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_forced_cells_are_protected_like_small_ones():
    sizes = {"a": 10, "b": 40, "c": 50}
    assert suppress_cells(sizes, MIN) == set()
    hidden = suppress_cells(sizes, MIN, forced={"a"})
    assert "a" in hidden and len(hidden) >= 2 and sum(sizes[g] for g in hidden) - (len(hidden) - 1) >= MIN


def test_linked_tables_hide_a_cell_in_all_or_none():
    # the review's F-W1: wave 1 hides ljr = 4 (and a complement); wave 2 shows everything; pooled = sum
    wave1, wave2 = {"ljr": 4, "rn": 48, "svg": 48}, {"ljr": 20, "rn": 40, "svg": 40}
    pooled = {g: wave1[g] + wave2[g] for g in wave1}
    hidden = linked_cells([wave1, wave2, pooled], MIN)
    assert "ljr" in hidden and len(hidden) >= 2
    for table in (wave1, wave2, pooled):  # every table protected by the same set
        assert suppress_cells(table, MIN, hidden) == hidden
    shown = set(pooled) - hidden
    for cell in shown:  # nothing left to subtract: a shown cell is shown in every table
        assert pooled[cell] == wave1[cell] + wave2[cell]


def test_pooled_view_minus_a_wave_gives_nothing(mini, tmp_path):
    study, instrument = mini
    first = load_responses(_csv(tmp_path / "w1.csv", ["o1"] * 4 + ["o2", "o3"] * 48), instrument)
    second = load_responses(_csv(tmp_path / "w2.csv", ["o1"] * 20 + ["o2", "o3"] * 40), instrument)
    ledger = linked_ledger(study, "mini", {"2021": first, "2022": second}, pooled="*")
    pages = {}
    for label, responses in (("2021", first), ("2022", second)):
        held = study.publishing(label, ledger)
        pages[label] = publish(analyze(responses, name="mini", study=held), held, "mini")
    pooled_responses = load_responses(_csv(tmp_path / "all.csv", ["o1"] * 24 + ["o2", "o3"] * 88), instrument)
    held = study.publishing("*", ledger)
    pages["*"] = publish(analyze(pooled_responses, name="mini", study=held), held, "mini")
    counts = {label: page["items"]["org"]["counts"] for label, page in pages.items()}
    for choice in counts["*"]:
        shown = [counts[label][choice] is not None for label in counts]
        assert all(shown) or not any(shown), (choice, counts)
    assert counts["2021"]["o1"] is None and counts["*"]["o1"] is None and counts["2022"]["o1"] is None


def test_ledger_keeps_a_group_hidden_after_it_reaches_the_minimum(mini, tmp_path):
    # the review's F-A1: one more response lifts o1 from 9 to 10; the earlier publication's hidden groups stay hidden
    study, instrument = mini
    before = load_responses(_csv(tmp_path / "a.csv", ["o1"] * 9 + ["o2", "o3"] * 50), instrument)
    first = publish(analyze(before, name="mini", study=study), study, "mini")
    hidden = {g["name"] for g in first["comparisons"]["breakdowns"]["org"]["suppressed"]}
    assert "o1" in hidden
    ledger = {"": {"mini": {"org": frozenset(hidden)}}}
    after = load_responses(_csv(tmp_path / "b.csv", ["o1"] * 10 + ["o2", "o3"] * 50), instrument)
    held = study.publishing("", ledger)
    second = publish(analyze(after, name="mini", study=held), held, "mini")
    assert {g["name"] for g in second["comparisons"]["breakdowns"]["org"]["suppressed"]} >= hidden
    assert second["items"]["org"]["counts"]["o1"] is None
    assert second["disclosure"]["held"] == ["org"]
    unheld = publish(analyze(after, name="mini", study=study), study, "mini")
    assert unheld["items"]["org"]["counts"]["o1"] == 10  # without the ledger the group would be shown: the test can fail
    assert "held" not in unheld["disclosure"]


def test_no_individual_value_of_a_hidden_band(mini, tmp_path):
    # the review's F-A3: bulk at 1–3 years, 12 at 5–9, ten at 10–19 and three at 25–38: the outliers are exactly
    # the hidden bands' members
    study, instrument = mini
    years = [1 + i % 3 for i in range(60)] + [5 + i % 5 for i in range(12)] + list(range(10, 20)) + [25, 30, 38]
    orgs = ["o1", "o2"] * (len(years) // 2) + ["o1"] * (len(years) % 2)
    responses = load_responses(_csv(tmp_path / "y.csv", orgs, years), instrument)
    raw = analyze(responses, name="mini", study=study)
    published = json.loads(json.dumps(publish(raw, study, "mini")))
    entry = published["comparisons"]["breakdowns"]["years"]
    hidden = {g["name"] for g in entry["suppressed"]}
    assert hidden == {"10-20", "20+"}
    item = published["items"]["years"]
    assert item["max"] is None and item["outliers"]["values"] == [] and item["outliers"]["withheld"]
    breakdowns = [b for b in study.breakdowns("mini") if b.name == "years"]
    truth, _ = true_cells(responses, breakdowns[0])
    for _name, bounds in attack(published, breakdowns):
        for key, (low, high) in bounds.items():
            value = sum(truth[g] for g in key.split("|"))
            assert low <= value <= high
            if 0 < value < MIN:
                assert low < high and high >= MIN, (key, value, low, high)
    # the attacker reads the values: on the result before this rule (the raw outlier list) it pins "20+"
    unmasked = json.loads(json.dumps(publish(raw, study, "mini")))
    unmasked["items"]["years"] = raw["items"]["years"]
    pinned = dict(attack(unmasked, breakdowns))["years"]
    assert pinned["20+"] == (3, 3)


def test_two_band_breakdowns_of_one_item_are_refused(tmp_path):
    root = tmp_path / "study"
    shutil.copytree(MINI_STUDY, root)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[[breakdowns]]\ninstrument = "mini"\nname = "years_coarse"\nitem = "years"\nbands = [0, 7, 20]\n',
        encoding="utf-8",
    )
    with pytest.raises(StudyError) as err:
        Study.load(root)
    assert str(toml) in str(err.value) and "'years'" in str(err.value) and "'years_coarse'" in str(err.value)


def test_json_tests_at_printed_precision(mini, tmp_path):
    study, instrument = mini
    orgs = ["o1", "o2"] * 40
    responses = load_responses(_csv(tmp_path / "t.csv", orgs), instrument)
    published = {"mini": publish(analyze(responses, name="mini", study=study), study, "mini")}
    rounded = for_json(published)["mini"]["comparisons"]["tests"]
    assert rounded
    for test in rounded:
        assert test["statistic"] == round(test["statistic"], 1)
        assert all(v == round(v, 2) for v in test["effect"]["ci"] if v is not None)


def test_report_text_prints_no_min_or_max_in_a_hidden_band(mini, tmp_path):
    from afstand.report.context import Numbers

    study, instrument = mini
    years = [1 + i % 3 for i in range(60)] + [5 + i % 5 for i in range(12)] + list(range(10, 20)) + [25, 30, 38]
    orgs = ["o1", "o2"] * (len(years) // 2) + ["o1"] * (len(years) % 2)
    responses = load_responses(_csv(tmp_path / "y.csv", orgs, years), instrument)
    published = publish(analyze(responses, name="mini", study=study), study, "mini")
    numbers = Numbers({"mini": published}, {"mini": instrument}, {"mini": responses}, study)
    assert numbers.stat("mini", "years", "max") == "×"
    assert numbers.stat("mini", "years", "min") == "1"
