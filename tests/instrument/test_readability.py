"""B1 Dutch for the client questionnaire: sentence length, Flesch–Douwes per text, no jargon,
one form of address, limits from the study folder; and the readability measure itself."""

from __future__ import annotations

import re

import pytest

from afstand.instrument.loader import load_instrument
from afstand.responses.readability import measure, sentences, syllables

NL = "Nederlands (nl)"


def test_syllables_and_score_of_known_texts():
    assert [syllables(w) for w in ("ik", "huis", "beeldbellen", "reclasseringswerker", "geïnteresseerd", "2021")] == [1, 1, 3, 6, 5, 1]
    assert sentences("Ik ben er. Jij ook! Wat nu?") == ["Ik ben er.", "Jij ook!", "Wat nu?"]
    easy, hard = (
        measure("Ik ben er. Jij ook."),
        measure("Ik denk dat de online gesprekken met mijn reclasseringswerker voldoende beveiligd zijn."),
    )
    assert easy.flesch_douwes > 100 and hard.flesch_douwes < 60
    assert hard.longest_sentence == 12 and hard.words == 12 and hard.sentences == 1


def _texts(instrument):
    """(where, Dutch text) of every label, hint and note a respondent reads."""
    for item in instrument.items.values():
        yield item.name, item.labels.get(NL, "")
        if item.hints.get(NL):
            yield f"{item.name} (hint)", item.hints[NL]
        for choice in item.choice_list.choices if item.choice_list else ():
            yield f"{item.name}:{choice.name}", choice.labels.get(NL, "")
    for note in instrument.notes.values():
        yield note.name, note.labels.get(NL, "")
    for group in instrument.groups:
        yield f"{group.name} (title)", group.labels.get(NL, "")


def _overall(texts: list[str]) -> float:
    """Flesch–Douwes of all texts together, each one a sentence at least (labels have no full stop)."""
    return measure(" ".join(t if t.rstrip().endswith((".", "?", "!", ":")) else t + "." for t in texts)).flesch_douwes


def _limits(study, name):
    config = study.instrument_config(name)
    limits = config.get("readability")
    if not limits or not config.get("next"):
        pytest.skip(f"{name}: no readability limits")
    return config, limits


@pytest.mark.parametrize("name", ["clienten"])
def test_next_client_version_is_b1(study, name):
    config, limits = _limits(study, name)
    instrument = load_instrument(study.root / config["next"])
    jargon = [
        line.strip()
        for line in (study.root / limits["jargon"]).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    problems = []
    full = []
    for where, text in _texts(instrument):
        if not text:
            continue
        scored = measure(text)
        if ":" not in where and "(title)" not in where:
            full.append(text)  # the overall score: questions, hints and notes (short choices and titles would flatter it)
        if scored.longest_sentence > limits["max_sentence_words"]:
            problems.append(f"{where}: a sentence of {scored.longest_sentence} words: {text!r}")
        sentence_like = ":" not in where and "(title)" not in where and scored.words >= 4  # questions, hints, notes
        if sentence_like and scored.flesch_douwes < limits["min_flesch_douwes"]:
            problems.append(f"{where}: Flesch–Douwes {scored.flesch_douwes:.0f} < {limits['min_flesch_douwes']}: {text!r}")
        lower = text.lower()
        for word in jargon:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lower):
                problems.append(f"{where}: jargon {word!r}: {text!r}")
        if limits.get("address") == "je" and re.search(r"\b(u|uw)\b", lower):
            problems.append(f"{where}: 'u'/'uw' where the form says 'je': {text!r}")
    overall = _overall(full)
    assert overall >= limits["min_flesch_douwes_all"], overall
    assert problems == []


def test_the_published_2021_wording_fails_the_same_check(study):
    """The check can fail: the 2021 wording has long sentences, jargon and 'u'."""
    _, limits = _limits(study, "clienten")
    instrument = study.instrument("clienten")  # the published version
    texts = dict(_texts(instrument))
    assert max(measure(t).longest_sentence for t in texts.values() if t) > limits["max_sentence_words"]
    assert any("face-to-face" in t for t in texts.values()) and any(re.search(r"\bu\b", t) for t in texts.values())
    assert _overall([t for w, t in texts.items() if t and ":" not in w and "(title)" not in w]) < limits["min_flesch_douwes_all"]


def test_next_version_keeps_items_choices_and_logic(study):
    config, _ = _limits(study, "clienten")
    old, new = study.instrument("clienten"), load_instrument(study.root / config["next"])
    assert list(old.items) == list(new.items) and old.version_id != new.version_id
    for name, item in old.items.items():
        other = new.items[name]
        assert (item.type, item.relevant, item.constraint, item.required, item.appearance, item.dimension, item.key) == (
            other.type,
            other.relevant,
            other.constraint,
            other.required,
            other.appearance,
            other.dimension,
            other.key,
        )
        if item.choice_list:
            assert [c.name for c in item.choice_list.choices] == [c.name for c in other.choice_list.choices]
            assert [c.score for c in item.choice_list.choices] == [c.score for c in other.choice_list.choices]
    assert [g.name for g in old.groups] == [g.name for g in new.groups] and old.consent_choice == new.consent_choice


def test_published_wording_still_reads_the_forms_export(study_files, study, tmp_path):
    """Files made with the 2021 wording (forms-service export: headers are the question texts) still
    read: the reference study's export when ../shared is there, else the demo study's clients written
    in that layout with the published wording (tests/helpers.py)."""
    import csv

    from tests.conftest import cli_json
    from tests.helpers import formsexport_from_csv

    source = study_files["clienten"]
    export = source.parent / "clienten-formsexport.xlsx"
    if not export.is_file():
        export = formsexport_from_csv(source, study.instrument("clienten"), tmp_path / "clienten-formsexport.xlsx")
    result = cli_json("analyze", "--instrument", "clienten", "--data", str(export), "--json")
    with source.open(encoding="utf-8", newline="") as handle:
        consented = sum(row["consent"] == "ja" for row in csv.DictReader(handle))
    assert result["data"]["layout"] == "ms-forms" and result["n_consented"] == consented > 0
