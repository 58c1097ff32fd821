"""Version ids hash afstand's own model of the form (afstand.instrument.version), not pyxform's dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from afstand.instrument.export import export_xlsx
from afstand.instrument.loader import load_instrument
from afstand.instrument.version import canonical, version_id
from tests.helpers import MINI_FORM, md_form

# Pinned: a change here means every stored response's version id changes for the same form.
# Change these only together with a note in docs/architecture.md (and bump version.SCHEME when
# the canonical form itself changes).
STUDY_IDS = {"werkers": "werkers@aa8a1e4181c096ed", "clienten": "clienten@cbe1c13fbb44a7c5"}


def test_the_study_instruments_have_their_pinned_ids(study):
    assert {name: study.instrument(name).version_id for name in study.instrument_names} == STUDY_IDS


def test_the_id_is_the_hash_of_the_canonical_model(study):
    instrument = study.instrument("werkers")
    assert version_id(instrument) == instrument.version_id
    assert [i["name"] for i in canonical(instrument)["items"]] == list(instrument.items)


def test_markdown_and_its_xlsx_export_have_the_same_id(study, tmp_path):
    out = tmp_path / "clienten.xlsx"
    export_xlsx(study.form_path("clienten"), out)
    assert load_instrument(out).version_id == STUDY_IDS["clienten"]


def test_where_the_form_comes_from_does_not_count(tmp_path):
    a = md_form(tmp_path, MINI_FORM, "a.md")
    assert load_instrument(a).version_id == load_instrument(a.read_bytes(), name="elsewhere.md").version_id


@pytest.mark.parametrize(
    "old, new",
    [
        ("| Stelling 1 | Statement 1 |", "| Stelling één | Statement 1 |"),  # a label
        ("| Statement 1 |", "| Proposition 1 |"),  # a label in the second language
        (". >= 16 and . <= 99", ". >= 18 and . <= 99"),  # a constraint
        ("| ${consent} = 'ja' |", "| ${consent} != 'nee' |"),  # a group's relevance
        ("| d | -1 |", "| d | 1 |"),  # the key metadata column
        ("| Eens | Agree | 3 | eens |", "| Eens | Agree | 4 | eens |"),  # a score
        ("| Oneens | Disagree | 1 | oneens |", "| Oneens | Disagree | 1 | niet_eens |"),  # a collapse
        ("| fruit | kers | Kers | Cherry |", "| fruit | kers | Kersen | Cherry |"),  # a choice label
        ("| Mini | mini | 1 |", "| Mini | mini | 2 |"),  # the form's version setting
    ],
)
def test_any_change_afstand_reads_gives_a_new_id(tmp_path, old, new):
    assert old in MINI_FORM
    before = load_instrument(md_form(tmp_path, MINI_FORM, "before.md")).version_id
    after = load_instrument(md_form(tmp_path, MINI_FORM.replace(old, new), "after.md")).version_id
    assert before.startswith("mini@") and after != before


def test_pyxform_warnings_are_kept_not_dropped(tmp_path):
    form = md_form(
        tmp_path,
        """
        | survey |
        | | type | name | label::Nederlands (nl) | label::English (en) | hint::Nederlands (nl) |
        | | text | a | Vraag A | Question A | Een hint |
        | settings |
        | | form_title | form_id | default_language |
        | | T | t | Nederlands (nl) |
    """,
    )
    warnings = load_instrument(form).warnings
    assert len(warnings) == 1 and warnings[0].startswith(f"{form}: ") and "English (en)" in warnings[0] and "hint" in warnings[0]
    assert load_instrument(md_form(tmp_path, MINI_FORM, "clean.md")).warnings == ()


def test_the_id_does_not_depend_on_the_hash_seed(tmp_path):
    """A two-language form with or_other: pyxform builds the "Other" label from a set, so its order
    followed the process's hash seed and the same form got two ids (seen as a flaky CI pass)."""
    import os
    import subprocess
    import sys

    form = Path(__file__).resolve().parents[1] / "responses" / "data" / "foreign" / "thuiswerk.xlsx"
    code = "import sys; from afstand.instrument.loader import load_instrument; print(load_instrument(sys.argv[1]).version_id)"
    ids = {
        subprocess.run(
            [sys.executable, "-c", code, str(form)],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "AFSTAND_CACHE_DIR": "off"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(8)
    }
    assert len(ids) == 1, ids
