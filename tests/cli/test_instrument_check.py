"""``afstand instrument check FORM`` refuses exactly what the upload page and ``afstand study
create`` refuse (one check, afstand.instrument.form_logic): an expression mistake pyxform passes
gives exit status 2 and the message naming sheet, row, column (cell) and value, and ``study create``
refuses the form with the same message, storing nothing (run as a user runs them, by subprocess)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_cli
from tests.instrument.broken_forms import BROKEN_LOGIC, FINE, GENERIC

#: one case of each kind: a constraint, a condition and a choice_filter (rev14's b05, b11, b24), and a Markdown form
CASES = [
    c
    for c in BROKEN_LOGIC
    if c.name
    in ("constraint_ends_after_and", "relevant_bracket_not_closed", "choice_filter_ends_after_operator", "two_mistakes_in_a_markdown_form")
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_check_and_study_create_refuse_with_the_same_message(tmp_path, server_db, case):
    path = tmp_path / case.filename
    path.write_bytes(case.content())
    checked = run_cli("instrument", "check", str(path))
    assert checked.returncode == 2, (checked.stdout, checked.stderr)
    assert checked.stdout.startswith(f"{path}: refused\n") and "accepted" not in checked.stdout
    assert checked.stderr.startswith("afstand: error: ") and "Traceback" not in checked.stderr
    assert re.search(case.expected, checked.stderr) and not GENERIC.search(checked.stderr), checked.stderr
    as_json = run_cli("instrument", "check", str(path), "--json")
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 2 and report["status"] == "refused" and report["accepted"] is False

    created = run_cli("study", "create", "--slug", "fout", "--title", "Fout", "--db", server_db, "--form", f"fout={path}", cwd=tmp_path)
    assert created.returncode == 2, (created.stdout, created.stderr)
    refusal = created.stderr.strip().removeprefix("afstand: error: ")
    assert refusal.startswith(f"{case.filename}: sheet survey, row ") and re.search(case.expected, refusal), refusal
    # the same words after the file's name: the check names the path, the upload the file name
    assert refusal.removeprefix(case.filename) in checked.stderr
    listed = run_cli("study", "list", "--db", server_db, "--json", cwd=tmp_path)
    assert json.loads(listed.stdout)["studies"] == []  # nothing was made


def test_a_right_form_is_accepted_by_both(tmp_path, server_db):
    path = tmp_path / "or_other.xlsx"
    path.write_bytes(FINE["or_other.xlsx"]())
    checked = run_cli("instrument", "check", str(path))
    assert checked.returncode == 0 and "accepted" in checked.stdout, checked.stderr
    created = run_cli("study", "create", "--slug", "goed", "--title", "Goed", "--db", server_db, "--form", f"goed={path}", cwd=tmp_path)
    assert created.returncode == 0, created.stderr


def test_an_unknown_function_names_its_cell_on_the_cli(tmp_path):
    """rev14 finding 4: the refusal names the column (cell) and the expression, not only the row."""
    from tests.instrument.broken_forms import S, workbook

    path = tmp_path / "foo.xlsx"
    path.write_bytes(
        workbook(
            {
                "survey": [
                    S + ["relevant"],
                    ["integer", "age", "Leeftijd", None],
                    ["text", "why", "Waarom?", "contains(${age}, 'x') and foo(${age})"],
                ]
            }
        )
    )
    checked = run_cli("instrument", "check", str(path))
    assert checked.returncode == 2
    assert (
        "sheet survey, row 3, column 'relevant' (cell D3), value \"contains(${age}, 'x') and foo(${age})\": question why (text): "
        "function 'foo' is not supported" in checked.stderr
    ), checked.stderr
