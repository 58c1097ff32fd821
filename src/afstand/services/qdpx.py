"""The study's coded answers and focus-group notes as a REFI-QDA project (.qdpx), built from the
database with the core's writer (:mod:`afstand.coding.refi`)."""

from __future__ import annotations

import io

from afstand.coding.codebook import Codebook
from afstand.coding.project import Coding as CoreCoding
from afstand.coding.project import Memo as CoreMemo
from afstand.coding.project import Project, Source
from afstand.coding.refi import write_qdpx
from afstand.services.coding import all_questions, answers, codebook, key, questions
from afstand.web.models import Coding, FocusNote, Memo


def project(study_slug: str) -> Project:
    """Every codebook question's answers and notes as sources, with every coder's codings and the memos."""
    book = codebook(study_slug) or Codebook(study_slug)
    result = Project(study_slug, book)
    survey = questions(study_slug)
    public: dict[tuple[str, int], str] = {}
    for question in all_questions(study_slug):
        instrument, item = survey.get(question, ("", ""))
        for unit, text in answers(study_slug, question):
            is_note = isinstance(unit, FocusNote)
            source_id = unit.public_id
            if source_id in result.sources:
                continue
            result.add_source(Source(source_id, question, text, kind="note" if is_note else "answer",
                                     instrument="" if is_note else instrument, item="" if is_note else item,
                                     title=unit.title if is_note else ""))
            public[key(unit)] = source_id
    rows = Coding.objects.filter(study__slug=study_slug).values_list("response_id", "note_id", "start", "end", "code",
                                                                     "coder__username", "created")
    for response_id, note_id, start, end, code, coder, created in rows:
        source_id = public.get(("n", note_id) if note_id is not None else ("r", response_id))
        if source_id is None:
            continue
        stamp = created.replace(microsecond=0).isoformat().replace("+00:00", "Z") if created else ""
        coding = CoreCoding(source_id, start, end, code, coder, stamp)
        problems = result.check(coding)
        if problems:  # e.g. a code since removed from the codebook: said, not written
            result.skipped.append(f"coding {code!r} of {coder} on {source_id}: {problems[0].message}")
        elif coding not in result.codings:
            result.codings.append(coding)
    for target, text, author, created in Memo.objects.filter(study__slug=study_slug).values_list("target", "text", "author__username", "created"):
        if target.startswith("answer:"):  # "answer:<question>:<public id>" → the source's memo
            target = "source:" + target.split(":", 2)[-1]
        stamp = created.replace(microsecond=0).isoformat().replace("+00:00", "Z") if created else ""
        result.memos.append(CoreMemo(target, text, author, stamp))
    return result


def qdpx_bytes(study_slug: str) -> tuple[bytes, Project]:
    built = project(study_slug)
    buffer = io.BytesIO()
    write_qdpx(built, buffer)
    return buffer.getvalue(), built
