"""Codebook upload for studies made in the web app (a study folder brings its own codebook).

A codebook CSV (``question, code, label_nl`` …) or a REFI-QDA codebook (``.qdc``) is read with the
core's readers. Each codebook question must be the name of a text question of one of the study's
forms; codes that name no question (a ``.qdc`` from ATLAS.ti, NVivo or MAXQDA) go to the question
chosen on upload. All or nothing: a bad file stores nothing and says why.

The codebook is the study's, shared by all its waves: a new wave codes with it, a new upload
may add codes (in any wave) but must keep every code already applied, so that no wave's codings
lose their code.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from afstand.coding.codebook import Codebook, read_codebook, write_codebook
from afstand.coding.refi_import import FOREIGN, read_qdc
from afstand.errors import AfstandError
from afstand.services.studies import instrument_for
from afstand.web.models import InstrumentVersion, Study, UploadedCodebook


def text_items(study: Study) -> dict[str, str]:
    """Open (text) questions of the study's forms: item name → instrument name (newest version first)."""
    out: dict[str, str] = {}
    for version in InstrumentVersion.objects.filter(study=study).order_by("-id"):
        for item in instrument_for(version).items.values():
            if item.kind == "text":
                out.setdefault(item.name, version.name)
    return out


def upload(study: Study, filename: str, content: bytes, item: str = "") -> Codebook:
    items = text_items(study)
    suffix = Path(filename).suffix.lower()
    if suffix == ".qdc":
        book = read_qdc(content, filename)
    elif suffix in (".csv", ".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AfstandError(f"{filename}: not UTF-8 text") from None
        book = read_codebook(io.StringIO(text), name=filename)
    else:
        raise AfstandError(f"{filename}: expected a codebook .csv or a REFI-QDA .qdc file")
    if not book.codes:
        raise AfstandError(f"{filename}: no codes in this file")
    if any(c.question == FOREIGN for c in book.codes):
        if item not in items:
            raise AfstandError(
                f"{filename}: the codes name no question; choose the open question they code "
                f"({', '.join(sorted(items)) or 'the study has no open questions'})"
            )
        book = Codebook(book.name, [replace(c, question=item) if c.question == FOREIGN else c for c in book.codes])
    unknown = sorted({c.question for c in book.codes} - set(items))
    if unknown:
        raise AfstandError(
            f"{filename}: codebook questions {', '.join(unknown)} are not open questions of this study's forms "
            f"(open questions: {', '.join(sorted(items)) or 'none'})"
        )
    in_use = _codes_in_use(study) - {c.key for c in book.codes}
    if in_use:
        shown = ", ".join(f"{q}/{c}" for q, c in sorted(in_use)[:10]) + (f" (and {len(in_use) - 10} more)" if len(in_use) > 10 else "")
        raise AfstandError(
            f"{filename}: codes already applied to answers are missing: {shown}. The codebook is shared by every wave "
            "of the study: add codes, keep (or rename the label of) the codes in use"
        )
    out = io.StringIO()
    write_codebook(book, out)
    UploadedCodebook.objects.update_or_create(study=study, defaults={"filename": filename[:200], "content": out.getvalue()})
    return book


def _codes_in_use(study: Study) -> set[tuple[str, str]]:
    """(question, code) of every coding stored in the study, in any wave."""
    from afstand.web.models import Coding

    return set(Coding.objects.filter(study=study).values_list("question", "code").distinct())


def stored(study_slug: str) -> tuple[Codebook, dict[str, tuple[str, str]]] | None:
    """The uploaded codebook and its questions → (instrument, item), or None."""
    found = UploadedCodebook.objects.filter(study__slug=study_slug).select_related("study").first()
    if found is None:
        return None
    book = read_codebook(io.StringIO(found.content), name=found.filename)
    items = text_items(found.study)
    return book, {q: (items[q], q) for q in book.questions() if q in items}
