"""Codebooks and coded answers: reading, checking, writing; the study's shipped codebooks."""

from __future__ import annotations

import io

import pytest

from afstand.coding.answers import project_from_answers, read_answers, write_answers
from afstand.coding.codebook import read_codebook, write_codebook
from afstand.coding.project import Coding
from afstand.errors import DataError


def test_study_codebooks_cover_the_report_themes(study):
    book = study.codebook()
    assert set(book.questions()) >= {"W1", "W2", "F1", "F2", "S1", "B1", "B2", "B3", "R1", "FG"}
    assert set(study.coding_questions()) == {"W1", "W2", "F1", "F2", "S1", "B1", "B2", "B3", "R1"}
    assert all(c.colour.startswith("#") for c in book.codes)


def test_study_codebook_matches_the_reference_codebook(reference, study):
    shared = read_codebook(reference / "codebook.csv")
    ours = study.codebook()
    for code in shared.codes:
        mine = ours.get(code.question, code.id)
        assert mine is not None and mine.label == code.label and mine.description == code.description


def test_examples_and_keywords_are_read_from_their_columns(study):
    code = study.codebook().get("W2", "geen_middelen")
    assert "beltegoed" in code.keywords and "geen telefoon" in code.keywords
    assert len(code.examples) == 2 and code.examples[1].startswith("Cliënten in klinieken")  # report 5.7.2, two passages
    book = read_codebook(io.StringIO("question,code,label_nl,examples_nl\nQ,a,A, een | | twee \n"), name="t")
    assert book.codes[0].examples == ("een", "twee") and book.codes[0].keywords == ()


def test_bad_codebook_names_row_column_value(tmp_path):
    path = tmp_path / "book.csv"
    path.write_text("question,code,label_nl,colour,parent\nQ,a,A,#12345,\nQ,a,A again,,\nQ,b,B,,zz\nQ,c d,C,,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_codebook(path)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "row 2, column 'colour'" in text and "'#12345'" in text
    assert "row 3, column 'code': duplicate code" in text
    assert "row 4, column 'parent'" in text and "row 5, column 'code'" in text


def test_codebook_round_trips_through_csv(study):
    book = study.codebook()
    out = io.StringIO()
    write_codebook(book, out)
    again = read_codebook(io.StringIO(out.getvalue()), name=book.name)
    assert again.codes == book.codes


def test_answers_jsonl_round_trip_and_errors(open_answers, study, tmp_path):
    rows = read_answers(open_answers)
    lines = [line for line in open_answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == len(lines) > 0  # 440 in the reference study
    project = project_from_answers(rows, study.codebook(), "coder-a")
    out = io.StringIO()
    assert write_answers(project, out) == len(rows)
    path = tmp_path / "again.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    again = read_answers(path)
    assert [(r["id"], sorted(r["codes"])) for r in again] == [(r["id"], sorted(r["codes"])) for r in rows]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "W1", "text": "x", "codes": ["nope"]}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match="row 2: not valid JSON"):
        read_answers(bad)
    bad.write_text('{"id": "1", "question": "W1", "text": "x", "codes": ["nope"]}\n', encoding="utf-8")
    with pytest.raises(DataError, match="code is not in the codebook of question W1"):
        project_from_answers(read_answers(bad), study.codebook(), "c")


def test_offsets_are_code_points_half_open(study):
    from afstand.coding.project import Project, Source

    project = Project("p", study.codebook())
    text = "Cliënten 👍 met angst"
    project.add_source(Source("s", "W1", text))
    coding = Coding("s", 11, 20, "psychopathologie", "a")
    project.add_coding(coding)
    assert project.text_of(coding) == "met angst"
    with pytest.raises(DataError, match="outside the text"):
        project.add_coding(Coding("s", 5, len(text) + 1, "psychopathologie", "a"))
