"""Coded answers as JSON lines: ``{"id", "question", "text", "codes": [...]}`` — the layout of
``../shared/reference-study/open-answers.jsonl`` and of the report's themes input.

Answer-level codes map to codings of the whole answer ``[0, len(text))``; writing takes the
union of the codes applied anywhere in an answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, TextIO

from afstand.coding.codebook import Codebook
from afstand.coding.project import Coding, Project, Source
from afstand.errors import DataError, Problem


def read_answers(path: str | Path, *, need_codes: bool = True) -> list[dict]:
    """Rows of a JSONL file, checked: id, question, text (strings) and codes (a list of strings)."""
    label = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError([Problem(label, f"cannot read: {err}")]) from None
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
        codes = row.get("codes", [] if not need_codes else None)
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            if need_codes:
                problems.append(Problem(label, "'codes' must be a list of code ids", row=number, column="codes", value=codes))
            codes = []
        if isinstance(row.get("id"), str):
            if row["id"] in seen:
                problems.append(Problem(label, f"duplicate id (first on line {seen[row['id']]})", row=number, column="id", value=row["id"]))
            seen[row["id"]] = number
        rows.append({"id": row.get("id"), "question": row.get("question"), "text": row.get("text"), "codes": codes, "line": number})
    if problems:
        raise DataError(problems)
    return rows


def project_from_answers(rows: Iterable[dict], codebook: Codebook, coder: str, name: str = "answers") -> Project:
    project = Project(name, codebook)
    problems = []
    for row in rows:
        project.add_source(Source(row["id"], row["question"], row["text"]))
        for code in row["codes"]:
            coding = Coding(row["id"], 0, len(row["text"]), code, coder)
            found = project.check(coding, name) if row["text"] else [Problem(name, "code on an empty answer", row=row.get("line"), value=row["id"])]
            if found:
                problems.extend(Problem(p.file, p.message, row=row.get("line"), column=p.column, value=p.value) for p in found)
            else:
                project.codings.append(coding)
    if problems:
        raise DataError(problems)
    return project


def write_answers(project: Project, out: TextIO, coder: str | None = None) -> int:
    """One line per source, its codes in codebook order; returns the number of lines."""
    codes = project.answer_codes(coder)
    order = {c.key: i for i, c in enumerate(project.codebook.codes)}
    n = 0
    for source in project.sources.values():
        applied = sorted(codes.get(source.id, ()), key=lambda c: order.get((source.question, c), 1 << 30))
        out.write(json.dumps({"id": source.id, "question": source.question, "text": source.text, "codes": applied}, ensure_ascii=False) + "\n")
        n += 1
    return n
