"""The respondent's survey pages: consent first, then one page per topic group, a review page
and the thank-you page.

Every step is a post/redirect/get: a page's answers are posted, kept in the respondent's
encrypted draft (:mod:`afstand.services.drafts`, keyed by a token in the URL that the server does
not keep) and the browser is sent to the next page with a GET. Back, reload and a re-opened tab
therefore show a page with its answers, never a resubmission warning. No cookie, no JavaScript
needed: every check runs on the server with the form's own ``required``, ``relevant`` and
``constraint``. Nothing is stored before consent.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from afstand.services import drafts, fieldwork, form_pages, studies, submissions
from afstand.services import survey_pages as layout
from afstand.services import waves as wave_service
from afstand.web.models import Study, Wave
from afstand.web.security import keep_for_history
from afstand.web.texts import choose_language, minutes_text, render_in, text

CHANNELS = {"whatsapp", "intranet", "linkedin", "mail"}
REVIEW = "controle"


class _SeeOther(HttpResponseRedirect):
    status_code = 303  # after a POST: the browser GETs the next page


def _base(study: str | None, instrument: str) -> str:
    return f"/s/{study}/{instrument}" if study else f"/s/{instrument}"


def _version(study: str | None, instrument: str, wave: str | None = None):
    return studies.active_version(study or settings.AFSTAND_STUDY, instrument, wave)


@csrf_exempt  # no cookies are used: nothing for a forged request to ride on
def survey(request: HttpRequest, instrument: str, study: str | None = None, wave: str | None = None) -> HttpResponse:
    """The consent page (GET) and its answer (POST). A draft exists only after consent. The
    consent page of a wave (``/s/<study>/m/<wave>/<instrument>``) posts to itself; the draft's
    pages carry no wave: the draft names the deployment.

    Outside the wave's fieldwork dates the link shows that the questionnaire is closed (410) or
    not open yet (403, with the first day); a researcher of the study sees a preview instead,
    whose answers are never stored."""
    version = _version(study, instrument, wave)
    source = request.POST if request.method == "POST" else request.GET
    preview = False
    if version is None:
        closed = wave_service.closure(study or settings.AFSTAND_STUDY, instrument, wave)
        if closed is None:
            return HttpResponseNotFound(gettext("This questionnaire does not exist."))
        if not _researcher_of(request, closed.version.study_id):
            return _closed(request, closed, source.get("lang"))
        version, preview = closed.version, True
    form = studies.instrument_for(version)
    all_pages = layout.pages(form)
    lang, fell_back = choose_language(source.get("lang"), request.headers.get("Accept-Language", ""))
    with layout.in_language(form, lang):  # jr:choice-name() in the language the respondent reads
        channel = source.get("via", "")
        channel = channel if channel in CHANNELS else ""
        base = _base(study, instrument)
        entry = f"/s/{study}/m/{wave}/{instrument}" if study and wave else base
        if request.method != "POST":
            state = {
                "v": version.version_id,
                "w": version.wave_id,
                "a": {},
                "p": 0,
                "c": channel,
                "l": lang,
                "e": {form.consent_item: "required"} if request.GET.get("fout") and form.consent_item else {},
                **({"x": 1} if preview else {}),
            }
            return keep_for_history(_page(request, version, form, all_pages, state, None, entry, fell_back=fell_back))
        try:  # the consent page's own instance id (a hidden field): a decline sent twice counts once
            instance = uuid.UUID(request.POST.get("i", ""), version=4)
        except ValueError:
            instance = uuid.uuid4()
        # the draft key (``k``) that the consent page was made with: the browser shows that page again
        # on Back (it may keep it for its history), so Next there continues the draft; only a
        # same-origin post may name it
        key = request.POST.get("k", "")
        key = key if drafts.valid_token(key) and _same_origin(request) else ""
        existing = drafts.load(key) if key else None
        if existing is not None and existing.get("w") not in (None, version.wave_id):
            existing, key = None, ""  # a draft (or a sent one) of another wave never continues in this wave's link
        posted = dict(request.POST.lists())
        answers, raw, errors = layout.read_page(form, all_pages[0], {}, posted)
        if form.consent_item and form.consent_item in all_pages[0].elements:
            consent = layout.consent_answer(form, answers)
            if consent is None:  # no answer, or none of the list
                return _SeeOther(f"{entry}?{urlencode({'lang': lang, 'via': channel, 'fout': 1})}#errors")
            if consent == "declined":
                if not preview:  # a researcher's preview counts nothing
                    submissions.decline(version, instance)  # counted once per instance, however often the page is sent
                if existing is not None and "done" not in existing:
                    drafts.delete(key)  # declined after all: the answers so far are not kept
                return _to_declined(base, version, instance, lang, channel)
            if not preview:  # "yes" after Back from "no": that decline taken back
                submissions.take_back_decline(version.study, version.wave_id, version.name, submissions.decline_key(version, instance))
        if existing is not None and "done" in existing:
            return _SeeOther(f"{base}/bedankt/{key}")  # sent already: the thank-you page, never a second response
        if existing is not None and existing.get("v") == version.version_id and existing.get("w") == version.wave_id:
            existing["a"], raw, errors = layout.read_page(form, all_pages[0], existing["a"], posted)
            existing.update({"p": 0, "l": lang})
            return _advance(request, form, all_pages, existing, key, base, raw, errors)
        # the page's own key, unless a draft holds it (one emptied when its wave ended: its link stays dead)
        token = key if key and existing is None and not drafts.taken(key) else drafts.new_token()
        state = {"v": version.version_id, "w": version.wave_id, "i": str(instance), "a": answers, "p": 0, "c": channel, "l": lang}
        if preview:
            state["x"] = 1  # kept in the encrypted draft: the respondent's side cannot set it
        return _advance(request, form, all_pages, state, token, base, raw, errors)


def _same_origin(request: HttpRequest) -> bool:
    """Whether the browser says the post comes from a page of this site (``Sec-Fetch-Site``, else ``Origin``)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin", "")
    return bool(origin) and origin.split("://", 1)[-1] == request.get_host()


def _researcher_of(request: HttpRequest, study_id: int) -> bool:
    """Whether the visitor is logged in as a member of the study (any role): may preview a closed wave."""
    from afstand.web.models import Membership

    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and Membership.objects.filter(user=user, study_id=study_id).exists())


def _closed(request: HttpRequest, closed: wave_service.Closure, asked_lang: str | None, note: bool = False) -> HttpResponse:
    """The questionnaire is closed (410 Gone: fieldwork over, for good) or not open yet (403: the
    link exists but takes no answers before the first day, which the page names). ``note``: a
    draft's link, whose answers were not sent (and are deleted)."""
    from django.utils.formats import date_format
    from django.utils.translation import override

    lang, fell_back = choose_language(asked_lang, request.headers.get("Accept-Language", ""))
    t = text(lang)
    with override(lang):
        day = date_format(closed.date, "j F Y")
    ended = closed.reason == "ended"
    form = studies.instrument_for(closed.version)
    other = "en" if lang == "nl" else "nl"
    context = {
        "t": t,
        "lang": lang,
        "fell_back": fell_back,
        "title": layout.title(closed.version, form, lang),
        "heading": t["closed_title"] if ended else t["not_open_title"],
        "message": (t["closed"] if ended else t["not_open"]).format(date=day),
        "date": closed.date,
        "reason": closed.reason,
        "note": t["closed_draft"] if note else "",
        "switch_url": f"?{urlencode({'lang': other})}",
        "other_lang": other,
    }
    return render_in(lang, request, "afstand/closed.html", context, status=410 if ended else 403)


def _to_declined(base: str, version, instance: uuid.UUID, lang: str, channel: str) -> HttpResponse:
    """To the decline page, whose "I want to take part after all" carries the decline's key (``t``)
    and the wave it was counted in (``w``)."""
    query = {"lang": lang, "via": channel, "t": submissions.decline_key(version, instance), "w": version.wave_id}
    return _SeeOther(f"{base}/nee?{urlencode(query)}")


@csrf_exempt  # as the survey: no cookie; the take-back key is the only thing a post can use
def declined(request: HttpRequest, instrument: str, study: str | None = None) -> HttpResponse:
    """The decline page (GET) and "I want to take part after all" (POST ``t``): the decline with
    that key is taken back (not counted) and the browser goes to the consent page again."""
    source = request.POST if request.method == "POST" else request.GET
    lang, _ = choose_language(source.get("lang"), request.headers.get("Accept-Language", ""))
    channel = source.get("via", "")
    channel = channel if channel in CHANNELS else ""
    key, wave_id = source.get("t", ""), source.get("w", "")
    key = key if re.fullmatch(r"[0-9a-f]{32}", key) and re.fullmatch(r"[0-9]{1,18}", wave_id) else ""
    query = urlencode({"lang": lang, **({"via": channel} if channel else {})})
    again = f"{_base(study, instrument)}?{query}"
    if request.method == "POST":
        study_row = Study.objects.filter(slug=study or settings.AFSTAND_STUDY).first()
        if study_row is not None and key:
            submissions.take_back_decline(study_row, int(wave_id), instrument, key)
        return _SeeOther(again)
    taken = {"t": key, "w": wave_id} if key else {}
    switch = {"lang": "en" if lang == "nl" else "nl", **({"via": channel} if channel else {}), **taken}
    return render_in(
        lang,
        request,
        "afstand/declined.html",
        {
            "t": text(lang),
            "lang": lang,
            "again": again,
            "action": f"{_base(study, instrument)}/nee",
            "hidden": {**taken, "lang": lang, "via": channel} if key else {},
            "switch_url": f"?{urlencode(switch)}",
        },
    )


def _gone(request, instrument: str, lang: str, base: str) -> HttpResponse:
    """ "This link no longer works", with a language switch that keeps the rest of the address."""
    t = text(lang)
    other = "en" if lang == "nl" else "nl"
    query = {k: v for k, v in request.GET.items() if k in ("stap", "via")}
    context = {"t": t, "lang": lang, "title": t["resume_gone_title"], "message": t["resume_gone"], "link": f"{base}?lang={lang}"}
    context.update({"switch_url": f"?{urlencode({**query, 'lang': other})}", "other_lang": other})
    return keep_for_history(render_in(lang, request, "afstand/message.html", context, status=404))


@csrf_exempt
def resume(request: HttpRequest, instrument: str, token: str, study: str | None = None) -> HttpResponse:
    """A page of a draft (GET ``?stap=N``; the page where the respondent left off without it) and its answers (POST)."""
    base = _base(study, instrument)
    state = drafts.open_draft(token)
    asked_lang = request.GET.get("lang")
    if isinstance(state, drafts.Ended):  # not sent when its wave ended: "closed" (410); reopened since: gone
        version = studies.version_by_id(state.state.get("v"), state.wave.id)
        if version is not None and version.name == instrument and fieldwork.state(state.wave) == "ended":
            closed = wave_service.Closure(version, state.wave, "ended")
            return keep_for_history(_closed(request, closed, asked_lang or state.state.get("l"), note=True))
        state = None
    if state is None:
        return _gone(request, instrument, choose_language(asked_lang, request.headers.get("Accept-Language", ""))[0], base)
    if "done" in state:
        return _SeeOther(f"{base}/bedankt/{token}") if request.method == "POST" else _thanks_redirect(base, token)
    version = studies.version_by_id(state.get("v"), state.get("w"))
    if version is None or version.name != instrument:
        return _gone(request, instrument, state.get("l", "nl"), base)
    form = studies.instrument_for(version)
    all_pages = layout.pages(form)
    fell_back = False
    if asked_lang:
        lang, fell_back = choose_language(asked_lang)
        if lang != state["l"]:
            state["l"] = lang
            drafts.save(token, state)
    with layout.in_language(form, state["l"]):  # jr:choice-name() as the respondent reads the form
        index = _index(request.GET.get("stap"), state, all_pages)
        if request.method == "POST":
            if index == REVIEW:
                return _send(request, version, form, all_pages, state, token, base)
            state["p"] = index
            answers, raw, errors = layout.read_page(form, all_pages[index], state["a"], dict(request.POST.lists()))
            if index == 0 and request.POST.get("action", "next") in ("next", "review") and _declined(form, all_pages[0], answers):
                if not state.get("x"):  # consent taken back: as on the first visit (a researcher's preview counts nothing)
                    submissions.decline(version, uuid.UUID(state["i"]))
                drafts.delete(token)
                return _to_declined(base, version, uuid.UUID(state["i"]), state["l"], state.get("c", ""))
            state["a"] = answers
            return _advance(request, form, all_pages, state, token, base, raw, errors)
        if index == REVIEW:
            return _review(request, version, form, all_pages, state, token, base)
        if index != state["p"]:  # Back/forward in the browser, or a change link: the errors belong to another page
            state["p"], state["e"], state["r"] = index, {}, {}
        return _page(request, version, form, all_pages, state, token, base, fell_back=fell_back)


def _declined(form, first_page, answers: dict) -> bool:
    return bool(form.consent_item) and form.consent_item in first_page.elements and layout.consent_answer(form, answers) == "declined"


def _thanks_redirect(base: str, token: str) -> HttpResponse:
    return HttpResponseRedirect(f"{base}/bedankt/{token}")


def _index(asked: str | None, state: dict, all_pages: list) -> int | str:
    if asked == REVIEW and state.get("reviewed"):
        return REVIEW
    try:
        number = int(asked) - 1 if asked else state["p"]
    except ValueError:
        number = state["p"]
    reached = state.get("m", state["p"])
    return min(max(0, number), reached, len(all_pages) - 1)


def _advance(request, form, all_pages: list, state: dict, token: str, base: str, raw: dict, errors: dict) -> HttpResponse:
    """After a page was posted: save the draft and send the browser to the right page (GET)."""
    action = request.POST.get("action", "next")
    page = all_pages[state["p"]]
    state["e"], state["r"], state["n"] = {}, {}, []
    if action.startswith("clear:"):
        state["a"].pop(action.removeprefix("clear:"), None)
        state["r"] = raw
    elif action.startswith("lang:"):  # the language link with the page script: this page's answers kept
        state["l"] = choose_language(action.removeprefix("lang:"))[0]
        state["r"] = raw
    elif page.repeat and (action == "add" or action.startswith("remove-")):  # add or remove an instance: the same page again
        state["a"] = form_pages.act(page.repeat, state["a"], action) or state["a"]
    elif action == "back":
        state["r"] = raw
        state["p"] = layout.step(all_pages, state["p"], state["a"], -1)
    else:
        state["n"] = layout.drop_irrelevant(form, page, state["a"])
        errors = {**layout.page_errors(form, page, state["a"]), **errors}
        if errors:
            state["e"], state["r"] = errors, raw
        else:
            following = layout.step(all_pages, state["p"], state["a"], +1)
            if following == state["p"] or (
                action == "review" and state.get("reviewed")
            ):  # the last page: check everything on the review page
                state["n"] += layout.drop_irrelevant(form, None, state["a"])
                state["reviewed"] = True
                drafts.save(token, state)
                return _SeeOther(f"{base}/verder/{token}?stap={REVIEW}")
            state["p"] = following
    state["m"] = max(state.get("m", 0), state["p"])
    drafts.save(token, state)
    anchor = "#errors" if state["e"] else ""
    return _SeeOther(f"{base}/verder/{token}?stap={state['p'] + 1}{anchor}")


def _common(request, version, form, state: dict, token: str | None, base: str, fell_back: bool = False) -> dict:
    lang = state["l"]
    t = text(lang)
    other = "en" if lang == "nl" else "nl"
    query = {k: v for k, v in request.GET.items() if k in ("stap", "via")}
    context = {
        "t": t,
        "lang": lang,
        "title": layout.title(version, form, lang),
        "fell_back": fell_back,
        "switch_url": f"?{urlencode({**query, 'lang': other})}",
        "other_lang": other,
        "preview": bool(state.get("x")),
    }
    if token:
        context["resume_url"] = request.build_absolute_uri(f"{base}/verder/{token}?lang={lang}")
    return context


def _page(request, version, form, all_pages: list, state: dict, token: str | None, base: str, fell_back: bool = False) -> HttpResponse:
    lang = state["l"]
    language = layout.language_code(form, lang)
    index = state["p"]
    page = all_pages[index]
    t = text(lang)
    errors = state.get("e") or {}
    raw = state.get("r") or {}
    blocks = layout.blocks(form, page, state["a"], raw, language)
    instances = sum(1 for b in blocks if b["kind"] == "instance")
    fixed = page.repeat is not None and form.group(page.repeat) is not None and bool(form.group(page.repeat).repeat_count)
    context = _common(request, version, form, state, token, base, fell_back)
    context.update(
        {
            "page_title": form_pages.interpolate(form, page.label(language), form_pages.shown_answers(form, state["a"])),
            "blocks": blocks,
            "errors": layout.error_list(form, errors, language, t["errors"], state["a"]),
            "dropped": layout.labels(form, state.get("n") or [], language),
            "step_text": t["step"].format(step=index + 1, steps=len(all_pages)),
            "step": index + 1,
            "steps": len(all_pages),
            "time_text": minutes_text(lang, layout.minutes_left(form, all_pages, index, state["a"]), left=index > 0),
            "first": index == 0,
            "reviewed": bool(state.get("reviewed")),
            "context_values": layout.context_values(form, page, state["a"]),
            "read_aloud": layout.read_aloud(version),
            # the consent page posts to another address than its own: a browser drops what it kept
            # of an address that a form was posted to (RFC 9111, 4.4), and Back needs this page
            "action": f"{base}/verder/{token}?stap={index + 1}" if token else f"{base}?stap=1",
            # the consent page: its instance and the key of the draft that Next starts, made here;
            # the browser keeps this page for its history, so Back and Next continue that draft
            "hidden": {} if token else {"lang": lang, "via": state.get("c", ""), "i": str(uuid.uuid4()), "k": drafts.new_token()},
            "first_question": layout.first_question(blocks),
            "repeat": page.repeat,
            "instances": instances,
            "can_add": bool(page.repeat) and not fixed and instances < form_pages.MAX_SHOWN,
        }
    )
    context["error_names"] = {e["name"] for e in context["errors"]}
    return render_in(lang, request, "afstand/page.html", context)


def _review(request, version, form, all_pages: list, state: dict, token: str, base: str) -> HttpResponse:
    lang = state["l"]
    language = layout.language_code(form, lang)
    sections = layout.review_sections(form, all_pages, state["a"], language)
    for section in sections:
        section["url"] = f"{base}/verder/{token}?stap={section['index'] + 1}"
    context = _common(request, version, form, state, token, base)
    context.update(
        {
            "sections": sections,
            "action": f"{base}/verder/{token}?stap={REVIEW}",
            "dropped": layout.labels(form, state.get("n") or [], language),
            "back_url": f"{base}/verder/{token}?stap={state['p'] + 1}",
        }
    )
    return render_in(lang, request, "afstand/review.html", context)


def _send(request, version, form, all_pages: list, state: dict, token: str, base: str) -> HttpResponse:
    if state.get("x"):  # a researcher's preview of a closed wave: nothing is stored
        drafts.save(token, {"done": "", "l": state["l"], "preview": True, "s": version.study.slug})
        return _SeeOther(f"{base}/bedankt/{token}")
    outcome = submissions.submit(version, uuid.UUID(state["i"]), state["a"], channel=state.get("c", ""))
    if outcome.status == 400:  # a page-level check missed something: show where
        errors = {k: v["code"] for k, v in outcome.body.get("errors", {}).items()}
        first = next(iter(errors), None)
        state["p"] = next((i for i, p in enumerate(all_pages) if first in p.elements), state["p"])
        state["e"] = {k: v for k, v in errors.items() if k in all_pages[state["p"]].elements}
        drafts.save(token, state)
        return _SeeOther(f"{base}/verder/{token}?stap={state['p'] + 1}#errors")
    done = {"done": outcome.body.get("withdrawal_code") or "", "l": state["l"], "gone": outcome.status == 410, "s": version.study.slug}
    done.update({"w": version.wave_id, "m": version.wave.label})  # its wave; the thank-you page's sign-up link is of this wave
    drafts.save(token, done)  # answers gone from the draft; the code stays readable with the link only
    return _SeeOther(f"{base}/bedankt/{token}")


def thanks(request: HttpRequest, instrument: str, token: str, study: str | None = None) -> HttpResponse:
    state = drafts.load(token)
    base = _base(study, instrument)
    if state is None or "done" not in state:
        return _gone(request, instrument, choose_language(request.GET.get("lang"), request.headers.get("Accept-Language", ""))[0], base)
    lang = choose_language(request.GET.get("lang"))[0] if request.GET.get("lang") else state["l"]
    t = text(lang)
    if state.get("gone"):
        return render_in(lang, request, "afstand/withdraw.html", {"t": t, "lang": lang, "outcome": "already_withdrawn"})
    if state.get("preview"):
        return render_in(
            lang, request, "afstand/message.html", {"t": t, "lang": lang, "title": t["preview_done_title"], "message": t["preview_done"]}
        )
    return render_in(
        lang,
        request,
        "afstand/thanks.html",
        {
            "t": t,
            "lang": lang,
            "code": state["done"],
            "code_groups": _groups(state["done"]),
            "download_url": f"{base}/bedankt/{token}/code.txt?lang={lang}",
            "signup_url": ""
            if _ended(state.get("w"))
            else f"/aanmelden/{state['s']}{'/m/' + state['m'] if state.get('m') else ''}?lang={lang}",
            "withdraw_url": f"/intrekken?lang={lang}",
            "switch_url": f"?lang={'en' if lang == 'nl' else 'nl'}",
        },
    )


def _ended(wave_id) -> bool:
    """Whether the wave (by id) has ended: its sign-up form is closed, so the thank-you page does not link to it."""
    wave = Wave.objects.filter(id=wave_id).first() if isinstance(wave_id, int) else None
    return wave is not None and fieldwork.state(wave) == "ended"


def _groups(code: str) -> list[str]:
    """The code's groups, each with its dash: the page breaks a line only between them."""
    parts = code.split("-")
    return [part + "-" for part in parts[:-1]] + parts[-1:]


def code_file(request: HttpRequest, instrument: str, token: str, study: str | None = None) -> HttpResponse:
    """The withdrawal code as a small text file to keep."""
    state = drafts.load(token)
    if state is None or not state.get("done"):
        return HttpResponseNotFound(gettext("This link no longer works."))
    lang = choose_language(request.GET.get("lang"))[0]
    t = text(lang)
    body = f"{t['code_file']}\n\n{state['done']}\n\n{t['withdraw_title']}: {request.build_absolute_uri('/intrekken')}\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="code.txt"'
    return response
