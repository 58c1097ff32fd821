"""Create a study and add instrument versions by uploading XLSForms (KoboToolbox-style deployment).

Every upload is a new immutable :class:`InstrumentVersion`; the newest becomes the one new
respondents get, and every stored response keeps the version it was answered on.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from afstand.errors import AfstandError
from afstand.web import adapter
from afstand.web.models import Membership, Study
from afstand.web.research import _membership, audit

MAX_FORM_BYTES = 5 * 1024 * 1024
SUFFIXES = (".xlsx", ".xls", ".md", ".csv")


class VersionForm(forms.Form):
    instrument = forms.SlugField(label="Naam van de vragenlijst (bijv. werkers)", max_length=50)
    xlsform = forms.FileField(label="XLSForm (.xlsx, .xls, .md of .csv)")
    target = forms.IntegerField(label="Streefaantal respondenten", required=False, min_value=1, max_value=1_000_000)

    def clean_xlsform(self):
        upload = self.cleaned_data["xlsform"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(f"{upload.name}: geen XLSForm (verwacht {', '.join(SUFFIXES)})")
        if upload.size > MAX_FORM_BYTES:
            raise forms.ValidationError(f"{upload.name}: te groot ({upload.size} bytes; maximaal {MAX_FORM_BYTES})")
        return upload


class StudyForm(VersionForm):
    title = forms.CharField(label="Titel van het onderzoek", max_length=200)
    slug = forms.SlugField(label="Korte naam in de links (bijv. werken-op-afstand-2022)", max_length=50)
    field_order = ["title", "slug", "instrument", "xlsform", "target"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Study.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"Er is al een onderzoek met de naam {slug}.")
        return slug


def _add(form: VersionForm, study: Study):
    upload = form.cleaned_data["xlsform"]
    return adapter.add_version(study, form.cleaned_data["instrument"], upload.name, upload.read(), form.cleaned_data.get("target"))


@login_required
def new_study(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a form that does not load leaves no half-made study behind
                study = Study.objects.create(slug=form.cleaned_data["slug"], title=form.cleaned_data["title"])
                Membership.objects.create(user=request.user, study=study, role="owner")
                version = _add(form, study)
        except AfstandError as err:
            form.add_error("xlsform", str(err))
        else:
            audit(request.user, "create-study", f"{study.slug} with {version.version_id}")
            return redirect(f"/onderzoek/{study.slug}/")
    return render(request, "afstand/research/upload.html", {"form": form, "title": "Nieuw onderzoek"},
                  status=400 if request.method == "POST" else 200)


@login_required
def new_version(request: HttpRequest, study: str) -> HttpResponse:
    membership = _membership(request, study, {"owner"})
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = _add(form, membership.study)
        except AfstandError as err:
            form.add_error("xlsform", str(err))
        else:
            audit(request.user, "upload-version", f"{study}: {version.version_id}")
            return redirect(f"/onderzoek/{study}/")
    return render(request, "afstand/research/upload.html", {"form": form, "study": membership.study,
                                                             "title": f"Nieuwe versie – {membership.study.title}"},
                  status=400 if request.method == "POST" else 200)
