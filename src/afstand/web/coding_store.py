"""The web side of qualitative coding: stored answers and codings ↔ the core's afstand.coding.

Part of the adapter layer: views call these functions; they call the core.
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.db import transaction

from afstand.coding.codebook import Codebook
from afstand.coding.suggest import Suggester
from afstand.web import adapter
from afstand.web.models import Coding, Reviewed, Response


@lru_cache(maxsize=64)
def codebook(study_slug: str) -> Codebook | None:
    core = adapter.core_study(study_slug)
    return core.codebook() if core else None


def questions(study_slug: str) -> dict[str, tuple[str, str]]:
    core = adapter.core_study(study_slug)
    return core.coding_questions() if core else {}


def answers(study_slug: str, question: str) -> list[tuple[Response, str]]:
    """(response, text) of every stored non-empty answer to the question's item, in random-id order."""
    instrument, item = questions(study_slug)[question]
    out = []
    for response in Response.objects.filter(instrument_version__study__slug=study_slug, instrument_version__name=instrument).order_by("public_id"):
        text = str(response.answers.get(item, "")).strip()
        if text:
            out.append((response, text))
    return out


def text_of(study_slug: str, question: str, response: Response) -> str:
    _instrument, item = questions(study_slug)[question]
    return str(response.answers.get(item, "")).strip()


def apply(study, question: str, response: Response, start: int, end: int, code: str, coder) -> Coding:
    text = text_of(study.slug, question, response)
    book = codebook(study.slug)
    if book is None or book.get(question, code) is None:
        raise ValueError(f"code {code!r} is not in the codebook of question {question}")
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"selection [{start}, {end}) is outside the answer ({len(text)} characters)")
    with transaction.atomic():
        coding, _ = Coding.objects.get_or_create(study=study, question=question, response=response, start=start, end=end, code=code, coder=coder)
        Reviewed.objects.get_or_create(study=study, question=question, response=response, coder=coder)
    return coding


def codes_by_response(study_slug: str, question: str) -> dict[int, set[str]]:
    """Response id → the codes any coder applied to its answer to ``question`` (one query)."""
    out: dict[int, set[str]] = {}
    for response_id, code in Coding.objects.filter(study__slug=study_slug, question=question).values_list("response_id", "code"):
        out.setdefault(response_id, set()).add(code)
    return out


def frequencies(study_slug: str, question: str, quotes: int = 3) -> list[dict]:
    """Per code: answers with it (any coder), share of coded answers, up to ``quotes`` quoted spans."""
    book = codebook(study_slug)
    codings = list(Coding.objects.filter(study__slug=study_slug, question=question).select_related("response"))
    coded = {c.response_id for c in codings} | set(Reviewed.objects.filter(study__slug=study_slug, question=question).values_list("response_id", flat=True))
    rows = []
    for code in book.for_question(question):
        mine = [c for c in codings if c.code == code.id]
        answered = {c.response_id for c in mine}
        examples = []
        for c in mine:
            quote = text_of(study_slug, question, c.response)[c.start:c.end]
            if quote not in examples:
                examples.append(quote)
        rows.append({"code": code, "answers": len(answered), "percent": round(100 * len(answered) / len(coded)) if coded else 0,
                     "quotes": examples[:quotes]})
    return sorted(rows, key=lambda r: -r["answers"])


@lru_cache(maxsize=32)
def _model(study_slug: str, question: str, state: tuple) -> Suggester:
    book = codebook(study_slug)
    codes = codes_by_response(study_slug, question)
    reviewed = set(Reviewed.objects.filter(study__slug=study_slug, question=question).values_list("response_id", flat=True))
    texts, labels = [], []
    for response, text in answers(study_slug, question):
        if response.id in codes or response.id in reviewed:
            texts.append(text)
            labels.append(sorted(codes.get(response.id, ())))
    return Suggester(book, question).fit(texts, labels)


def suggestions(study_slug: str, question: str, text: str):
    """Suggestions for one answer, learned from everything coded so far (the codebook alone at first)."""
    state = (Coding.objects.filter(study__slug=study_slug, question=question).count(),
             Reviewed.objects.filter(study__slug=study_slug, question=question).count())
    return _model(study_slug, question, state).suggest([text])[0]


def answer_lines(study_slug: str) -> list[str]:
    """JSONL lines (id, question, text, codes) of every coded or reviewed answer, codes united over coders."""
    lines = []
    for question in questions(study_slug):
        codes = codes_by_response(study_slug, question)
        for response_id in Reviewed.objects.filter(study__slug=study_slug, question=question).values_list("response_id", flat=True):
            codes.setdefault(response_id, set())
        for response in Response.objects.filter(id__in=codes).order_by("public_id"):
            lines.append(json.dumps({"id": f"{question}:{response.public_id}", "question": question,
                                     "text": text_of(study_slug, question, response), "codes": sorted(codes[response.id])}, ensure_ascii=False))
    return lines


def agreement(study_slug: str, question: str) -> dict:
    """κ per code and coder pair, α per code and pooled (afstand.coding.agreement) over the answers
    that at least two coders went through; units named by their public response id."""
    from afstand.coding.agreement import agreement as core_agreement
    from afstand.coding.project import Coding as CoreCoding
    from afstand.coding.project import Project, Source

    project = Project(f"{study_slug}-{question}", codebook(study_slug))
    texts = dict((response.id, (response.public_id, text)) for response, text in answers(study_slug, question))
    for public_id, text in texts.values():
        project.add_source(Source(public_id, question, text))
    for response_id, start, end, code, coder in (Coding.objects.filter(study__slug=study_slug, question=question)
                                                 .values_list("response_id", "start", "end", "code", "coder__username")):
        if response_id in texts:
            project.add_coding(CoreCoding(texts[response_id][0], start, end, code, coder, ""))
    for response_id, coder in Reviewed.objects.filter(study__slug=study_slug, question=question).values_list("response_id", "coder__username"):
        if response_id in texts:
            project.reviewed.add((coder, texts[response_id][0]))
    return core_agreement(project, question)
