"""Withdrawal and the separate sign-up form (lottery / focus group)."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.utils.translation import gettext, override
from django.views.decorators.csrf import csrf_exempt

from afstand.services import fieldwork, signup_spool, submissions
from afstand.services import waves as wave_service
from afstand.web import ratelimit
from afstand.web.models import SignUp, Study
from afstand.web.security import keep_for_history
from afstand.web.texts import choose_language, code_length_text, render_in, text, too_many_text


def _lang(request: HttpRequest) -> tuple[str, bool]:
    return choose_language(request.POST.get("lang") or request.GET.get("lang"), request.headers.get("Accept-Language", ""))


def _switch(lang: str, done: bool = False) -> dict:
    other = "en" if lang == "nl" else "nl"
    return {"switch_url": f"?{urlencode({'lang': other, **({DONE: 1} if done else {})})}", "other_lang": other}


# Guessing a 100-bit code is hopeless anyway; failed tries are still limited per client (afstand.web.ratelimit).
WITHDRAW_FAILURES = ratelimit.Limiter("withdraw", lambda: settings.AFSTAND_WITHDRAW_LIMIT, lambda: settings.AFSTAND_WITHDRAW_WINDOW)
SIGNUPS = ratelimit.Limiter("signup", lambda: settings.AFSTAND_SIGNUP_LIMIT, lambda: settings.AFSTAND_SIGNUP_WINDOW)


class _SeeOther(HttpResponseRedirect):
    status_code = 303  # done: the browser GETs the result, so Back, Forward and reload never post again


DONE = "klaar"  # the result page of a form that was sent: ``?klaar=1``


def _done(path: str, lang: str) -> HttpResponse:
    return _SeeOther(f"{path}?{urlencode({'lang': lang, DONE: 1})}")


def _answer(request: HttpRequest, lang: str, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A page; the answer to a post (an error: a success is a redirect) is one the browser may keep
    for Back and Forward, as frameworks' re-rendered forms are, instead of asking to send it again."""
    response = render_in(lang, request, template, context, status=status)
    return keep_for_history(response) if request.method == "POST" else response


@csrf_exempt  # no cookie and no session: nothing for a forged request to ride on
def withdraw(request: HttpRequest) -> HttpResponse:
    """Delete answers with the withdrawal code. Case, spaces and dashes do not matter. Only a
    lookup that finds nothing is a failed try: an empty field, a code too short or too long and a
    typo the code's check character catches are explained instead, and a code whose answers were
    deleted already (a double tap, an old tab) leads to the same result. The result is a
    post/redirect/get; an error page is the post's own answer (it shows what was typed; nothing
    typed is stored or put in an address), which the browser may keep for Back and Forward
    (:func:`keep_for_history`) and the page script turns into a GET entry of the history."""
    lang, fell_back = _lang(request)
    status, outcome, typed, length = 200, None, "", 0
    t = text(lang)
    if request.method != "POST" and request.GET.get(DONE):
        outcome = "withdrawn"
    if request.method == "POST":
        key = ratelimit.client_key(request)
        typed = (request.POST.get("code") or "").strip()[:64]
        read = submissions.read_typed_code(typed)
        length = read.length
        if read.kind != "code":
            outcome, status = read.kind, 400
        elif WITHDRAW_FAILURES.over(key):
            outcome, status = "too_many", 429
        elif submissions.withdraw(read.code) or submissions.withdrawn_before(read.code):
            return _done("/intrekken", lang)
        else:
            WITHDRAW_FAILURES.hit(key)
            outcome, status = "not_found", 404
        t = {**t, "too_many": too_many_text(lang, settings.AFSTAND_WITHDRAW_WINDOW)}
    return _answer(
        request,
        lang,
        "afstand/withdraw.html",
        {
            "t": t,
            "lang": lang,
            "outcome": outcome,
            "error": status >= 400,
            "length_text": code_length_text(lang, submissions.CODE_LENGTH, length),
            "typed": typed,
            "posted": request.method == "POST",
            "fell_back": fell_back,
            **_switch(lang, outcome == "withdrawn"),
        },
        status=status,
    )


class SignUpForm(forms.Form):
    purpose = forms.ChoiceField(choices=SignUp.PURPOSES, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=40, required=False)
    availability = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


FIELDS = (
    ("purpose", "purpose", ""),
    ("name", "name", "name"),
    ("email", "email", "email"),
    ("phone", "phone", "tel"),
    ("availability", "availability", "off"),
)


@csrf_exempt  # as withdraw
def signup(request: HttpRequest, study: str, wave: str | None = None) -> HttpResponse:
    """The sign-up form of a wave (``/aanmelden/<study>/m/<wave>``, the thank-you page's link; the
    plain ``/aanmelden/<study>``: the current wave). The sign-up belongs to that wave. Once the
    wave has ended the form is closed as the wave's survey link is (410; nothing is spooled)."""
    lang, fell_back = _lang(request)
    study_obj = Study.objects.filter(slug=study).first()
    wave_obj = wave_service.wave_by_label(study_obj, wave) if study_obj is not None else None
    if study_obj is None or (wave is not None and wave_obj is None):
        return HttpResponseNotFound(gettext("Unknown study."))
    path = f"/aanmelden/{study}/m/{wave}" if wave is not None else f"/aanmelden/{study}"
    t = text(lang)
    if wave_obj is not None and fieldwork.state(wave_obj) == "ended":  # as its survey link: closed, and nothing is spooled
        return _signup_closed(request, lang, fell_back, t, wave_obj)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and SIGNUPS.hit(ratelimit.client_key(request)):
        message = too_many_text(lang, settings.AFSTAND_SIGNUP_WINDOW)
        return _answer(
            request, lang, "afstand/message.html", {"t": t, "lang": lang, "title": t["signup_title"], "message": message}, status=429
        )
    nonce = request.POST.get("n", "")
    nonce = nonce if re.fullmatch(r"[0-9a-f]{32}", nonce) else secrets.token_hex(16)  # this form: sent twice, stored once
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_spool.add(study_obj, data, once=nonce, wave=wave_obj)  # spooled durably; written to the database in shuffled batches
        return _done(path, lang)
    done = request.method != "POST" and bool(request.GET.get(DONE))
    with override(lang):  # Django's own messages ("Enter a valid email address.") in the page's language
        fields = [
            {
                "name": name,
                "label": t[key],
                "autocomplete": auto,
                "value": form[name].value() or "",
                "errors": [str(e) for e in form.errors.get(name, [])],
            }
            for name, key, auto in FIELDS
        ]
    errors = [{"id": f["name"], "label": f["label"], "message": e} for f in fields for e in f["errors"]]
    return _answer(
        request,
        lang,
        "afstand/signup.html",
        {
            "t": t,
            "lang": lang,
            "fields": fields,
            "errors": errors,
            "done": done,
            "posted": request.method == "POST",
            "action": path,
            "nonce": nonce,
            "fell_back": fell_back,
            **_switch(lang, done),
        },
        status=400 if request.method == "POST" and not done else 200,
    )


def _signup_closed(request: HttpRequest, lang: str, fell_back: bool, t: dict, wave) -> HttpResponse:
    """The sign-up form of a wave whose fieldwork has ended: closed for good (410, the page of a
    closed survey link), with its last day; a post is not read, so nothing is spooled."""
    from django.utils.formats import date_format

    with override(lang):
        day = date_format(wave.ends_on, "j F Y")
    context = {
        "t": t,
        "lang": lang,
        "fell_back": fell_back,
        "title": t["signup_title"],
        "heading": t["signup_closed_title"],
        "message": t["signup_closed"].format(date=day),
        "reason": "ended",
        **_switch(lang),
    }
    return _answer(request, lang, "afstand/closed.html", context, status=410)
