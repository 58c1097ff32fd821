"""The study's coded answers and focus-group notes as a REFI-QDA project (.qdpx), built from the
database with the core's writer (:mod:`afstand.coding.refi`): of one wave or of every wave, each
source naming its wave (the ``afstand:wave`` variable)."""

from __future__ import annotations

import io

from afstand.coding.codebook import Codebook
from afstand.coding.project import Coding as CoreCoding
from afstand.coding.project import Memo as CoreMemo
from afstand.coding.project import Project, Source
from afstand.coding.refi import write_qdpx
from afstand.services.coding import all_questions, answers, codebook, key, questions, wave_of
from afstand.web.models import Coding, FocusNote, Memo


def project(study_slug: str, wave: str | None = None) -> Project:
    """Every codebook question's answers and notes (of one wave, or of all) as sources, with every
    coder's codings on them and the memos on their codes and on them."""
    book = codebook(study_slug) or Codebook(study_slug)
    result = Project(study_slug, book)
    survey = questions(study_slug)
    public: dict[tuple[str, int], str] = {}
    for question in all_questions(study_slug):
        instrument, item = survey.get(question, ("", ""))
        for unit, text in answers(study_slug, question, wave):
            is_note = isinstance(unit, FocusNote)
            source_id = unit.public_id
            if source_id in result.sources:
                continue
            result.add_source(
                Source(
                    source_id,
                    question,
                    text,
                    kind="note" if is_note else "answer",
                    instrument="" if is_note else instrument,
                    item="" if is_note else item,
                    title=unit.title if is_note else "",
                    wave=wave_of(unit) or "",
                )
            )
            public[key(unit)] = source_id
    rows = Coding.objects.filter(study__slug=study_slug).values_list(
        "response_id", "note_id", "start", "end", "code", "coder__username", "created"
    )
    for response_id, note_id, start, end, code, coder, created in rows:
        source_id = public.get(("n", note_id) if note_id is not None else ("r", response_id))
        if source_id is None:  # a coding of another wave's answer
            continue
        stamp = created.replace(microsecond=0).isoformat().replace("+00:00", "Z") if created else ""
        coding = CoreCoding(source_id, start, end, code, coder, stamp)
        problems = result.check(coding)
        if problems:  # e.g. a code since removed from the codebook: said, not written
            result.skipped.append(f"coding {code!r} of {coder} on {source_id}: {problems[0].message}")
        elif coding not in result.codings:
            result.codings.append(coding)
    for target, text, author, created in Memo.objects.filter(study__slug=study_slug).values_list(
        "target", "text", "author__username", "created"
    ):
        if target.startswith("answer:"):  # "answer:<question>:<public id>" → the source's memo
            target = "source:" + target.split(":", 2)[-1]
            if target.removeprefix("source:") not in result.sources:  # an answer of another wave
                continue
        stamp = created.replace(microsecond=0).isoformat().replace("+00:00", "Z") if created else ""
        result.memos.append(CoreMemo(target, text, author, stamp))
    return result


def qdpx_bytes(study_slug: str, wave: str | None = None) -> tuple[bytes, Project]:
    built = project(study_slug, wave)
    buffer = io.BytesIO()
    write_qdpx(built, buffer)
    return buffer.getvalue(), built


def import_codings(study, filename: str, content: bytes) -> dict[str, int]:
    """Store the codings of a .qdpx coded elsewhere (ATLAS.ti, NVivo, MAXQDA) on the study's own answers.

    Sources are matched by afstand's response or note id (as :func:`qdpx_bytes` wrote them), codes
    by the study's codebook (ids recovered by GUID), coders by user name: each must be a member of
    the study. All or nothing: any coding that cannot be placed refuses the whole file, listing why.
    Codings already stored are left as they are.
    """
    from django.contrib.auth.models import User
    from django.db import transaction

    from afstand.coding.refi_import import read_qdpx
    from afstand.errors import AfstandError
    from afstand.services.coding import find_unit, text_of
    from afstand.web.models import Membership

    book = codebook(study.slug)
    if book is None:
        raise AfstandError("this study has no codebook yet: upload one first")
    project = read_qdpx(content, filename, known=book)
    members = {m.user.username: m.user for m in Membership.objects.filter(study=study).select_related("user")}
    problems: list[str] = []
    planned = []
    for coding in project.codings:
        source = project.sources[coding.source]
        unit = find_unit(study, source.id)
        if unit is None:
            problems.append(f"source {source.title or source.id!r}: no answer or note of this study has this id")
            continue
        if book.get(source.question, coding.code) is None:
            problems.append(f"source {source.id}: code {coding.code!r} is not in the codebook of question {source.question}")
            continue
        if text_of(study.slug, source.question, unit) != source.text:
            problems.append(f"source {source.id}: the text differs from the stored answer")
            continue
        user = members.get(coding.coder) or User.objects.filter(username=coding.coder).first()
        if user is None or user.username not in members:
            problems.append(f"coder {coding.coder!r} is not a member of this study")
            continue
        planned.append((source.question, unit, coding, user))
    if problems:
        shown = sorted(set(problems))
        raise AfstandError(
            f"{filename}: nothing imported: " + "; ".join(shown[:10]) + (f" (and {len(shown) - 10} more)" if len(shown) > 10 else "")
        )
    stored = 0
    with transaction.atomic():
        for question, unit, coding, user in planned:
            target = {"note": unit} if isinstance(unit, FocusNote) else {"response": unit}
            _, made = Coding.objects.get_or_create(
                study=study, question=question, start=coding.start, end=coding.end, code=coding.code, coder=user, **target
            )
            stored += made
    return {"codings": len(planned), "stored": stored}
