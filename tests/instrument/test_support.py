"""The support matrix: declared in code, applied per question, documented from the table."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from afstand.errors import AfstandError, InstrumentError
from afstand.instrument import support
from afstand.instrument.loader import check_instrument, load_instrument
from tests.conftest import ROOT, run_cli
from tests.helpers import EACH_FORM, FUZZ, md_form

CORPUS = ROOT.parent / "shared" / "xlsform-corpus"


def test_docs_are_generated_from_the_matrix():
    documented = (ROOT / "docs" / "xlsform.md").read_text(encoding="utf-8")
    assert documented == support.render_markdown(), "run: python -m afstand.instrument.support > docs/xlsform.md"


def test_every_type_pyxform_knows_is_declared():
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    undeclared = [t for t in QUESTION_TYPE_DICT if support.lookup("type", t).note == "not a feature afstand knows"]
    assert undeclared == []


def test_functions_marked_web_are_the_ones_the_evaluator_implements():
    from afstand.instrument.xpath_functions import FUNCTIONS

    web = {f.name for f in support.MATRIX if f.kind == "function" and f.status == support.WEB}
    assert web == set(FUNCTIONS) | {"if"}  # if() is parsed by the evaluator itself (it evaluates one branch)


def test_each_name_is_declared_once():
    seen = set()
    for feature in support.MATRIX:
        for spelling in (feature.name,) + feature.aliases:
            key = (feature.kind, spelling.lower())
            assert key not in seen, key
            seen.add(key)
        assert feature.status in support.STATUSES


FORM = """
| survey |
| | type | name | label | relevant | calculation | choice_filter |
| | select_one yn | consent | Doe je mee? | | | |
| | begin_group | g | Vragen | ${consent} = 'ja' | | |
| | integer | age | Leeftijd | | | |
| | date | born | Geboren | | | |
| | geopoint | spot | Waar | | | |
| | text | why | Waarom ${age}? | regex(${age}, '[0-9]+') | | |
| | select_one yn | again | Nog eens? | | | name != 'x' |
| | calculate | twice | | | ${age} * 2 | |
| | end_group | | | | | |
| choices |
| | list_name | name | label |
| | yn | ja | Ja |
| | yn | nee | Nee |
"""


def test_questions_get_the_worst_status_of_their_features(tmp_path):
    report = check_instrument(md_form(tmp_path, FORM))
    by_name = {q.name: q for q in report.questions}
    assert report.status == support.ANALYSIS and report.accepted
    assert by_name["age"].status == support.WEB
    assert by_name["g"].status == support.WEB
    assert by_name["born"].status == support.WEB  # the form engine collects dates
    assert by_name["spot"].status == support.ANALYSIS  # GPS is read from exports only
    why = {f.name: f.status for f in by_name["why"].features}
    assert why["regex"] == support.WEB and why["${name} in a label or hint"] == support.WEB
    assert {f.name for f in by_name["again"].features} >= {"choice_filter"} and by_name["again"].status == support.WEB
    assert by_name["twice"].path == "g/twice" and by_name["twice"].status == support.WEB  # computed on the server
    # an accepted form loads
    assert set(load_instrument(md_form(tmp_path, FORM)).items) == {"consent", "age", "born", "spot", "why", "again", "twice"}


def test_refused_form_lists_every_refused_feature(tmp_path):
    text = FORM.replace(
        "| | calculate | twice |", "| | select_multiple_from_file kids.csv | kids | Kinderen | | | |\n| | calculate | twice |"
    )
    text = text.replace("| | date | born |", "| | select_one_from_file towns.csv | town | Plaats | | | |\n| | date | born |")
    path = md_form(tmp_path, text)
    report = check_instrument(path)
    assert report.status == support.REFUSED
    refusals = report.refusals()
    survey = [line for line in path.read_text().splitlines() if line.startswith("| | ")]  # its rows, the column names first
    row_of = {line.split("|")[3].strip(): number for number, line in enumerate(survey, start=1) if line.split("|")[3].strip()}
    assert any(
        line.startswith(
            f"sheet survey, row {row_of['kids']}, column 'type', value 'select_multiple_from_file kids.csv': "
            "question g/kids (select_multiple_from_file): "
            "type 'select_multiple_from_file' is not supported"
        )
        for line in refusals
    )
    town = f"sheet survey, row {row_of['town']}, column 'type', value 'select_one_from_file towns.csv': question g/town"
    assert any(line.startswith(town) for line in refusals)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path)
    for line in refusals:
        assert line in str(err.value)
    result = run_cli("instrument", "check", str(path), "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "refused" and out["refused"] == refusals
    show = run_cli("instrument", "show", str(path))
    assert show.returncode == 2 and show.stderr.startswith("afstand: error: ") and "select_one_from_file" in show.stderr


def test_broken_form_is_refused_with_pyxforms_message(tmp_path):
    path = md_form(tmp_path, "| survey |\n| | type | name | label |\n| | begin_group | g | G |\n")
    report = check_instrument(path)
    assert report.status == support.REFUSED and report.errors and str(path) in report.errors[0]
    result = run_cli("instrument", "check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", list(EACH_FORM))
def test_corpus_form_is_accepted_or_refused_with_its_list(name):
    """Every form of ../shared/xlsform-corpus; without it, every XLSForm of the study folders."""
    path = EACH_FORM[name]
    report = check_instrument(path)
    assert report.status in support.STATUSES
    if report.accepted:
        instrument = load_instrument(path)
        assert report.refusals() == []
        # every question afstand keeps is in the report
        reported = {q.name for q in report.questions}
        assert {key.rsplit("/", 1)[-1] for key in instrument.items} <= reported
    else:
        assert report.refusals()
        with pytest.raises(InstrumentError) as err:
            load_instrument(path)
        assert all(line in str(err.value) for line in report.refusals() if not line.startswith(str(path)))


def test_corpus_through_the_cli(reference):
    for name in ("tutorial.xls", "widgets.xls", "choice_filter_test.xlsx", "yes_or_no_question.xlsx"):
        result = run_cli("instrument", "check", str(CORPUS / name), "--json")
        assert "Traceback" not in result.stderr
        out = json.loads(result.stdout)
        assert result.returncode == (2 if out["status"] == "refused" else 0), name


# ---------------------------------------------------------------------------------------------
# any generated form: a report or a clear error, never another exception

TYPES = sorted({f.name for f in support.MATRIX if f.kind == "type"} - {"begin_group", "begin_repeat", "begin_loop"})
type_cells = st.one_of(
    st.sampled_from([t if not t.startswith("select") else f"{t} yn" for t in TYPES]),
    st.sampled_from(
        [
            "begin_group",
            "end_group",
            "begin_repeat",
            "end_repeat",
            "begin_loop over yn",
            "end_loop",
            "select_one yn or_other",
            "select_multiple nolist",
            "rank yn",
            "nonsense",
        ]
    ),
)
exprs = st.sampled_from(
    [
        "",
        "${a} = 'ja'",
        "regex(., '[0-9]')",
        "today() > .",
        "../a = 1",
        "if(${a}, 1, 2)",
        "pulldata('x', 'y', 'z', 'w')",
        "unknownfn(1)",
        "((",
        "${nope}",
        "count-selected(.) > 1",
    ]
)
cells = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).map(lambda s: s.replace("|", "/"))
names = st.one_of(st.sampled_from(["a", "b", "c", "state", "g"]), st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), cells)
settings_rows = st.sampled_from(
    [
        "",
        "| settings |\n| | allow_choice_duplicates |\n| | yes |\n",
        "| settings |\n| | style | public_key |\n| | pages | abc |\n",
        "| settings |\n| | form_id | version |\n| | f | 1 |\n",
    ]
)


@FUZZ
@given(st.lists(st.tuples(type_cells, names, cells, exprs, exprs, exprs, st.sampled_from(["", "999", "x y"])), max_size=8), settings_rows)
@example([("begin_repeat", "r", "R", "", "", "", ""), ("text", "a", "A", "", "", "", "")], "")  # a repeat never closed
@example([("calculate", "c", "", "", "", "", "")], "")  # calculate without a calculation
@example([("select_one yn", "a", "A", "", "", "", ""), ("integer", "b", "${a}", "../a = 'ja'", "", "", "999")], "")
def test_generated_forms_never_crash(tmp_path_factory, rows, settings):
    lines = ["| survey |", "| | type | name | label | relevant | calculation | choice_filter | missing |"]
    lines += [f"| | {t} | {n} | {label} | {rel} | {calc} | {cf} | {miss} |" for t, n, label, rel, calc, cf, miss in rows]
    lines += ["| choices |", "| | list_name | name | label |", "| | yn | ja | Ja |", "| | yn | nee | Nee |"]
    data = ("\n".join(lines) + "\n" + settings).encode("utf-8")
    report = check_instrument(data, name="generated.md")
    assert report.status in support.STATUSES
    try:
        load_instrument(data, name="generated.md")
        loaded = True
    except AfstandError as err:
        assert "generated.md" in str(err)
        loaded = False
    # check and load agree: accepted exactly when the form loads
    assert loaded == report.accepted, report.refusals()
    json.dumps(report.as_dict())
