"""Coded answers (JSONL) through the CLI: one reader, one clear line per bad input, exit 2;
a KeyError inside a command is a bug and is not dressed up as bad input."""

from __future__ import annotations

import pytest

from afstand.cli import main
from tests.conftest import run_cli


@pytest.fixture
def data(tmp_path):
    for name, item in (("werkers", "w_gender"), ("clienten", "c_gender")):
        (tmp_path / f"{name}.csv").write_text(f"response_id,consent,{item}\n1,ja,vrouw\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "content, expected",
    [
        ("5\n", "row 1: a line must be a JSON object (value '5')"),
        ('{"id": "a", "question": "W1", "text": "x", "codes": []}\n{"id": 1}\n', "row 2, column 'id': 'id' must be a string"),
        ('{"id": "a", "question": "W1", "text": "x", "codes": "motivatie"}\n', "row 1, column 'codes': 'codes' must be a list of code ids"),
        ("{nope\n", "row 1: not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_report_refuses_bad_codings_with_file_and_line(data, content, expected):
    codings = data / "coded.jsonl"
    codings.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = run_cli(
        "report",
        "--data",
        f"werkers={data / 'werkers.csv'}",
        "--data",
        f"clienten={data / 'clienten.csv'}",
        "--codings",
        str(codings),
        "--out",
        str(data / "out"),
        "--format",
        "html",
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"afstand: error: {codings}") and expected in lines[0], lines
    assert not (data / "out").exists()


def test_a_byte_order_mark_is_read_by_every_command(tmp_path, study):
    """The same file with a BOM: accepted by the report's reader and by afstand code alike (one reader)."""
    codebook = study.path("codebooks", "clienttypen.csv")
    line = '{"id": "a1", "question": "W1", "text": "Jonge cliënten", "codes": []}\n'
    plain, bom = tmp_path / "plain.jsonl", tmp_path / "bom.jsonl"
    plain.write_text(line, encoding="utf-8")
    bom.write_bytes(b"\xef\xbb\xbf" + line.encode("utf-8"))
    for path in (plain, bom):
        result = run_cli("code", "suggest", "--codebook", str(codebook), "--train", str(path), "--answers", str(path), "--json")
        assert result.returncode == 0, result.stderr

    from afstand.coding.answers import read_answers
    from afstand.report.themes import load_codings

    assert read_answers(bom) == read_answers(plain) == load_codings(bom)


def test_a_key_error_is_a_bug_not_bad_input(tmp_path, monkeypatch, capsys):
    import afstand.analysis.summary

    def broken(*args, **kwargs):
        raise KeyError("w_gender")

    monkeypatch.setattr(afstand.analysis.summary, "analyze", broken)
    data = tmp_path / "w.csv"
    data.write_text("response_id,consent\n1,ja\n", encoding="utf-8")
    with pytest.raises(KeyError):
        main(["analyze", "--instrument", "werkers", "--data", str(data), "--json"])
    assert "afstand: error" not in capsys.readouterr().err


# -- coded answers checked against the codebook; too few answers; empty files (review rev12) -------

GOOD = '{"id": "r1", "question": "W1", "text": "Cliënten met een laag risico en werk", "codes": ["laag_risico"]}\n'
UNKNOWN_CODE = GOOD + '{"id": "r3", "question": "W1", "text": "Gemotiveerde cliënten", "codes": ["nope"]}\n'
UNKNOWN_QUESTION = GOOD + '{"id": "z1", "question": "ZZ", "text": "iets", "codes": []}\n'


def _one_error_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip("\n").splitlines()
    assert len(lines) == 1 and not result.stderr.startswith("\n"), result.stderr
    assert lines[0].startswith("afstand: error: "), lines
    return lines[0].removeprefix("afstand: error: ")


def _report(data, codings, *extra):
    return run_cli(
        "report",
        "--data",
        f"werkers={data['werkers']}",
        "--data",
        f"clienten={data['clienten']}",
        "--codings",
        str(codings),
        "--out",
        str(codings.parent / "out"),
        "--ledger",
        str(codings.parent / "ledger.json"),
        "--format",
        "html",
        "--figures",
        "none",
        *extra,
    )


def test_evaluate_with_fewer_answers_than_folds_names_file_and_question(tmp_path, study):
    answers = tmp_path / "coded.jsonl"
    answers.write_text(GOOD, encoding="utf-8")
    codebook = study.path("codebooks", "clienttypen.csv")
    result = run_cli("code", "evaluate", "--codebook", str(codebook), "--answers", str(answers), "--folds", "2")
    assert _one_error_line(result) == f"{answers}: question W1 has 1 coded answer; --folds 2 needs at least 2"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        (UNKNOWN_CODE, "row 2, column 'codes': code is not in the codebook of question W1 (value 'nope')"),
        (UNKNOWN_QUESTION, "row 2, column 'question': question is not in the codebook (its questions: W1, W2) (value 'ZZ')"),
        ("", "no coded answers"),
    ],
)
@pytest.mark.parametrize("command", ["evaluate", "agreement"])
def test_code_commands_refuse_unknown_questions_codes_and_empty_files(tmp_path, study, content, expected, command):
    answers = tmp_path / "coded.jsonl"
    answers.write_text(content, encoding="utf-8")
    codebook = study.path("codebooks", "clienttypen.csv")
    given = ["--answers", str(answers)] if command == "evaluate" else ["--coding", f"a={answers}"]
    result = run_cli("code", command, "--codebook", str(codebook), *given)
    line = _one_error_line(result)
    assert line.startswith(f"{answers}") and expected in line, line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "content, expected",
    [
        (UNKNOWN_CODE, "row 2, column 'codes': code is not in the codebook of question W1 (value 'nope')"),
        (UNKNOWN_QUESTION, "row 2, column 'question': question is not in the codebook"),
    ],
)
def test_report_refuses_codings_outside_the_codebook_with_file_and_line(data, content, expected):
    codings = data / "coded.jsonl"
    codings.write_text(content, encoding="utf-8")
    line = _one_error_line(_report({"werkers": data / "werkers.csv", "clienten": data / "clienten.csv"}, codings))
    assert line.startswith(f"{codings}, ") and expected in line, line
    assert not (data / "out").exists()


def test_report_with_an_empty_codings_file_says_it_has_no_themes(tmp_path, demo_data):
    codings = tmp_path / "coded.jsonl"
    codings.write_text("", encoding="utf-8")
    result = _report(demo_data, codings)
    assert result.returncode == 0, result.stderr
    assert f"note: {codings} has no coded answers: the report is built without the themes" in result.stderr
    assert (tmp_path / "out" / "rapport.html").is_file()
