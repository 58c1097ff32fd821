"""An XLSForm as other tools write them (issue 16): checked, shown and stored as a researcher does.

The form is ``tests/responses/data/foreign/thuiswerk.xlsx`` (see its ``make_fixtures.py``):
multilingual with ``default_language``, ``list name`` with a space, nested groups, a repeat,
or_other, a choice_filter cascade, calculate, rank, range, geopoint, media, barcode,
acknowledge, a trigger column, field-list, an empty row and a sheet pyxform does not read.
"""

from __future__ import annotations

import json
from pathlib import Path

from afstand.instrument.loader import check_instrument, load_instrument
from tests.conftest import run_cli
from tests.helpers import md_form

FOREIGN = Path(__file__).resolve().parents[1] / "responses" / "data" / "foreign"
FORM = FOREIGN / "thuiswerk.xlsx"


def test_instrument_check_declares_every_question():
    done = run_cli("instrument", "check", str(FORM), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["accepted"] and report["refused"] == []
    status = {q["path"]: q["status"] for q in report["questions"]}
    for path in ("slot/locatie", "slot/foto", "slot/opname", "slot/code", "werk/prio"):
        assert status[path] == "analysis", path  # collected elsewhere, analysed here: declared as such
    for path in ("intro/regio", "intro/gemeente", "werk/thuis/dagen", "werk/cijfer", "kinderen/opvang", "slot/akkoord"):
        assert status[path] == "web", path
    # collected on the web, but the survey shows its own text instead of required_message: declared
    leeftijd = next(q for q in report["questions"] if q["path"] == "intro/leeftijd")
    assert [f["name"] for f in leeftijd["features"] if f["status"] != "web"] == ["required_message"]
    assert {s["name"] for s in report["settings"]} >= {"version", "default_language", "instance_name"}


def test_instrument_show_and_study_create_take_the_form_in_both_workbook_formats(tmp_path):
    shown = run_cli("instrument", "show", str(FORM), "--json")
    assert shown.returncode == 0, shown.stderr
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    made = run_cli("study", "create", "--slug", "thuis", "--title", "Thuiswerken", "--db", db, "--form", f"thuiswerk={FORM}")
    assert made.returncode == 0, made.stderr
    old = FOREIGN / "thuiswerk.xls"
    if old.exists():  # the same form as .xls is the same version, not a new one
        again = run_cli("study", "add-version", "--slug", "thuis", "--db", db, "--form", f"thuiswerk={old}")
        assert again.returncode == 0, again.stderr
        listed = json.loads(run_cli("study", "list", "--db", db, "--json").stdout)
        assert "Traceback" not in again.stderr and listed


def test_external_choices_are_refused_with_the_list(tmp_path):
    path = md_form(
        tmp_path,
        """
        | survey |
        | | type | name | label::Dutch (nl) | label::English (en) | choice_filter |
        | | select_one_from_file gemeenten.csv | woonplaats | Woonplaats | Town | |
        | | select_one provincie | provincie | Provincie | Province | |
        | | select_one_external gemeente | gemeente | Gemeente | Municipality | provincie=${provincie} |
        | choices |
        | | list_name | name | label::Dutch (nl) | label::English (en) |
        | | provincie | ut | Utrecht | Utrecht |
        | external_choices |
        | | list_name | name | label | provincie |
        | | gemeente | utrecht | Utrecht | ut |
        | settings |
        | | form_id | default_language |
        | | extern | Dutch (nl) |
        """,
    )
    report = check_instrument(path)
    assert not report.accepted
    refused = "\n".join(report.refusals())
    assert "woonplaats (select_one_from_file)" in refused and "gemeente (select_one_external)" in refused
    done = run_cli("study", "create", "--slug", "x", "--title", "X", "--db", f"sqlite:///{tmp_path / 'db.sqlite3'}", "--form", f"x={path}")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "select_one_from_file" in done.stderr and "select_one_external" in done.stderr


def test_a_required_condition_is_declared_not_silently_dropped(tmp_path):
    """Kobo forms often make a question required on a condition; the web survey does not apply it
    (the question is optional there), so the check says so instead of calling it collected."""
    path = md_form(
        tmp_path,
        """
        | survey |
        | | type | name | label | required |
        | | select_one yn | werkt | Werk je? | yes |
        | | integer | uren | Uren | ${werkt} = 'ja' |
        | choices |
        | | list_name | name | label |
        | | yn | ja | Ja |
        | | yn | nee | Nee |
        """,
    )
    report = check_instrument(path)
    status = {q.path: q for q in report.questions}
    assert status["werkt"].status == "web"
    assert status["uren"].status == "web"  # collected on the web: required while the condition holds
    assert "required (expression)" in [f.name for f in status["uren"].features if f.status == "web"]
    # kept in the model and its version: another condition is another version
    form = load_instrument(path)
    assert form.items["uren"].required_if == "${werkt} = 'ja'" and not form.items["uren"].required
    other = load_instrument(md_form(tmp_path, path.read_text(encoding="utf-8").replace("= 'ja'", "= 'nee'"), name="other.md"))
    assert other.version_id != form.version_id
    from afstand.instrument.diff import diff_instruments

    changed = [c for c in diff_instruments(form, other).changes if c.item == "uren"]
    assert [(c.kind, c.before, c.after) for c in changed] == [("required", "required if ${werkt} = 'ja'", "required if ${werkt} = 'nee'")]
