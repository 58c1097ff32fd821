"""Withdrawal and the separate sign-up form (lottery / focus group)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.translation import gettext

from afstand.web import adapter
from afstand.web.models import SignUp, Study
from afstand.web.texts import LANGUAGES, render_in, text


def _lang(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang")
    return lang if lang in LANGUAGES else "nl"


def withdraw(request: HttpRequest) -> HttpResponse:
    lang = _lang(request)
    status, outcome = 200, None
    if request.method == "POST":
        code = (request.POST.get("code") or "").strip()[:64]
        if code and adapter.withdraw(code):
            outcome = "withdrawn"
        else:
            outcome, status = "not_found", 404
    return render_in(lang, request, "afstand/withdraw.html", {"t": text(lang), "lang": lang, "outcome": outcome}, status=status)


class SignUpForm(forms.Form):
    purpose = forms.ChoiceField(choices=SignUp.PURPOSES, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=40, required=False)
    availability = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def signup(request: HttpRequest, study: str) -> HttpResponse:
    lang = _lang(request)
    study_obj = Study.objects.filter(slug=study).first()
    if study_obj is None:
        return HttpResponseNotFound(gettext("Unknown study."))
    form = SignUpForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        SignUp.objects.create(study=study_obj, purpose=data["purpose"], name=data["name"], email=data["email"],
                              phone=data["phone"], availability=data["availability"], signed_up_on=dt.date.today())
        done, form = True, SignUpForm()
    return render_in(lang, request, "afstand/signup.html", {"t": text(lang), "lang": lang, "form": form, "done": done},
                  status=400 if request.method == "POST" and not done else 200)
