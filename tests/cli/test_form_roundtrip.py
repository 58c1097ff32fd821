"""Every form of ../shared/xlsform-corpus (pyxform's examples): ``afstand demo-data --instrument``
writes answers, each passes the JSON API's check, and ``afstand analyze`` on the export (main
table and one table per repeat) gives exactly the counts that were sent — counted here from the
sent payloads, independently of afstand's export and analysis code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afstand.instrument.loader import load_instrument
from afstand.responses.submission import check_submission
from afstand.responses.tables import table_items
from tests.conftest import cli_json, run_cli
from tests.helpers import CORPUS, EACH_FORM, FORMS, repeat_containers, sent_counts


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_demo_answers_pass_the_api_and_analyse_to_what_was_sent(tmp_path, name):
    """Every form of the corpus; without ../shared, every XLSForm of the study folders."""
    source = EACH_FORM[name]
    instrument = load_instrument(source)
    result = run_cli("demo-data", "--instrument", str(source), "--n", "25", "--seed", "11", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stem = Path(name).stem
    payloads = [json.loads(line) for line in (tmp_path / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(payloads) == 25 and len({p["instance_id"] for p in payloads}) == 25
    for payload in payloads:
        checked = check_submission(instrument, payload["answers"])
        assert checked.ok, {k: str(e) for k, e in checked.errors.items()}
    tables = {None: tmp_path / f"{stem}.csv"} | {g.name: tmp_path / f"{stem}-{g.name.replace('/', '_')}.csv" for g in instrument.repeats}
    for repeat, data in tables.items():
        args = ["analyze", "--instrument", str(source), "--data", str(data), "--json"] + (["--repeat", repeat] if repeat else [])
        analysis = cli_json(*args)
        containers = [c for p in payloads for c in repeat_containers(p["answers"], instrument, repeat)]
        assert analysis["n_consented"] == len(containers)
        for key in table_items(instrument, repeat):
            expected = sent_counts(instrument, containers, key)
            if not expected:
                continue
            if key == instrument.consent_item:  # a form with a consent question: it is the base, not an item
                assert expected["counts"][instrument.consent_choice] == analysis["n_consented"], key
                continue
            got = analysis["items"][key]
            assert {k: got[k] for k in expected} == expected, (repeat, key)


def test_demo_data_for_a_form_is_deterministic(tmp_path):
    """A form with repeats from the corpus (without ../shared: a form of the study folders)."""
    form = CORPUS / "tutorial.xls" if FORMS else next(iter(EACH_FORM.values()))
    for target in ("a", "b"):
        assert run_cli("demo-data", "--instrument", str(form), "--n", "5", "--seed", "3", "--out", str(tmp_path / target)).returncode == 0
    for produced in (tmp_path / "a").iterdir():
        if produced.suffix == ".jsonl":  # instance ids are seeded too
            assert produced.read_bytes() == (tmp_path / "b" / produced.name).read_bytes()


def test_clear_errors_for_impossible_forms_and_unknown_repeats(tmp_path):
    form = tmp_path / "impossible.md"
    form.write_text(
        """| survey |
| | type | name | label | required | choice_filter |
| | select_one abc | pick | Pick one | yes | cf = 'nothing' |
| choices |
| | list_name | name | label | cf |
| | abc | a | A | x |
""",
        encoding="utf-8",
    )
    result = run_cli("demo-data", "--instrument", str(form), "--n", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "pick" in result.stderr and "no valid response" in result.stderr
    assert not (tmp_path / "out" / "impossible.jsonl").exists()  # nothing half-written
    data = tmp_path / "data.csv"
    data.write_text("response_id,pick\nR1,a\n", encoding="utf-8")
    result = run_cli("analyze", "--instrument", str(form), "--data", str(data), "--repeat", "member", "--json")
    assert result.returncode == 2 and "no repeat 'member'" in result.stderr


REQUIRED_IF_FORM = """| survey |
| | type | name | label | required |
| | select_one yn | werkt | Werk je? | yes |
| | integer | uren | Hoeveel uur? | ${werkt} = 'ja' |
| | text | waarom | Waarom niet? | ${werkt} = 'nee' |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
"""


def test_demo_data_answers_a_conditionally_required_question_while_its_condition_holds(tmp_path):
    form = tmp_path / "werk.md"
    form.write_text(REQUIRED_IF_FORM, encoding="utf-8")
    assert run_cli("demo-data", "--instrument", str(form), "--n", "40", "--seed", "2", "--out", str(tmp_path)).returncode == 0
    payloads = [json.loads(line)["answers"] for line in (tmp_path / "werk.jsonl").read_text(encoding="utf-8").splitlines()]
    instrument = load_instrument(form)
    assert all(check_submission(instrument, answers).ok for answers in payloads)
    working = [a for a in payloads if a["werkt"] == "ja"]
    assert working and len(working) < len(payloads)
    assert all("uren" in a for a in working) and all("waarom" in a for a in payloads if a["werkt"] == "nee")
    # with every optional question left empty, exactly the questions whose condition holds are answered
    from afstand.demo_form import generate_submissions

    for answers in generate_submissions(instrument, 20, seed=5, missing=1.0):
        assert set(answers) == {"werkt", "uren" if answers["werkt"] == "ja" else "waarom"}
