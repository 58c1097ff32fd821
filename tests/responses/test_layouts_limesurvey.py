"""LimeSurvey exports as a LimeSurvey user makes them: headings "Question code", "Full question
text", "Abbreviated question text" or "Question code & question text", answers as "Answer codes"
or "Full answers", CSV (comma or semicolon, byte-order mark, every field quoted, CRLF, the blank
line LimeSurvey ends with) or Excel, with LimeSurvey's own columns. Each is written here from
canonical answers the way LimeSurvey's export (application/helpers/admin/export: Writer,
SurveyObj::getFullAnswer, CsvWriter) writes them, and must read to the same responses."""

from __future__ import annotations

import csv
import io
import json

import pytest

from afstand.analysis.summary import analyze
from afstand.errors import DataError
from afstand.instrument.loader import load_instrument
from afstand.responses import load_responses, read_table
from afstand.responses.layout_values import CHOSEN_OR_NOT
from tests.conftest import run_cli
from tests.helpers import assert_reads_as_canonical, form_fields, md_form, write_table

FORM = """
| survey |
| | type | name | label::Nederlands (nl) | label::English (en) | consent_choice | missing | calculation |
| | select_one yn | consent | Doe je mee? | Do you take part? | ja | | |
| | begin_group | over | Over jou | About you | | | |
| | note | uitleg | Eerst iets over jou. | First about you. | | | |
| | integer | age | Leeftijd | Age | | 999 | |
| | select_one org or_other | org | Organisatie | Organisation | | | |
| | select_multiple fruit or_other | fruit | Welk fruit eet je? | Which fruit do you eat? | | | |
| | text | why_fruit | Waarom? | Why? | | | |
| | rank prio | prio | Wat is het belangrijkst? | What matters most? | | | |
| | end_group | | | | | | |
| | begin_group | stellingen | Stellingen over je werk | Statements about your work | | | |
| | select_one agree | s_contact | Het contact is goed | The contact is good | | | |
| | select_one agree | s_contact_online | Het contact is goed online | The contact is good online | | | |
| | select_one agree | s_tijd | Ik heb genoeg tijd | I have enough time | | | |
| | text | why_s | Waarom? | Why? | | | |
| | end_group | | | | | | |
| | calculate | twice | | | | | ${age} * 2 |
| choices |
| | list_name | name | label::Nederlands (nl) | label::English (en) |
| | yn | ja | Ja | Yes |
| | yn | nee | Nee | No |
| | org | 1 | Reclassering Nederland | Probation Netherlands |
| | org | 2 | Leger des Heils | Salvation Army |
| | fruit | appel | Appel | Apple |
| | fruit | rode_appel | Rode appel | Red apple |
| | fruit | peer | Peer | Pear |
| | fruit | kers | Kers | Cherry |
| | prio | rust | Rust | Quiet |
| | prio | tijd | Tijd | Time |
| | prio | contact | Contact met collega's | Contact with colleagues |
| | agree | oneens | Oneens | Disagree |
| | agree | neutraal | Neutraal | Neutral |
| | agree | eens | Eens | Agree |
| settings |
| | form_id | version | default_language |
| | limeform | 1 | Nederlands (nl) |
"""

_EMPTY = dict.fromkeys(["org_other", "fruit_other", "why_fruit", "prio", "s_contact", "s_contact_online", "s_tijd", "why_s"], "")
ANSWERS = [
    {**_EMPTY, "consent": "ja", "age": "34", "org": "1", "fruit": "appel peer", "why_fruit": "lekker, gezond", "prio": "tijd contact rust", "s_contact": "eens",
     "s_contact_online": "oneens", "s_tijd": "neutraal", "why_s": "druk", "twice": "68"},
    {**_EMPTY, "consent": "ja", "age": "999", "org": "other", "org_other": "Eigen bureau", "fruit": "rode_appel other",
     "fruit_other": "Mango", "s_contact": "oneens", "s_contact_online": "oneens", "twice": "1998"},
    {**_EMPTY, "consent": "ja", "age": "51", "org": "", "fruit": "kers rode_appel appel", "why_fruit": 'zo "zoet"', "prio": "contact rust tijd",
     "s_contact": "neutraal", "s_contact_online": "eens", "s_tijd": "eens", "twice": "102"},
    {**_EMPTY, "consent": "nee", "age": "", "org": "", "fruit": "", "twice": ""},
    {**_EMPTY, "consent": "ja", "age": "40", "org": "2", "fruit": "", "s_tijd": "oneens", "why_s": "x", "twice": "80"},
]  # fmt: skip


@pytest.fixture
def form(tmp_path):
    return load_instrument(md_form(tmp_path, FORM))


# ---------------------------------------------------------------------------------------------
# LimeSurvey's export, written from canonical answers


def _cut(text: str, length: int | None) -> str:
    """LimeSurvey's abbreviated heading text: the first ``length`` characters and ``.. ``."""
    return text if length is None or len(text) <= length else text[:length] + ".. "


def _columns(instrument, language):
    """The survey as a researcher ports the form to LimeSurvey: each question its own code and
    text; consecutive select_one questions of a group on one list as the rows of an array whose
    code and text are the group's; a select_multiple as a multiple choice with "Other" for or_other."""
    fields = [f for f in form_fields(instrument) if f.name in instrument.items and not f.name.endswith("_other")]
    out = []  # (code, question text, subquestion text or None, item, choice or None)
    for i, element in enumerate(fields):
        item = instrument.items[element.name]
        group = instrument.group(item.group) if item.group else None
        same = [f for f in fields[max(i - 1, 0) : i + 2] if f is not element]
        in_array = (
            group is not None
            and item.type == "select_one"
            and any(
                instrument.items[f.name].group == item.group
                and instrument.items[f.name].type == "select_one"
                and instrument.items[f.name].choice_list.name == item.choice_list.name
                for f in same
            )
        )
        text = item.label(language)
        if in_array:
            out.append((f"{group.name}[{item.name}]", group.label(language), text, item, None))
        elif item.type == "select_multiple":
            for choice in item.choice_list.choices:
                sub = "Other" if choice.name == "other" else choice.label(language)
                out.append((f"{item.name}[{choice.name}]", text, sub, item, choice.name))
        elif item.type == "rank":  # a ranking: the choice at each rank
            out += [(f"{item.name}[{n}]", text, f"Rank {n}", item, n) for n in range(1, len(item.choice_list.choices) + 1)]
        else:
            out.append((item.name, text, None, item, None))
            if item.type == "select_one" and item.choice_list.get("other") is not None:
                out.append((f"{item.name}[other]", text, "Other", item, "text"))
    return out


META = [  # code, English heading, value
    ("id", "Response ID", None),
    ("submitdate", "Date submitted", "2024-03-01 10:12:00"),
    ("lastpage", "Last page", "3"),
    ("startlanguage", "Start language", "nl"),
    ("seed", "Seed", "123456789"),
    ("token", "Access code", "tk{}"),
    ("startdate", "Date started", "2024-03-01 10:00:00"),
    ("datestamp", "Date last action", "2024-03-01 10:12:00"),
    ("ipaddr", "IP address", "192.0.2.{}"),
    ("refurl", "Referrer URL", "https://example.org/?r={}"),
]


def lime_export(instrument, rows, *, heading="full", answers="texts", language=None, separator=". ", length=15, underscores=False):
    """``rows`` (canonical answers: item name → value, select_multiple as names) as LimeSurvey
    exports them: (header, rows)."""
    language = language or instrument.default_language
    columns = _columns(instrument, language)

    def title(code, question, sub):  # Writer::getHeadingText and viewHelper::getFieldText
        cut = length if heading == "abbreviated" else None
        text = _cut(question, cut) + (" [" + _cut(sub, cut) + "]" if sub is not None else "")
        text = text.replace(" ", "_") if underscores else text
        return code if heading == "code" else code + separator + text if heading == "codetext" else text

    header = [title(code, english, None) for code, english, _ in META]
    header += [title(code, question, sub) for code, question, sub, _, _ in columns]
    out = []
    for number, answer in enumerate(rows, start=1):
        cells = [str(number) if value is None else value.format(number) for _, _, value in META]
        consented = answer.get(instrument.consent_item) == instrument.consent_choice
        for _, _, _, item, choice in columns:
            value = answer.get(item.name, "")
            if item.type == "select_multiple":
                chosen = value.split()
                if choice == "other" and "other" in chosen:
                    cells.append(answer.get(f"{item.name}_other", ""))  # q[other]: the text typed
                elif choice == "other":
                    cells.append("")
                elif answers == "codes":
                    cells.append("Y" if choice in chosen else "")
                else:  # SurveyObj::getFullAnswer: Y → Yes, '' → No, NULL (not shown) → N/A
                    cells.append("Yes" if choice in chosen else "No" if consented else "N/A")
            elif item.type == "rank":
                ranked = value.split()[choice - 1 : choice]
                cells.append("".join(r if answers == "codes" else item.choice_list.get(r).label(language) for r in ranked))
            elif choice == "text":
                cells.append(answer.get(f"{item.name}_other", ""))
            elif item.type == "select_one" and value:
                if value == "other":
                    cells.append("-oth-" if answers == "codes" else "Other")
                else:
                    cells.append(value if answers == "codes" else item.choice_list.get(value).label(language))
            else:
                cells.append(value)
        out.append(cells)
    return header, out


def lime_csv(path, header, rows, separator=","):
    """CsvWriter: a byte-order mark, every field quoted, CRLF, a blank line at the end."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(b"\xef\xbb\xbf" + (buffer.getvalue() + "\r\n").encode("utf-8"))
    return path


def canonical_rows(instrument, answers):
    header = ["response_id", "instrument_version", "submission_date"] + list(instrument.items)
    return header, [
        [f"r{i}", instrument.version_id, "2024-03-01"] + [a.get(n, "") for n in instrument.items] for i, a in enumerate(answers)
    ]


def _analysis(path, instrument, **options):
    result = analyze(load_responses(path, instrument, **options), name="limeform")
    return {k: v for k, v in result.items() if k != "data"}, result["data"]


@pytest.fixture
def canonical(tmp_path, form):
    path = write_table(tmp_path / "canonical.csv", *canonical_rows(form, ANSWERS))
    return _analysis(path, form)[0]


CASES = {  # heading, answers, file, separator, language
    "codes, answer codes, csv": ("code", "codes", "csv", ",", None),
    "full text, full answers, xlsx (LimeSurvey's defaults)": ("full", "texts", "xlsx", None, None),
    "full text, full answers, semicolon csv": ("full", "texts", "csv", ";", None),
    "full text, answer codes": ("full", "codes", "csv", ",", None),
    "codes, full answers": ("code", "texts", "csv", ";", None),
    "abbreviated text, full answers": ("abbreviated", "texts", "xlsx", None, None),
    "abbreviated text, answer codes": ("abbreviated", "codes", "csv", ",", None),
    "code and text, full answers": ("codetext", "texts", "csv", ",", None),
    "code and text, answer codes, xlsx": ("codetext", "codes", "xlsx", None, None),
    "full text in English, full answers": ("full", "texts", "xlsx", None, "English (en)"),
    "code and English text, full answers": ("codetext", "texts", "csv", ";", "English (en)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_limesurvey_export_reads_to_the_canonical_analysis(tmp_path, form, canonical, case):
    heading, answers, kind, separator, language = CASES[case]
    header, rows = lime_export(form, ANSWERS, heading=heading, answers=answers, language=language)
    path = tmp_path / f"results-survey123456.{kind}"
    if kind == "csv":
        lime_csv(path, header, rows, separator)
    else:
        write_table(path, header, rows, sheet="Werken op afstand")
    expected_layout = "limesurvey" if answers == "codes" else "limesurvey-labels"
    got, data = _analysis(path, form)
    assert data["problems"] == [] and data["layout"] == expected_layout
    assert got == canonical
    # forcing the detected layout reads the same
    assert _analysis(path, form, layout=expected_layout)[0] == canonical


@pytest.mark.parametrize("options", [{"underscores": True}, {"separator": " - "}, {"separator": ": ", "underscores": True}])
def test_heading_options_spaces_to_underscores_and_a_typed_separator(tmp_path, form, canonical, options):
    heading = "codetext" if "separator" in options else "full"
    header, rows = lime_export(form, ANSWERS, heading=heading, **options)
    got, data = _analysis(write_table(tmp_path / "r.xlsx", header, rows), form)
    assert data["problems"] == [] and data["layout"] == "limesurvey-labels"
    assert got == canonical


def test_abbreviated_to_another_length(tmp_path, form, canonical):
    header, rows = lime_export(form, ANSWERS, heading="abbreviated", length=8)
    assert "Het cont.. " in header[-4]  # two statements begin alike: read in the order LimeSurvey writes them
    got, data = _analysis(write_table(tmp_path / "r.xlsx", header, rows), form)
    assert data["problems"] == [] and got == canonical


def test_limesurveys_own_columns_never_read_ip_token_or_times(tmp_path, form):
    for heading in ("code", "full", "codetext"):
        header, rows = lime_export(form, ANSWERS, heading=heading)
        raw = read_table(write_table(tmp_path / f"{heading}.xlsx", header, rows), form)
        assert raw.layout == "limesurvey-labels"
        assert [header.index(h) for h in raw.dropped] == [1, 5, 6, 7, 8, 9]  # submitdate, token, startdate, datestamp, ipaddr, refurl
        assert [header.index(h) for h in raw.metadata] == [0, 2, 3, 4]  # id, lastpage, startlanguage, seed
        assert raw.columns["response_id"].to_pylist() == [str(i) for i in range(1, len(ANSWERS) + 1)]
        kept = [c.to_pylist() for c in [*raw.columns.values(), *raw.metadata.values()]]
        assert not any(v and ("192.0.2" in v or v.startswith("tk") or "2024-03-01 10" in v) for column in kept for v in column)


def test_other_text_and_not_shown_options(tmp_path, form):
    header, rows = lime_export(form, ANSWERS, heading="code", answers="texts")
    assert rows[3][header.index("fruit[appel]")] == "N/A" and rows[4][header.index("fruit[appel]")] == "No"
    responses = load_responses(lime_csv(tmp_path / "r.csv", header, rows), form)
    other = list(form.items["fruit"].choice_list.names).index("other")
    assert responses.multi["fruit"].matrix[:, other].tolist() == [False, True, False, False]  # the consenting rows
    assert responses.texts["fruit_other"].to_pylist()[1] == "Mango"  # from fruit[other]
    assert responses.texts["org_other"].to_pylist()[1] == "Eigen bureau"
    assert responses.single["org"].tolist()[1] == list(form.items["org"].choice_list.names).index("other")


def test_comment_columns_are_listed_not_read(tmp_path, form):
    header, rows = lime_export(form, ANSWERS, heading="code", answers="codes")
    header, rows = header + ["org[comment]", "fruit[peercomment]"], [r + ["tekst", ""] for r in rows]
    raw = read_table(lime_csv(tmp_path / "r.csv", header, rows), form)
    assert raw.problems == [] and raw.unused == ["org[comment]", "fruit[peercomment]"]


def test_unknown_answer_text_names_file_row_column_and_value(tmp_path, form):
    header, rows = lime_export(form, ANSWERS, heading="full", answers="texts")
    rows[2][header.index("Stellingen over je werk [Ik heb genoeg tijd]")] = "Helemaal eens"
    rows[1][header.index("Welk fruit eet je? [Peer]")] = "Misschien"
    path = lime_csv(tmp_path / "export.csv", header, rows, ";")
    with pytest.raises(DataError) as err:
        load_responses(path, form)
    found = {(p.file, p.row, p.column, p.value, p.message) for p in err.value.problems}
    assert (str(path), 4, "Stellingen over je werk [Ik heb genoeg tijd]", "Helemaal eens", "not a choice label of item s_tijd") in found
    assert (str(path), 3, "Welk fruit eet je? [Peer]", "Misschien", CHOSEN_OR_NOT) in found
    # an answer code that is no choice of the question, in an export with answer codes
    header, rows = lime_export(form, ANSWERS, heading="code", answers="codes")
    rows[0][header.index("stellingen[s_contact]")] = "A5"
    with pytest.raises(DataError) as err:
        load_responses(lime_csv(tmp_path / "codes.csv", header, rows), form)
    assert any((p.row, p.column, p.value) == (2, "stellingen[s_contact]", "A5") for p in err.value.problems)


def test_a_heading_in_another_language_names_the_column(tmp_path, form):
    header, rows = lime_export(form, ANSWERS, heading="full")
    header[header.index("Date submitted")] = "Datum verstuurd"  # LimeSurvey's own heading in another export language
    with pytest.raises(DataError) as err:
        load_responses(write_table(tmp_path / "r.xlsx", header, rows), form)
    problem = err.value.problems[0]
    assert problem.column == "B (Datum verstuurd)" and "Question code & question text" in problem.message


def test_answers_that_read_as_codes_and_as_texts_with_other_meanings_are_refused(tmp_path):
    # choice "a" is labelled "b" and "b" is labelled "a": the file cannot say which it holds
    text = FORM.replace("| | agree | oneens | Oneens | Disagree |", "| | agree | a | b | b |\n| | agree | b | a | a |")
    twisted = load_instrument(md_form(tmp_path, text))
    answers = [{**a, "s_contact": "a" if a["s_contact"] else "", "s_contact_online": "b" if a["s_contact_online"] else ""} for a in ANSWERS]
    answers = [{**a, "s_tijd": "", "org": "" if a["org"] == "other" else a["org"], "org_other": ""} for a in answers]  # "-oth-" says codes
    header, rows = lime_export(twisted, answers, heading="code", answers="codes")
    path = lime_csv(tmp_path / "r.csv", header, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, twisted)
    assert "--layout limesurvey (codes) or --layout limesurvey-labels (texts)" in err.value.problems[0].message
    assert err.value.problems[0].column == "stellingen[s_contact]"
    codes = load_responses(path, twisted, layout="limesurvey")
    texts = load_responses(path, twisted, layout="limesurvey-labels")
    assert codes.single["s_contact"][0] != texts.single["s_contact"][0]


def test_questions_only_by_code_with_full_answers_are_refused_unless_forced(tmp_path, form, canonical):
    """LimeSurvey's own columns left out and only plain questions: the headers are the form's names,
    read as afstand's layout, which refuses the answer texts naming them; --layout reads them."""
    header, rows = lime_export(form, ANSWERS, heading="code", answers="texts")
    keep = [i for i, h in enumerate(header) if h in form.items]
    header, rows = [header[i] for i in keep], [[row[i] for i in keep] for row in rows]
    path = lime_csv(tmp_path / "questions.csv", header, rows)
    with pytest.raises(DataError) as err:
        load_responses(path, form)
    assert (err.value.problems[0].column, err.value.problems[0].value) == ("consent", "Ja")
    got, data = _analysis(path, form, layout="limesurvey-labels")
    assert data["problems"] == [] and set(data["not_asked"]) == set(form.items) - set(header)  # no column: never counted as answered
    assert got["n_consented"] == canonical["n_consented"]
    for name in ("age", "org", "why_fruit", "why_s", "twice"):
        assert got["items"][name] == canonical["items"][name], name


def test_the_canonical_csv_is_still_read_as_afstand_first(tmp_path, form):
    raw = read_table(write_table(tmp_path / "c.csv", *canonical_rows(form, ANSWERS)), form)
    assert raw.layout == "afstand"


def test_cli_reads_limesurvey_and_refuses_bad_answers_with_exit_2(tmp_path, form):
    form_path = md_form(tmp_path, FORM, "limeform.md")
    header, rows = lime_export(form, ANSWERS, heading="full", answers="texts")
    data = write_table(tmp_path / "results-survey1.xlsx", header, rows)
    result = run_cli("analyze", "--instrument", str(form_path), "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["data"]["layout"] == "limesurvey-labels"
    assert out["items"]["fruit"]["counts"] == {"appel": 2, "rode_appel": 2, "peer": 1, "kers": 1, "other": 1}
    rows[4][header.index("Organisatie")] = "Onbekend bureau"
    bad = write_table(tmp_path / "bad.xlsx", header, rows)
    result = run_cli("analyze", "--instrument", str(form_path), "--data", str(bad), "--layout", "limesurvey-labels")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bad.xlsx" in result.stderr and "Onbekend bureau" in result.stderr and "Organisatie" in result.stderr


@pytest.mark.parametrize("name", ["werkers", "clienten"])
@pytest.mark.parametrize("heading,answers,kind", [("full", "texts", "xlsx"), ("code", "codes", "csv")])
def test_the_study_as_limesurvey_exports_it_gives_the_expected_output(study_files, study, tmp_path, name, heading, answers, kind):
    """The study's respondents as LimeSurvey exports them analyse to the study's expected output:
    with ../shared the reference study against its expected JSON (the shared checker), without it
    the seeded demo study against the analysis of its canonical CSV."""
    instrument = study.instrument(name)
    with study_files[name].open(encoding="utf-8", newline="") as handle:
        answers_in = list(csv.DictReader(handle))
    header, rows = lime_export(instrument, answers_in, heading=heading, answers=answers)
    data = tmp_path / f"results-survey-{name}.{kind}"
    lime_csv(data, header, rows, ";") if kind == "csv" else write_table(data, header, rows)
    result = run_cli("analyze", "--instrument", name, "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["data"]["layout"] == ("limesurvey" if answers == "codes" else "limesurvey-labels")
    assert_reads_as_canonical(result, name, study_files, tmp_path)


@pytest.mark.parametrize("heading", ["code", "full", "codetext"])
def test_unfinished_responses_are_left_out_with_a_note(tmp_path, form, canonical, heading):
    """LimeSurvey exports unfinished responses too ("Completion state: all"): "Date submitted"
    empty. They were never sent: left out, and the note says how many and which rows."""
    header, rows = lime_export(form, ANSWERS, heading=heading, answers="codes")
    unfinished = lime_export(
        form, [{**_EMPTY, "consent": "ja", "age": "22", "org": "1", "fruit": "", "twice": ""}] * 2, heading=heading, answers="codes"
    )[1]
    at = header.index(header[1])  # "submitdate" in any heading style: the second of LimeSurvey's own columns
    for cells in unfinished:
        cells[at] = ""
    mixed = rows[:2] + unfinished[:1] + rows[2:] + unfinished[1:]
    path = lime_csv(tmp_path / f"unfinished-{heading}.csv", header, mixed)
    result, data = _analysis(path, form)
    assert result == canonical
    assert data["notes"] == ["2 unfinished responses were left out (no date submitted: never sent): rows 4, 8"]
    finished = lime_csv(tmp_path / f"finished-{heading}.csv", header, rows)
    assert _analysis(finished, form)[1]["notes"] == []
