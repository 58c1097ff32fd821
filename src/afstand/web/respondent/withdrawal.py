"""Withdrawal and the separate sign-up form (lottery / focus group)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from afstand.services import signup_spool, submissions
from afstand.web import ratelimit
from afstand.web.models import SignUp, Study
from afstand.web.texts import LANGUAGES, render_in, text


def _lang(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang")
    return lang if lang in LANGUAGES else "nl"


# Guessing a 100-bit code is hopeless anyway; failed tries are still limited per client (afstand.web.ratelimit).
WITHDRAW_FAILURES = ratelimit.Limiter("withdraw", lambda: settings.AFSTAND_WITHDRAW_LIMIT, lambda: settings.AFSTAND_WITHDRAW_WINDOW)
SIGNUPS = ratelimit.Limiter("signup", lambda: settings.AFSTAND_SIGNUP_LIMIT, lambda: settings.AFSTAND_SIGNUP_WINDOW)


@csrf_exempt  # no cookie and no session: nothing for a forged request to ride on
def withdraw(request: HttpRequest) -> HttpResponse:
    lang = _lang(request)
    status, outcome = 200, None
    if request.method == "POST":
        key = ratelimit.client_key(request)
        code = (request.POST.get("code") or "").strip()[:64]
        if WITHDRAW_FAILURES.over(key):
            outcome, status = "too_many", 429
        elif code and submissions.withdraw(code):
            outcome = "withdrawn"
        else:
            WITHDRAW_FAILURES.hit(key)
            outcome, status = "not_found", 404
    return render_in(lang, request, "afstand/withdraw.html", {"t": text(lang), "lang": lang, "outcome": outcome}, status=status)


class SignUpForm(forms.Form):
    purpose = forms.ChoiceField(choices=SignUp.PURPOSES, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=40, required=False)
    availability = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


@csrf_exempt  # as withdraw
def signup(request: HttpRequest, study: str) -> HttpResponse:
    lang = _lang(request)
    study_obj = Study.objects.filter(slug=study).first()
    if study_obj is None:
        return HttpResponseNotFound(gettext("Unknown study."))
    form = SignUpForm(request.POST or None)
    done = False
    if request.method == "POST" and SIGNUPS.hit(ratelimit.client_key(request)):
        return render_in(lang, request, "afstand/message.html", {"t": text(lang), "lang": lang, "message": text(lang)["too_many"]}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_spool.add(study_obj, data)  # spooled durably; written to the database in shuffled batches
        done, form = True, SignUpForm()
    return render_in(lang, request, "afstand/signup.html", {"t": text(lang), "lang": lang, "form": form, "done": done},
                  status=400 if request.method == "POST" and not done else 200)
