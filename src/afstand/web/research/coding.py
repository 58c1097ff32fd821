"""Coding screens (every study role): a queue of answers per question, span or whole-answer coding
with keyboard shortcuts, suggestions to accept or reject, search/filter, a frequency table.

Every screen works per wave (``?meting=<label>``, the wave switcher) or for the whole study
(the default, ``?meting=alle``); the choice is kept in every link and after every action."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from afstand.services import access
from afstand.services import coding as coding_store
from afstand.services.access import EXPORT_ROLES, audit
from afstand.web.models import Coding, Memo, Reviewed
from afstand.web.research.waves import chosen_wave, switcher

SHORTCUTS = "123456789abcdefghijklmnopqrstuvwxyz"


def _question(request: HttpRequest, study: str, question: str):
    membership = access.membership(request.user, study)
    if question not in coding_store.all_questions(study):
        raise Http404
    return membership


def _waves(request: HttpRequest, membership) -> tuple[str | None, dict]:
    """The chosen wave (None: all) and the switcher's context, with ``wave_param`` for links that
    already have a query (``&meting=…``)."""
    wave = chosen_wave(request, membership.study)
    return wave, {**switcher(request, membership.study, wave), "wave_param": f"&meting={wave}" if wave else ""}


@login_required
def overview(request: HttpRequest, study: str) -> HttpResponse:
    membership = access.membership(request.user, study)
    wave, waves = _waves(request, membership)
    rows = []
    book = coding_store.codebook(study)
    survey = coding_store.questions(study)
    for question in coding_store.all_questions(study):
        instrument, item = survey.get(question, (gettext("focus groups"), ""))
        units = {coding_store.key(u) for u, _ in coding_store.answers(study, question, wave)}
        total = len(units)
        done = len(coding_store.reviewed_keys(study, question, request.user, wave) & units)
        rows.append(
            {
                "question": question,
                "instrument": instrument,
                "item": item,
                "total": total,
                "done": done,
                "codes": len(book.for_question(question)) if book else 0,
            }
        )
    return render(
        request,
        "afstand/research/coding_overview.html",
        {"study": membership.study, "rows": rows, "can_export": membership.role in EXPORT_ROLES, **waves},
    )


@login_required
def queue(request: HttpRequest, study: str, question: str) -> HttpResponse:
    membership = _question(request, study, question)
    wave, waves = _waves(request, membership)
    if request.method == "POST":
        return _act(request, membership, question, wave)
    answers = coding_store.answers(study, question, wave)
    done = coding_store.reviewed_keys(study, question, request.user, wave) & {coding_store.key(u) for u, _ in answers}
    wanted = request.GET.get("antwoord")
    current = (
        next(((u, t) for u, t in answers if u.public_id == wanted), None)
        if wanted
        else next(((u, t) for u, t in answers if coding_store.key(u) not in done), None)
    )
    book = coding_store.codebook(study)
    codes = [{"code": c, "key": SHORTCUTS[i] if i < len(SHORTCUTS) else ""} for i, c in enumerate(book.for_question(question))]
    context = {
        "study": membership.study,
        "question": question,
        "codes": codes,
        "total": len(answers),
        "done": len(done),
        "response": None,
        **waves,
    }
    if current is not None:
        response, text = current
        mine = Coding.objects.filter(question=question, coder=request.user, **coding_store.field_for(response)).order_by("start", "code")
        rejected = set(request.GET.getlist("afgewezen"))
        applied = {c.code for c in mine}
        labels = {c.id: c.label for c in book.for_question(question)}
        context.update(
            {
                "response": response,
                "response_wave": coding_store.wave_of(response),
                "text": text,
                "codings": [
                    {
                        "id": c.id,
                        "code": c.code,
                        "label": labels.get(c.code, c.code),
                        "quote": text[c.start : c.end],
                        "start": c.start,
                        "end": c.end,
                        "whole": c.start == 0 and c.end == len(text),
                    }
                    for c in mine
                ],
                "suggestions": [
                    s for s in coding_store.suggestions(study, question, text) if s.code not in applied and s.code not in rejected
                ],
                "labels": labels,
                "rejected": sorted(rejected),
                "memos": Memo.objects.filter(study=membership.study, target=f"answer:{question}:{response.public_id}").select_related(
                    "author"
                ),
            }
        )
    return render(request, "afstand/research/coding_queue.html", context)


def _act(request: HttpRequest, membership, question: str, wave: str | None) -> HttpResponse:
    response = coding_store.find_unit(membership.study, request.POST.get("response", ""))
    if response is None or (wave and coding_store.wave_of(response) != wave):
        raise Http404
    unit = coding_store.field_for(response)
    action = request.POST.get("action", "code")
    keep = f"meting={wave}" if wave else ""
    back = f"/onderzoek/{membership.study.slug}/coderen/{question}/?antwoord={response.public_id}" + (f"&{keep}" if keep else "")
    if action == "code":
        text = coding_store.text_of(membership.study.slug, question, response)
        try:
            start = int(request.POST.get("start") or 0)
            end = int(request.POST.get("end") or len(text))
            coding_store.apply(membership.study, question, response, start, end, request.POST.get("code", ""), request.user)
        except ValueError as err:
            return HttpResponseBadRequest(str(err))
    elif action == "remove":
        Coding.objects.filter(pk=request.POST.get("coding"), coder=request.user, **unit).delete()
    elif action == "done":
        Reviewed.objects.get_or_create(study=membership.study, question=question, coder=request.user, **unit)
        return redirect(f"/onderzoek/{membership.study.slug}/coderen/{question}/" + (f"?{keep}" if keep else ""))
    elif action == "memo":
        text = (request.POST.get("memo") or "").strip()[:5000]
        if text:
            Memo.objects.create(study=membership.study, target=f"answer:{question}:{response.public_id}", text=text, author=request.user)
    else:
        return HttpResponseBadRequest("unknown action")
    return redirect(back)


@login_required
def browse(request: HttpRequest, study: str, question: str) -> HttpResponse:
    membership = _question(request, study, question)
    wave, waves = _waves(request, membership)
    query = (request.GET.get("q") or "").strip().lower()
    code = request.GET.get("code") or ""
    rows = []
    applied = coding_store.codes_by_unit(study, question, wave)
    for unit, text in coding_store.answers(study, question, wave):
        codes = sorted(applied.get(coding_store.key(unit), ()))
        if (query and query not in text.lower()) or (code and code not in codes):
            continue
        rows.append({"id": unit.public_id, "text": text, "codes": codes, "wave": coding_store.wave_of(unit)})
    book = coding_store.codebook(study)
    return render(
        request,
        "afstand/research/coding_browse.html",
        {
            "study": membership.study,
            "question": question,
            "rows": rows,
            "q": query,
            "code": code,
            "codes": book.for_question(question),
            **waves,
        },
    )


@login_required
def frequencies(request: HttpRequest, study: str, question: str) -> HttpResponse:
    membership = _question(request, study, question)
    wave, waves = _waves(request, membership)
    return render(
        request,
        "afstand/research/coding_frequencies.html",
        {
            "study": membership.study,
            "question": question,
            "rows": coding_store.frequencies(study, question, wave=wave),
            "set_aside": coding_store.set_aside_rules(study, question, wave),
            **waves,
        },
    )


def script(request: HttpRequest) -> HttpResponse:
    path = Path(__file__).resolve().parent.parent / "static" / "coding.js"
    response = HttpResponse(path.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response


@login_required
def agreement(request: HttpRequest, study: str, question: str) -> HttpResponse:
    """Agreement between coders on one question: Cohen's κ per code and pair, Krippendorff's α."""
    membership = _question(request, study, question)
    wave, waves = _waves(request, membership)
    result = coding_store.agreement(study, question, wave)
    labels = {c.id: c.label for c in coding_store.codebook(study).for_question(question)}
    pairs = list(next(iter(result["codes"].values()))["kappa"]) if result["codes"] else []
    rows = [
        {
            "code": code,
            "label": labels.get(code, code),
            "alpha": entry["alpha"],
            "kappas": [entry["kappa"][p] for p in pairs],
            "applied": [entry["applied"][c] for c in result["coders"]],
        }
        for code, entry in result["codes"].items()
    ]
    return render(
        request,
        "afstand/research/coding_agreement.html",
        {
            "study": membership.study,
            "question": question,
            "coders": result["coders"],
            "pairs": [p.replace("|", " – ") for p in pairs],
            "rows": rows,
            "units": result["units"],
            "alpha_pooled": result["alpha_pooled"],
            **waves,
        },
    )


@login_required
def coded_jsonl(request: HttpRequest, study: str) -> HttpResponse:
    """The coded answers (and notes) as JSON lines — what ``afstand report --codings`` and
    ``afstand code …`` read — of one wave or of all; every line names its wave."""
    membership = access.membership(request.user, study, EXPORT_ROLES)
    wave = chosen_wave(request, membership.study)
    lines = coding_store.answer_lines(membership.study.slug, wave)
    audit(request.user, "export", f"{study}/coded{'/' + wave if wave else ''}.jsonl ({len(lines)} answers)")
    response = HttpResponse("".join(line + "\n" for line in lines).encode("utf-8"), content_type="application/x-ndjson; charset=utf-8")
    name = f"{membership.study.slug}-gecodeerd" + (f"-{wave}" if wave else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.jsonl"'
    return response
