"""One reader, every export layout: small exports written here the way each tool writes them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses, read_table
from afstand.responses.layout_values import CHOSEN_OR_NOT
from tests.conftest import run_cli
from tests.helpers import CENTRAL_META, assert_reads_as_canonical, md_form, tool_export, write_table

FORM = """
| survey |
| | type | name | label | consent_choice | missing | calculation |
| | select_one yn | consent | Doe je mee? | ja | | |
| | begin_group | over | Over jou | | | |
| | note | uitleg | Eerst iets over jou. | | | |
| | integer | age | Leeftijd | | 999 | |
| | begin_group | werk | Je werk | | | |
| | select_one org | org | Organisatie | | | |
| | select_multiple fruit | fruit | Welk fruit eet je? | | | |
| | text | why_fruit | Waarom? | | | |
| | end_group | | | | | |
| | end_group | | | | | |
| | begin_group | later | Later | | | |
| | select_one freq | often | Hoe vaak? | | | |
| | text | why_often | Waarom? | | | |
| | calculate | twice | | | | ${age} * 2 |
| | end_group | | | | | |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
| | org | 1 | Reclassering Nederland |
| | org | 2 | Leger des Heils |
| | fruit | appel | Appel |
| | fruit | rode_appel | Rode appel |
| | fruit | peer | Peer |
| | fruit | kers | Kers |
| | freq | vaak | Vaak |
| | freq | soms | Soms |
| settings |
| | form_id | version |
| | fruitform | 3 |
"""

# the canonical answers: one dict per respondent, select_multiple as space-separated names
ANSWERS = [
    {
        "consent": "ja",
        "age": "34",
        "org": "1",
        "fruit": "appel peer",
        "why_fruit": "lekker",
        "often": "vaak",
        "why_often": "gezond",
        "twice": "68",
    },
    {"consent": "ja", "age": "999", "org": "2", "fruit": "rode_appel", "why_fruit": "", "often": "soms", "why_often": "", "twice": "1998"},
    {
        "consent": "ja",
        "age": "51",
        "org": "",
        "fruit": "kers rode_appel appel",
        "why_fruit": "zomaar",
        "often": "",
        "why_often": "",
        "twice": "102",
    },
    {"consent": "nee", "age": "", "org": "", "fruit": "", "why_fruit": "", "often": "", "why_often": "", "twice": ""},
    {"consent": "ja", "age": "40", "org": "1", "fruit": "", "why_fruit": "", "often": "vaak", "why_often": "x", "twice": "80"},
]
PATHS = {
    "consent": ["consent"],
    "uitleg": ["over", "uitleg"],
    "age": ["over", "age"],
    "org": ["over", "werk", "org"],
    "fruit": ["over", "werk", "fruit"],
    "why_fruit": ["over", "werk", "why_fruit"],
    "often": ["later", "often"],
    "why_often": ["later", "why_often"],
    "twice": ["later", "twice"],
}
GROUP_LABELS = {"over": "Over jou", "werk": "Je werk", "later": "Later"}
FIELD_ORDER = ["consent", "uitleg", "age", "org", "fruit", "why_fruit", "often", "why_often", "twice"]


@pytest.fixture
def form(tmp_path):
    return load_instrument(md_form(tmp_path, FORM))


def _label(form, name):
    element = form.items.get(name) or form.notes.get(name)
    return element.label() if element is not None else name


def _choice_label(form, item, name):
    return form.items[item].choice_list.get(name).label()


def kobo_rows(form, *, labels: bool, groups: bool, one_column: bool = True, split: bool = True):
    """Rows as formpack writes them: form order, select_multiple followed by its choice columns."""
    header, rows = [], [[] for _ in ANSWERS]
    for name in FIELD_ORDER:
        path = PATHS[name]
        if labels:
            parts = [GROUP_LABELS[g] for g in path[:-1]] + [_label(form, name)]
        else:
            parts = list(path)
        title = "/".join(parts) if groups else parts[-1]
        item = form.items.get(name)
        multi = item is not None and item.type == "select_multiple"
        if not multi or one_column:
            header.append(title)
            for row, answer in zip(rows, ANSWERS):
                value = answer.get(name, "")
                if labels and item is not None and item.choice_list is not None and value:
                    value = " ".join(_choice_label(form, name, v) for v in value.split())
                row.append(value)
        if multi and split:
            for choice in item.choice_list.choices:
                header.append(title + "/" + (choice.label() if labels else choice.name))
                for row, answer in zip(rows, ANSWERS):
                    row.append("" if not answer[name] else ("1" if choice.name in answer[name].split() else "0"))
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_status", "_submitted_by", "__version__", "_index"]
    for i, row in enumerate(rows):
        row += [str(i + 1), f"uuid-{i}", "2024-03-01T10:00:00", "", "submitted_via_web", "", "3", str(i + 1)]
    return header, rows


def central_rows(form):
    header = ["SubmissionDate"] + ["-".join(PATHS[n]) for n in FIELD_ORDER] + CENTRAL_META
    rows = []
    for i, answer in enumerate(ANSWERS):
        rows.append(
            ["2024-03-01T10:00:00.000Z"]
            + [answer.get(n, "") for n in FIELD_ORDER]
            + [f"uuid:{i}", f"uuid:{i}", "5", "enqueteur", "0", "0", "", "approved", "", "0", "3"]
        )
    return header, rows


def forms_rows(form):
    names = [n for n in FIELD_ORDER if n in form.items]
    header = ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam"] + [_label(form, n) for n in names]
    rows = []
    for i, answer in enumerate(ANSWERS):
        cells = []
        for n in names:
            value, item = answer[n], form.items[n]
            if value and item.choice_list is not None:
                value = (
                    "".join(_choice_label(form, n, v) + ";" for v in value.split())
                    if item.type == "select_multiple"
                    else _choice_label(form, n, value)
                )
            cells.append(value)
        rows.append([str(i + 1), "1-3-2024 10:00", "1-3-2024 10:05", "anoniem", "anoniem"] + cells)
    return header, rows


def afstand_rows(form):
    header = ["response_id", "instrument_version", "submission_date"] + list(form.items)
    rows = [[f"r{i}", form.version_id, "2024-03-01"] + [a[n] for n in form.items] for i, a in enumerate(ANSWERS)]
    return header, rows


def _same(a, b):
    assert (a.n_total, a.n_consented) == (b.n_total, b.n_consented)
    for name, codes in a.single.items():
        assert codes.tolist() == b.single[name].tolist(), name
    for name, column in a.multi.items():
        assert column.indicator().tolist() == b.multi[name].indicator().tolist(), name
    for name, values in a.numbers.items():
        assert values.tolist() == pytest.approx(b.numbers[name].tolist(), nan_ok=True), name
    for name, column in a.texts.items():
        assert column.to_pylist() == b.texts[name].to_pylist(), name
    assert a.declared_missing == b.declared_missing


@pytest.fixture
def canonical(tmp_path, form):
    path = write_table(tmp_path / "afstand.csv", *afstand_rows(form))
    responses = load_responses(path, form)
    assert responses.layout == "afstand" and responses.problems == []
    return responses


CASES = {
    "kobo-xml groups, ;-separated csv": ("kobo-xml", "csv", lambda f: kobo_rows(f, labels=False, groups=True), ";"),
    "kobo-xml no groups": ("kobo-xml", "csv", lambda f: kobo_rows(f, labels=False, groups=False), ","),
    "kobo-xml split columns only": ("kobo-xml", "csv", lambda f: kobo_rows(f, labels=False, groups=True, one_column=False), ","),
    "kobo-xml one column only, xlsx": ("kobo-xml", "xlsx", lambda f: kobo_rows(f, labels=False, groups=False, split=False), None),
    "kobo-labels groups": ("kobo-labels", "xlsx", lambda f: kobo_rows(f, labels=True, groups=True), None),
    "kobo-labels no groups": ("kobo-labels", "xlsx", lambda f: kobo_rows(f, labels=True, groups=False), None),
    "kobo-labels one column only": ("kobo-labels", "xlsx", lambda f: kobo_rows(f, labels=True, groups=False, split=False), None),
    "kobo-labels csv": ("kobo-labels", "csv", lambda f: kobo_rows(f, labels=True, groups=True), ","),
    "odk-central": ("odk-central", "csv", central_rows, ","),
    "ms-forms": ("ms-forms", "xlsx", forms_rows, None),
    "afstand xlsx": ("afstand", "xlsx", afstand_rows, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_layout_reads_to_the_same_responses(tmp_path, form, canonical, case):
    layout, kind, rows_of, delimiter = CASES[case]
    header, rows = rows_of(form)
    path = tmp_path / f"export.{kind}"
    if kind == "csv":
        write_table(path, header, rows, delimiter)
    else:
        write_table(path, header, rows)
    responses = load_responses(path, form)
    assert responses.problems == []
    assert responses.layout == layout
    _same(canonical, responses)
    # forcing the detected layout gives the same; the response id comes from the tool's id column
    assert load_responses(path, form, layout=layout).n_consented == canonical.n_consented


def test_metadata_kept_apart_and_identifying_columns_not_read(tmp_path, form):
    path = write_table(tmp_path / "k.csv", *kobo_rows(form, labels=False, groups=True))
    raw = read_table(path, form)
    assert raw.dropped == ["_submission_time", "_submitted_by"]
    assert set(raw.metadata) == {"_id", "_uuid", "_validation_status", "_status", "__version__", "_index"}
    assert raw.unused == ["over/uitleg"]  # the note (a calculate field is computed and stored: an item)
    assert raw.columns["response_id"].to_pylist() == [f"uuid-{i}" for i in range(len(ANSWERS))]
    central = read_table(write_table(tmp_path / "c.csv", *central_rows(form)), form)
    assert central.dropped == ["SubmissionDate", "SubmitterID", "SubmitterName", "DeviceID"]
    assert {"KEY", "meta-instanceID", "ReviewState", "FormVersion", "Edits"} <= set(central.metadata) | {"KEY"}


def test_missing_code_never_enters_the_mean(canonical):
    ages = canonical.numbers["age"]
    assert np.nanmean(ages) == pytest.approx((34 + 51 + 40) / 3)
    assert canonical.declared_missing == {"age": {"999": 1}}


def test_study_missing_codes_apply_to_every_item(tmp_path, form):
    header, rows = afstand_rows(form)
    rows[0][header.index("org")] = "-9"
    path = write_table(tmp_path / "d.csv", header, rows)
    with pytest.raises(DataError, match="not a choice of item org"):
        load_responses(path, form)
    responses = load_responses(path, form, missing=("-9",))
    assert responses.single["org"][0] == -1
    assert responses.declared_missing["org"] == {"-9": 1}


def test_ambiguous_label_text_is_refused_not_guessed(tmp_path):
    text = FORM.replace("| | fruit | kers | Kers |", "| | fruit | kers | Kers |\n| | fruit | rode | Rode |")
    form = load_instrument(md_form(tmp_path, text))
    header, rows = kobo_rows(form, labels=True, groups=False, split=False)
    path = write_table(tmp_path / "k.xlsx", header, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, form)
    problem = err.value.problems[0]
    # "Rode appel" reads as one choice or as "Rode" + "Appel": refused, with row, column and value
    assert problem.message == "cannot be read as choice labels of this question"
    assert (problem.row, problem.value) == (3, "Rode appel")
    assert problem.column.startswith("E (Welk fruit eet je?")
    # with the split columns the same export is unambiguous
    header, rows = kobo_rows(form, labels=True, groups=False)
    assert load_responses(write_table(tmp_path / "s.xlsx", header, rows), form).problems == []


def test_bad_split_cell_and_unknown_label_are_reported(tmp_path, form):
    header, rows = kobo_rows(form, labels=True, groups=True)
    rows[1][header.index("Over jou/Je werk/Welk fruit eet je?/Peer")] = "misschien"
    rows[2][header.index("Later/Hoe vaak?")] = "Altijd"
    path = write_table(tmp_path / "k.csv", header, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, form)
    found = {(p.row, p.column, p.value, p.message) for p in err.value.problems}
    assert (3, "Over jou/Je werk/Welk fruit eet je?/Peer", "misschien", CHOSEN_OR_NOT) in found
    assert (4, "Later/Hoe vaak?", "Altijd", "not a choice label of item often") in found


def test_forced_wrong_layout_lists_unmatched_columns(tmp_path, form):
    path = write_table(tmp_path / "c.csv", *central_rows(form))
    with pytest.raises(DataError) as err:
        load_responses(path, form, layout="kobo-xml")
    # Central's own columns match nothing of Kobo's (its "-" paths are a group separator Kobo offers too)
    assert any(p.column == "ReviewState" and "has this name" in p.message for p in err.value.problems)
    with pytest.raises(DataError, match="unknown layout 'sas'"):
        load_responses(path, form, layout="sas")


def test_duplicate_choice_names_are_refused(tmp_path):
    from afstand.errors import InstrumentError

    text = FORM.replace("| | freq | soms | Soms |", "| | freq | soms | Soms |\n| | freq | vaak | Heel vaak |")
    text = text.replace(
        "| | form_id | version |\n| | fruitform | 3 |", "| | form_id | version | allow_choice_duplicates |\n| | fruitform | 3 | yes |"
    )
    with pytest.raises(
        InstrumentError, match=r"row \d+, column 'name' \(choice freq/vaak\).*appears twice in this list with different labels"
    ):
        load_instrument(md_form(tmp_path, text))
    # without the setting pyxform itself refuses, naming the row
    plain = FORM.replace("| | freq | soms | Soms |", "| | freq | soms | Soms |\n| | freq | vaak | Heel vaak |")
    with pytest.raises(InstrumentError, match=r"\[row : \d+\] On the 'choices' sheet, the 'name' value is invalid"):
        load_instrument(md_form(tmp_path, plain, "plain.md"))


def test_cli_names_the_layout_and_forces_one(tmp_path, form):
    form_path = md_form(tmp_path, FORM, "fruit.md")
    data = write_table(tmp_path / "c.csv", *central_rows(form))
    result = run_cli("analyze", "--instrument", str(form_path), "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["data"]["layout"] == "odk-central"
    assert out["data"]["declared_missing"] == {"age": {"999": 1}}
    assert out["items"]["age"]["n"] == 3
    assert out["items"]["fruit"]["counts"] == {"appel": 2, "rode_appel": 2, "peer": 1, "kers": 1}
    forced = run_cli("analyze", "--instrument", str(form_path), "--data", str(data), "--layout", "kobo-labels")
    assert forced.returncode == 2 and "Traceback" not in forced.stderr
    assert "has this label" in forced.stderr


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize(
    "export,layout", [("kobo-labels.xlsx", "kobo-labels"), ("kobo-xml-groups.csv", "kobo-xml"), ("odk-central.csv", "odk-central")]
)
def test_interop_exports_give_the_expected_output(study_files, study, tmp_path, name, export, layout):
    """The study's respondents as Kobo and ODK Central export them analyse to the study's expected output.
    With ../shared: the reference study's exports (interop-exports/) against its expected JSON, checked
    by the shared tool. Without: the seeded demo study written in the same layouts (tests/helpers.py
    ``tool_export``) against the analysis of its canonical CSV."""
    from tests.conftest import REFERENCE

    reference = study_files[name].parent == REFERENCE
    if reference:
        data = REFERENCE.parent / "interop-exports" / f"{name}-{export}"
    else:
        header, rows = tool_export(study_files[name], study.instrument(name), layout)
        data = write_table(tmp_path / f"{name}-{export}", header, rows, delimiter=";" if layout == "kobo-xml" else ",")
    result = run_cli("analyze", "--instrument", name, "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["data"]["layout"] == layout
    assert_reads_as_canonical(result, name, study_files, tmp_path)
