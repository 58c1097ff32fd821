"""Qualitative coding on stored answers and focus-group notes: the core's afstand.coding on the database.

Views and the report service call these functions; they call the core.

Per wave and for the whole study: every function that lists answers, codings or statistics takes
``wave`` (a wave label; ``None`` = every wave). An answer belongs to the wave of its response
(through the instrument version it answered), a focus-group note to the wave it was uploaded in;
a coding carries the wave of what it codes, so nothing about a coding has to change when a new
wave starts. The codebook is the study's, shared by its waves. Suggestions learn from the codings
of every wave (the same codebook); the statistics (frequencies, keywords set aside, agreement)
are shown per wave or for all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from afstand.bounded import check_zip, run_bounded
from afstand.coding.answers import answer_line
from afstand.coding.codebook import Codebook
from afstand.coding.focus import load_guide, parse_session, read_notes
from afstand.coding.suggest import Suggester
from afstand.errors import AfstandError
from afstand.services import studies
from afstand.services.studies import core_study
from afstand.web.models import Coding, FocusNote, Response, Reviewed

Unit = Response | FocusNote  # something to code: an open answer or a focus-group note


@lru_cache(maxsize=64)
def _folder_codebook(study_slug: str) -> Codebook | None:
    core = core_study(study_slug)
    return core.codebook() if core is not None else None


def codebook(study_slug: str) -> Codebook | None:
    """The study folder's codebook (cached: shipped with the server), else the uploaded one (read from
    the database each time, so every worker sees a new upload at once)."""
    found = _folder_codebook(study_slug)
    if found is not None:
        return found
    from afstand.services.codebooks import stored  # a study made in the web app: its uploaded codebook

    uploaded = stored(study_slug)
    return uploaded[0] if uploaded else None


def questions(study_slug: str) -> dict[str, tuple[str, str]]:
    """Survey questions to code: codebook question → (instrument, item)."""
    core = core_study(study_slug)
    if core is not None:
        return core.coding_questions()
    from afstand.services.codebooks import stored

    found = stored(study_slug)
    return found[1] if found else {}


def all_questions(study_slug: str) -> list[str]:
    """Every codebook question with something to code: survey items, then focus-group themes."""
    out = list(questions(study_slug))
    for question in FocusNote.objects.filter(study__slug=study_slug).values_list("question", flat=True).distinct():
        if question not in out:
            out.append(question)
    return out


def key(unit: Unit) -> tuple[str, int]:
    return ("n", unit.id) if isinstance(unit, FocusNote) else ("r", unit.id)


def _key(response_id: int | None, note_id: int | None) -> tuple[str, int]:
    return ("n", note_id) if note_id is not None else ("r", response_id)


def field_for(unit: Unit) -> dict:
    return {"note": unit} if isinstance(unit, FocusNote) else {"response": unit}


def _of_wave(wave: str | None, response: str = "response__", note: str = "note__") -> Q:
    """Codings (or reviewed marks) of one wave's answers and notes; every one without a wave."""
    if not wave:
        return Q()
    return Q(**{f"{response}instrument_version__wave__label": wave}) | Q(**{f"{note}wave__label": wave})


def wave_of(unit: Unit) -> str | None:
    """The label of the wave an answer (its response's) or a note belongs to."""
    if isinstance(unit, FocusNote):
        return unit.wave.label if unit.wave_id else None
    return unit.instrument_version.wave.label


def answers(study_slug: str, question: str, wave: str | None = None) -> list[tuple[Unit, str]]:
    """(unit, text) of every stored non-empty answer to the question's item, in random-id order,
    then every focus-group note on the question's themes; of one wave (a label) or of all."""
    out: list[tuple[Unit, str]] = []
    survey = questions(study_slug)
    if question in survey:
        instrument, item = survey[question]
        found = Response.objects.filter(instrument_version__study__slug=study_slug, instrument_version__name=instrument)
        if wave:
            found = found.filter(instrument_version__wave__label=wave)
        for response in found.select_related("instrument_version__wave").order_by("public_id"):
            text = str(response.answers.get(item, "")).strip()
            if text:
                out.append((response, text))
    notes = FocusNote.objects.filter(study__slug=study_slug, question=question).select_related("wave")
    if wave:
        notes = notes.filter(wave__label=wave)
    out += [(note, note.text) for note in notes]
    return out


def find_unit(study, public_id: str) -> Unit | None:
    return (
        Response.objects.filter(public_id=public_id, instrument_version__study=study).select_related("instrument_version__wave").first()
        or FocusNote.objects.filter(public_id=public_id, study=study).select_related("wave").first()
    )


def text_of(study_slug: str, question: str, unit: Unit) -> str:
    if isinstance(unit, FocusNote):
        return unit.text
    _instrument, item = questions(study_slug)[question]
    return str(unit.answers.get(item, "")).strip()


def apply(study, question: str, unit: Unit, start: int, end: int, code: str, coder) -> Coding:
    text = text_of(study.slug, question, unit)
    book = codebook(study.slug)
    if book is None or book.get(question, code) is None:
        raise ValueError(f"code {code!r} is not in the codebook of question {question}")
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"selection [{start}, {end}) is outside the answer ({len(text)} characters)")
    with transaction.atomic():
        coding, _ = Coding.objects.get_or_create(
            study=study, question=question, start=start, end=end, code=code, coder=coder, **field_for(unit)
        )
        Reviewed.objects.get_or_create(study=study, question=question, coder=coder, **field_for(unit))
    return coding


def codes_by_unit(study_slug: str, question: str, wave: str | None = None) -> dict[tuple[str, int], set[str]]:
    """Unit key → the codes any coder applied to it for ``question`` (one query), in one wave or all."""
    out: dict[tuple[str, int], set[str]] = {}
    for response_id, note_id, code in Coding.objects.filter(_of_wave(wave), study__slug=study_slug, question=question).values_list(
        "response_id", "note_id", "code"
    ):
        out.setdefault(_key(response_id, note_id), set()).add(code)
    return out


def reviewed_keys(study_slug: str, question: str, coder=None, wave: str | None = None) -> set[tuple[str, int]]:
    rows = Reviewed.objects.filter(_of_wave(wave), study__slug=study_slug, question=question)
    if coder is not None:
        rows = rows.filter(coder=coder)
    return {_key(r, n) for r, n in rows.values_list("response_id", "note_id")}


def frequencies(study_slug: str, question: str, quotes: int = 3, wave: str | None = None) -> list[dict]:
    """Per code: answers with it (any coder), share of coded answers, up to ``quotes`` quoted spans;
    of one wave's answers or of all."""
    book = codebook(study_slug)
    codings = list(Coding.objects.filter(_of_wave(wave), study__slug=study_slug, question=question).select_related("response", "note"))
    coded = {_key(c.response_id, c.note_id) for c in codings} | reviewed_keys(study_slug, question, wave=wave)
    rows = []
    for code in book.for_question(question):
        mine = [c for c in codings if c.code == code.id]
        answered = {_key(c.response_id, c.note_id) for c in mine}
        examples = []
        for c in mine:
            quote = text_of(study_slug, question, c.note or c.response)[c.start : c.end]
            if quote not in examples:
                examples.append(quote)
        rows.append(
            {
                "code": code,
                "answers": len(answered),
                "percent": round(100 * len(answered) / len(coded)) if coded else 0,
                "quotes": examples[:quotes],
            }
        )
    return sorted(rows, key=lambda r: -r["answers"])


@lru_cache(maxsize=32)
def _model(study_slug: str, question: str, state: str, wave: str | None = None) -> Suggester:
    book = codebook(study_slug)
    codes = codes_by_unit(study_slug, question, wave)
    reviewed = reviewed_keys(study_slug, question, wave=wave)
    texts, labels = [], []
    for unit, text in answers(study_slug, question, wave):
        if key(unit) in codes or key(unit) in reviewed:
            texts.append(text)
            labels.append(sorted(codes.get(key(unit), ())))
    return Suggester(book, question).fit(texts, labels)


def _coding_state(study_slug: str, question: str, wave: str | None = None) -> str:
    """A digest of what is coded for the question: every (unit, code) and every reviewed mark.

    The model cache is keyed on this content, not on counts: removing one code and applying
    another keeps the counts but changes the digest, so the model is refitted."""
    codings = sorted(
        Coding.objects.filter(_of_wave(wave), study__slug=study_slug, question=question).values_list("response_id", "note_id", "code"),
        key=repr,
    )
    reviewed = sorted(
        Reviewed.objects.filter(_of_wave(wave), study__slug=study_slug, question=question).values_list("response_id", "note_id"), key=repr
    )
    return hashlib.sha256(repr((codings, reviewed)).encode()).hexdigest()


def _current_model(study_slug: str, question: str, wave: str | None = None) -> Suggester:
    """The suggestion model for what is coded now, in one wave or all (refitted whenever the codings
    or reviewed marks differ)."""
    return _model(study_slug, question, _coding_state(study_slug, question, wave), wave)


def suggestions(study_slug: str, question: str, text: str):
    """Suggestions for one answer, learned from everything coded so far in every wave (the codebook
    is shared; the codebook alone at first)."""
    return _current_model(study_slug, question).suggest([text])[0]


def set_aside_rules(study_slug: str, question: str, wave: str | None = None) -> list[dict]:
    """The codebook's keyword rules that the answers coded so far (in one wave, or all) contradict,
    so they no longer suggest."""
    model = _current_model(study_slug, question, wave)
    book = codebook(study_slug)
    return [
        {"code": book.get(question, code), "keyword": check.keyword, "fires": check.fires, "right": check.right}
        for code, checks in model.set_aside.items()
        for check in checks
    ]


def coded_answers(study_slug: str, wave: str | None = None) -> list[dict]:
    """One row (id, question, text, codes, kind, wave) per coded or reviewed answer or note of one
    wave or of all, codes united over coders: what the report's themes section reads."""
    lines = []
    for question in all_questions(study_slug):
        codes = codes_by_unit(study_slug, question, wave)
        for unit_key in reviewed_keys(study_slug, question, wave=wave):
            codes.setdefault(unit_key, set())
        for unit, text in answers(study_slug, question, wave):
            if key(unit) in codes:
                row = {"id": f"{question}:{unit.public_id}", "question": question, "text": text, "codes": sorted(codes[key(unit)])}
                if isinstance(unit, FocusNote):
                    row["kind"] = "note"
                if wave_of(unit):
                    row["wave"] = wave_of(unit)
                lines.append(row)
    return lines


def answer_lines(study_slug: str, wave: str | None = None) -> list[str]:
    """:func:`coded_answers` as JSON lines."""
    return [answer_line(row) for row in coded_answers(study_slug, wave)]


def agreement(study_slug: str, question: str, wave: str | None = None) -> dict:
    """κ per code and coder pair, α per code and pooled (afstand.coding.agreement) over the answers
    (of one wave, or of all) that at least two coders went through; units named by their public response id."""
    from afstand.coding.agreement import agreement as core_agreement
    from afstand.coding.project import Coding as CoreCoding
    from afstand.coding.project import Project, Source

    project = Project(f"{study_slug}-{question}", codebook(study_slug))
    texts = {key(unit): (unit.public_id, text) for unit, text in answers(study_slug, question, wave)}
    for public_id, text in texts.values():
        project.add_source(Source(public_id, question, text))
    for response_id, note_id, start, end, code, coder in Coding.objects.filter(
        _of_wave(wave), study__slug=study_slug, question=question
    ).values_list("response_id", "note_id", "start", "end", "code", "coder__username"):
        if _key(response_id, note_id) in texts:
            project.add_coding(CoreCoding(texts[_key(response_id, note_id)][0], start, end, code, coder, ""))
    for response_id, note_id, coder in Reviewed.objects.filter(_of_wave(wave), study__slug=study_slug, question=question).values_list(
        "response_id", "note_id", "coder__username"
    ):
        if _key(response_id, note_id) in texts:
            project.reviewed.add((coder, texts[_key(response_id, note_id)][0]))
    return core_agreement(project, question)


def guides(study_slug: str) -> dict:
    """The study's focus-group discussion guides (report appendices 6 and 7) by id."""
    core = core_study(study_slug)
    return {g.id: g for g in (load_guide(p) for p in (core.guide_paths() if core else []))}


def import_notes(study, guide_id: str, session: str, filename: str, content: bytes, wave=None) -> list[FocusNote]:
    """Read a session's notes (.txt, .md, .docx) with the core's reader, split them by the guide's
    themes and store one note per theme of ``wave`` (default: the current wave), replacing an
    earlier upload of the same session in that wave. All or nothing: on any error nothing is stored."""
    from afstand.services.waves import ensure_wave

    wave = wave or ensure_wave(study)
    guide = guides(study.slug).get(guide_id)
    if guide is None:
        raise AfstandError(f"no discussion guide {guide_id!r} in this study")
    session = session.strip()[:200]
    if not session:
        raise AfstandError("give the session a name (e.g. the place and date)")
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="afstand-notes-") as tmp:
        path = Path(tmp) / f"notes{suffix}"
        path.write_bytes(content)
        try:
            check_zip(content, filename[:100])  # a .docx is a zip: refuse a bomb before python-docx unpacks it
            text = run_bounded(read_notes, path, label=filename[:100], **studies.parse_limits())
        except AfstandError as err:
            raise AfstandError(str(err).replace(str(path), filename)) from None
    parsed = parse_session(text, guide, session, origin=filename)
    if not any(t.strip() for t in parsed.sections.values()):
        raise AfstandError(f"{filename}: no theme of the guide {guide.title!r} found; use the theme titles as headings")
    themes = {t.id: t for t in guide.themes}
    notes = []
    with transaction.atomic():
        FocusNote.objects.filter(
            study=study, wave=wave, guide=guide.id, session=session
        ).delete()  # a new upload of the session replaces it
        for theme_id, body in parsed.sections.items():
            if not body.strip():
                continue
            theme = themes[theme_id]
            tallies = {s.id: list(parsed.tallies[s.id]) for s in theme.statements if s.id in parsed.tallies}
            notes.append(
                FocusNote.objects.create(
                    study=study,
                    wave=wave,
                    guide=guide.id,
                    session=session,
                    theme=theme_id,
                    question=theme.question,
                    title=f"{guide.title}, {session}: {theme.title}",
                    text=body.strip(),
                    tallies=tallies,
                    uploaded_on=dt.date.today(),
                )
            )
    return notes
