"""The respondent's survey pages: consent first, then one topic group per page.

Stateless and cookie-free: the answers so far travel in a signed hidden field (Django's
``signing``), so nothing is stored on the server before the final submission and no
cookie identifies the respondent. Every page is checked on the server with the form's own
``required``, ``relevant`` and ``constraint``; it works without JavaScript.
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from afstand.services import studies, submissions, survey_pages
from afstand.services.submissions import pages
from afstand.web.texts import LANGUAGES, render_in, text

SALT = "afstand.survey"
CHANNELS = {"whatsapp", "intranet", "linkedin", "mail"}
SECONDS_PER_QUESTION = 12


def _lang(value: str | None) -> str:
    return value if value in LANGUAGES else "nl"


@csrf_exempt  # no cookies are used: the signed state is the only thing carried between pages
def survey(request: HttpRequest, instrument: str, study: str | None = None, wave: str | None = None) -> HttpResponse:
    from django.conf import settings

    version = studies.active_version(study or settings.AFSTAND_STUDY, instrument, wave)
    if version is None:
        return HttpResponseNotFound(gettext("This questionnaire does not exist."))
    form = studies.instrument_for(version)
    all_pages = pages(form)
    if request.method == "GET":
        channel = request.GET.get("via", "")
        state = {"v": version.version_id, "w": version.wave_id, "i": str(uuid.uuid4()), "a": {}, "p": 0,
                 "c": channel if channel in CHANNELS else "", "l": _lang(request.GET.get("lang"))}
        return _page(request, form, all_pages, state, {})
    try:
        state = signing.loads(request.POST.get("state", ""), salt=SALT)
    except signing.BadSignature:
        return HttpResponseBadRequest(gettext("The questionnaire has expired or is damaged. Start again with the link."))
    return _answer(request, version, state)


@csrf_exempt
def resume(request: HttpRequest, instrument: str, token: str, study: str | None = None) -> HttpResponse:
    """Open a saved draft: the page where the respondent left off, with the answers so far."""
    if request.method == "POST":
        return survey(request, instrument, study)
    saved = submissions.load_draft(token)
    state = None
    if saved is not None:
        try:
            state = signing.loads(saved, salt=SALT)
        except signing.BadSignature:
            state = None
    version = studies.version_by_id(state.get("v"), state.get("w")) if state else None
    if version is None or version.name != instrument:
        lang = _lang(request.GET.get("lang"))
        return render_in(lang, request, "afstand/message.html", {"t": text(lang), "lang": lang, "title": text(lang)["resume_gone_title"],
                                                        "message": text(lang)["resume_gone"], "link": f"/s/{instrument}"}, status=404)
    form = studies.instrument_for(version)
    return _page(request, form, pages(form), state, {})


def _answer(request: HttpRequest, version, state: dict) -> HttpResponse:
    if state.get("v") != version.version_id or state.get("w", version.wave_id) != version.wave_id:
        version = studies.version_by_id(state.get("v"), state.get("w")) or version
    form = studies.instrument_for(version)
    all_pages = pages(form)
    page = all_pages[state["p"]]
    repeat = survey_pages.repeat_of(form, page)
    if repeat:
        state["a"] = survey_pages.merge(form, page, repeat, state["a"], request.POST)
    else:
        state["a"] = _merge(form, page, state["a"], request.POST)
    action = request.POST.get("action", "next")
    changed = survey_pages.act(repeat, state["a"], action) if repeat else None
    if changed is not None:  # add or remove an instance: the same page again
        state["a"] = changed
        return _page(request, form, all_pages, state, {})
    if request.POST.get("lang") in LANGUAGES:  # the language button: same page, other language, answers kept
        state["l"], action = request.POST["lang"], "lang"
    if action == "back":
        state["p"] = _step(all_pages, state["p"], state["a"], -1)
        return _page(request, form, all_pages, state, {})
    if action == "lang":
        return _page(request, form, all_pages, state, {})
    errors = submissions.page_errors(form, page, state["a"])
    if errors:
        return _page(request, form, all_pages, state, errors)
    if form.consent_item and form.consent_item in page.elements and state["a"].get(form.consent_item) != form.consent_choice:
        submissions.decline(version, uuid.UUID(state["i"]))  # counted once per instance, however often the page is sent
        submissions.delete_draft(state.get("d"))
        return render_in(state["l"], request, "afstand/declined.html", {"t": text(state["l"]), "lang": state["l"]})
    following = _step(all_pages, state["p"], state["a"], +1)
    if following != state["p"]:
        state["p"] = following
        if not state.get("d"):  # consent given: from now on the respondent can resume later
            state["d"] = submissions.new_draft_token()
        return _page(request, form, all_pages, state, {})
    outcome = submissions.submit(version, uuid.UUID(state["i"]), state["a"], channel=state["c"])
    if outcome.status == 400:  # a page-level check missed something: show where
        first = next(iter(outcome.body["errors"]))
        state["p"] = next((i for i, p in enumerate(all_pages) if first in p.elements), state["p"])
        messages = {k: v["message"] for k, v in outcome.body["errors"].items()}
        return _page(request, form, all_pages, state, messages)
    submissions.delete_draft(state.get("d"))
    if outcome.status == 410:  # withdrawn already (an old tab sent again): nothing stored
        return render_in(state["l"], request, "afstand/withdraw.html", {"t": text(state["l"]), "lang": state["l"], "outcome": "withdrawn"})
    return render_in(state["l"], request, "afstand/thanks.html", {"t": text(state["l"]), "lang": state["l"], "code": outcome.body["withdrawal_code"],
                                                    "signup_url": f"/aanmelden/{version.study.slug}?lang={state['l']}"})


def _step(all_pages: list, index: int, answers: dict, direction: int) -> int:
    """The next (or previous) page whose group is relevant; the same index when there is none."""
    i = index + direction
    while 0 <= i < len(all_pages):
        if submissions.is_relevant(all_pages[i], answers):
            return i
        i += direction
    return index


def _is_last(all_pages: list, index: int, answers: dict) -> bool:
    """No later page is relevant now, nor could become so through this page's answers."""
    here = set(all_pages[index].elements)
    for page in all_pages[index + 1:]:
        if submissions.is_relevant(page, answers) or submissions.may_depend_on(page, here):
            return False
    return True


def _merge(form, page, answers: dict, post) -> dict:
    merged = {k: v for k, v in answers.items() if k not in page.elements}
    for name in page.elements:
        item = form.items.get(name)
        if item is None or not item.collected:  # calculations are the server's; media/GPS are not collected here
            continue
        values = survey_pages.posted(post, name)
        if item.kind == "select_multiple":
            value = " ".join(v for v in values if v)
        else:
            value = (values[0] if values else "").strip()
        if value:
            merged[name] = value
    return merged


def _page(request, form, all_pages: list, state: dict, errors: dict) -> HttpResponse:
    lang = state["l"]
    language = next((code for code in form.languages if code.endswith(f"({lang})")), form.default_language)
    page = all_pages[state["p"]]
    t = text(lang)
    repeat = survey_pages.repeat_of(form, page)
    instances, flexible = 0, False
    if repeat:
        blocks, instances, flexible = survey_pages.blocks(form, page, repeat, state["a"], language)
    else:
        blocks = _blocks(form, page, state["a"], language)
    remaining = sum(len([e for e in p.elements if e in form.items]) for p in all_pages[state["p"]:])
    context = {
        "t": t, "lang": lang, "other_lang": "en" if lang == "nl" else "nl",
        "title": form.title, "page_title": page.label(language), "blocks": blocks,
        "errors": [{"name": k, "label": form.items[k].label(language) if k in form.items else survey_pages.label_of(form, k, language),
                    "message": _message(form, k, v, language, t)} for k, v in errors.items()],
        "repeat": repeat, "instances": instances, "can_add": flexible,
        "error_names": set(errors),
        "state": signing.dumps(state, salt=SALT, compress=True),
        "step": state["p"] + 1, "steps": len(all_pages),
        "step_text": t["step"].format(step=state["p"] + 1, steps=len(all_pages)),
        "left_text": t["left"].format(minutes=max(1, round(remaining * SECONDS_PER_QUESTION / 60))),
        "first": state["p"] == 0, "last": _is_last(all_pages, state["p"], state["a"]),
    }
    signed = context["state"]
    if state.get("d"):
        submissions.save_draft(state["d"], signed)
        context["resume_url"] = request.build_absolute_uri(f"/s/{form_slug(request, wave=False)}/verder/{state['d']}?lang={lang}")
    context["action"] = f"/s/{form_slug(request)}"
    response = render_in(lang, request, "afstand/page.html", context, status=400 if errors else 200)
    response["Referrer-Policy"] = "no-referrer"  # survey pages: no referrer at all (they need no CSRF check)
    return response


def _message(form, name: str, code: str, language: str, t: dict) -> str:
    """The form's own constraint message (XLSForm ``constraint_message``) when it has one, else a plain default."""
    item = form.items.get(name)
    if code == "constraint" and item is not None and item.constraint_messages:
        return item.constraint_messages.get(language) or next(iter(item.constraint_messages.values()))
    return t["errors"].get(code, code)


def form_slug(request: HttpRequest, *, wave: bool = True) -> str:
    """The instrument part of the survey URL this page belongs to (with the study and the wave when
    they were given; resume links carry no wave: the saved state names the deployment)."""
    kwargs = request.resolver_match.kwargs
    if kwargs.get("study") and kwargs.get("wave") and wave:
        return f"{kwargs['study']}/m/{kwargs['wave']}/{kwargs['instrument']}"
    return f"{kwargs['study']}/{kwargs['instrument']}" if kwargs.get("study") else kwargs["instrument"]


def _blocks(form, page, answers: dict, language: str) -> list[dict]:
    """Notes, single questions and likert tables (runs of likert items sharing a choice list)."""
    blocks: list[dict] = []
    shown = survey_pages.shown_answers(form, answers)
    for name in page.elements:
        if name in form.notes:
            blocks.append({"kind": "note", "text": survey_pages.interpolate(form, form.notes[name].label(language), shown)})
            continue
        item = form.items.get(name)
        if item is None or not item.collected:
            continue
        entry = _item(item, answers, language)
        entry["label"] = survey_pages.interpolate(form, entry["label"], shown)
        entry["hint"] = survey_pages.interpolate(form, entry["hint"], shown)
        if item.choice_list is not None:
            entry["choices"] = survey_pages.offered(form, item, page.elements, shown, language)
        if item.appearance == "likert" and item.kind == "select_one":
            last = blocks[-1] if blocks else None
            if last and last["kind"] == "likert" and last["list"] == item.choice_list.name:
                last["rows"].append(entry)
            else:
                blocks.append({"kind": "likert", "list": item.choice_list.name, "rows": [entry],
                               "choices": [(c.name, c.label(language)) for c in item.choice_list.choices]})
        else:
            blocks.append({"kind": "item", "item": entry})
    return blocks


def _item(item, answers: dict, language: str) -> dict:
    value = answers.get(item.name, "")
    return {
        "name": item.name, "field": survey_pages.field_name(item.name), "type": item.type, "kind": item.kind, "label": item.label(language),
        "hint": item.hints.get(language) or next(iter(item.hints.values()), ""),
        "required": item.required, "multiline": item.appearance == "multiline",
        "choices": [(c.name, c.label(language)) for c in item.choice_list.choices] if item.choice_list else [],
        "value": value, "selected": set(value.split()) if item.kind == "select_multiple" else {value},
        "step": "1" if item.type == "integer" else "any",
        "input_type": survey_pages.INPUT_TYPES.get(item.type, "text"),
    }
