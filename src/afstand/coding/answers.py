"""Coded answers as JSON lines: ``{"id", "question", "text", ["kind",] ["coder",] ["wave",] "codes": [...]}``
— the layout of ``../shared/reference-study/open-answers.jsonl`` and of the report's themes input.

This module is the one reader and writer of the format: the CLI, the web app's report and the
report builder all go through :func:`read_answers` and :func:`answer_line`. A UTF-8 byte-order
mark is accepted; every bad line is reported with the file and line number. Given a codebook,
the reader also checks every line's question and codes against it (:func:`codebook_problems`, the
one such check): a question or code the codebook does not have is an error, never skipped.

``kind`` is ``"note"`` for a focus-group note (default: an open answer); ``coder`` names who
coded the line, so one file may hold the same answer once per coder; ``wave`` names the wave
(repeated measurement) the answer belongs to, and selects with :func:`of_wave`. Answer-level codes map to
codings of the whole answer ``[0, len(text))``; writing takes the union of the codes applied
anywhere in an answer.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Iterable, TextIO

from afstand.coding.codebook import Codebook
from afstand.coding.project import Coding, Project, Source
from afstand.errors import DataError, Problem

FIELDS = ("id", "question", "text", "kind", "coder", "wave", "codes")  # the order lines are written in


def _text(source: str | os.PathLike[str] | bytes | io.IOBase, label: str) -> str:
    try:
        if isinstance(source, (str, os.PathLike)):
            data = Path(source).read_bytes()
        elif isinstance(source, bytes):
            data = source
        else:
            data = source.read()
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except FileNotFoundError:
        raise DataError([Problem(label, "no such file")]) from None
    except UnicodeDecodeError as err:
        raise DataError([Problem(label, f"not UTF-8 text (byte {err.start})")]) from None
    except OSError as err:
        raise DataError([Problem(label, f"cannot read: {err.strerror or err}")]) from None


def read_answers(
    source: str | os.PathLike[str] | bytes | io.IOBase,
    *,
    need_codes: bool = True,
    name: str | None = None,
    codebook: Codebook | None = None,
    need_rows: bool = False,
) -> list[dict]:
    """Rows of a coded-answers JSONL file (a path, its bytes or a stream), checked: id, question,
    text (strings), codes (a list of strings), optional kind, coder and wave (strings); every row also
    gets its ``line``. ``name`` labels bytes and streams in messages. With a ``codebook`` every
    line's question and codes must be in it; with ``need_rows`` a file without any line is an error."""
    label = str(source) if isinstance(source, (str, os.PathLike)) else name or "<coded answers>"
    lines = _text(source, label).splitlines()
    rows, problems, seen = [], [], {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem(label, f"not valid JSON: {err.msg}", row=number))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(label, "a line must be a JSON object", row=number, value=line[:40]))
            continue
        for key in ("id", "question", "text"):
            if not isinstance(row.get(key), str):
                problems.append(Problem(label, f"{key!r} must be a string", row=number, column=key, value=row.get(key)))
        for key in ("kind", "coder", "wave"):
            if key in row and not isinstance(row[key], str):
                problems.append(Problem(label, f"{key!r} must be a string", row=number, column=key, value=row[key]))
        codes = row.get("codes", [] if not need_codes else None)
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            if need_codes:
                problems.append(Problem(label, "'codes' must be a list of code ids", row=number, column="codes", value=codes))
            codes = []
        if isinstance(row.get("id"), str):
            key = (row["id"], row.get("coder"))  # one line per answer and coder
            if key in seen:
                problems.append(Problem(label, f"duplicate id (first on line {seen[key]})", row=number, column="id", value=row["id"]))
            seen[key] = number
        out = {"id": row.get("id"), "question": row.get("question"), "text": row.get("text"), "codes": codes, "line": number}
        out.update({k: row[k] for k in ("kind", "coder", "wave") if isinstance(row.get(k), str)})
        rows.append(out)
    if codebook is not None and not problems:
        problems = codebook_problems(rows, codebook, label)
    if not rows and not problems and need_rows:
        problems = [Problem(label, "no coded answers (the file has no lines)")]
    if problems:
        raise DataError(problems)
    return rows


def codebook_problems(rows: Iterable[dict], codebook: Codebook, name: str = "coded answers") -> list[Problem]:
    """Every line whose question is not in ``codebook``, and every code not in the codebook of its
    line's question, as a problem naming the file, the line (``row``), the column and the value."""
    questions = set(codebook.questions())
    problems = []
    for row in rows:
        if row["question"] not in questions:
            known = ", ".join(sorted(questions)) or "none"
            problems.append(
                Problem(
                    name,
                    f"question is not in the codebook (its questions: {known})",
                    row=row.get("line"),
                    column="question",
                    value=row["question"],
                )
            )
            continue
        for code in row["codes"]:
            if codebook.get(row["question"], code) is None:
                problems.append(
                    Problem(
                        name, f"code is not in the codebook of question {row['question']}", row=row.get("line"), column="codes", value=code
                    )
                )
    return problems


def of_wave(rows: list[dict], wave: str | None, name: str = "coded answers") -> list[dict]:
    """The rows of one wave (``None``: every row). Rows that name no wave are of none; a wave no
    row names is an error that lists the waves the file has (nothing is left out silently)."""
    if not wave:
        return rows
    chosen = [r for r in rows if r.get("wave") == wave]
    if not chosen:
        present = sorted({r["wave"] for r in rows if r.get("wave")})
        raise DataError([Problem(name, f"no line of wave {wave!r} (waves in the file: {', '.join(present) or 'none named'})")])
    return chosen


def project_from_answers(rows: Iterable[dict], codebook: Codebook, coder: str, name: str = "answers") -> Project:
    project = Project(name, codebook)
    problems = []
    for row in rows:
        project.add_source(Source(row["id"], row["question"], row["text"], wave=row.get("wave", "")))
        unknown = codebook_problems([row], codebook, name)
        if unknown:
            problems.extend(unknown)
            continue
        for code in row["codes"]:
            coding = Coding(row["id"], 0, len(row["text"]), code, coder)
            found = (
                project.check(coding, name)
                if row["text"]
                else [Problem(name, "code on an empty answer", row=row.get("line"), value=row["id"])]
            )
            if found:
                problems.extend(Problem(p.file, p.message, row=row.get("line"), column=p.column, value=p.value) for p in found)
            else:
                project.codings.append(coding)
    if problems:
        raise DataError(problems)
    return project


def answer_line(row: dict) -> str:
    """One line of the format (without the newline): the fields in :data:`FIELDS` order, kind and
    coder only when given; other keys (such as ``line``) are not written."""
    missing = [k for k in ("id", "question", "text", "codes") if k not in row]
    if missing:
        raise ValueError(f"a coded answer needs {', '.join(missing)}")
    return json.dumps({k: row[k] for k in FIELDS if k in row and row[k] is not None}, ensure_ascii=False)


def answers_jsonl(rows: Iterable[dict]) -> str:
    """Rows as the text of a JSONL file (each line ends with a newline; no rows: empty)."""
    return "".join(answer_line(row) + "\n" for row in rows)


def write_answers(project: Project, out: TextIO, coder: str | None = None) -> int:
    """One line per source, its codes in codebook order; returns the number of lines."""
    codes = project.answer_codes(coder)
    order = {c.key: i for i, c in enumerate(project.codebook.codes)}
    n = 0
    for source in project.sources.values():
        applied = sorted(codes.get(source.id, ()), key=lambda c: order.get((source.question, c), 1 << 30))
        out.write(answer_line({"id": source.id, "question": source.question, "text": source.text, "codes": applied}) + "\n")
        n += 1
    return n
