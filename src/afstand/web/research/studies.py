"""Create a study and add instrument versions by uploading XLSForms (KoboToolbox-style deployment).

Every upload is a new immutable :class:`InstrumentVersion`; the newest becomes the one new
respondents get, and every stored response keeps the version it was answered on.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from afstand.services import AfstandError, access, studies
from afstand.services.access import audit
from afstand.web.models import Study

MAX_FORM_BYTES = studies.MAX_FORM_BYTES  # the same limits as the CLI's (afstand.services.studies)
SUFFIXES = studies.FORM_SUFFIXES


class VersionForm(forms.Form):
    instrument = forms.SlugField(label=gettext_lazy("Name of the questionnaire (e.g. werkers)"), max_length=studies.MAX_SLUG)
    xlsform = forms.FileField(label=gettext_lazy("XLSForm (.xlsx, .xls, .md or .csv) or LimeSurvey survey structure (.lss)"))
    target = forms.IntegerField(label=gettext_lazy("Target number of respondents"), required=False, min_value=1, max_value=1_000_000)

    def clean_xlsform(self):
        upload = self.cleaned_data["xlsform"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError(
                _("%(name)s: not an XLSForm (expected %(suffixes)s)") % {"name": upload.name, "suffixes": ", ".join(SUFFIXES)}
            )
        if upload.size > MAX_FORM_BYTES:
            raise forms.ValidationError(
                _("%(name)s: too large (%(size)d bytes; at most %(max)d)")
                % {"name": upload.name, "size": upload.size, "max": MAX_FORM_BYTES}
            )
        return upload


class WaveVersionForm(VersionForm):
    """A new version of a questionnaire, added to one of the study's waves (default: the current one)."""

    wave = forms.ChoiceField(label=gettext_lazy("Wave"), required=False)

    def __init__(self, *args, labels: list[str], current: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [(label, label) for label in labels]
        self.fields["wave"].initial = current


class StudyForm(VersionForm):
    title = forms.CharField(label=gettext_lazy("Title of the study"), max_length=studies.MAX_TITLE)
    slug = forms.SlugField(label=gettext_lazy("Short name in the links (e.g. werken-op-afstand-2022)"), max_length=studies.MAX_SLUG)
    field_order = ["title", "slug", "instrument", "xlsform", "target"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Study.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("There already is a study named %(slug)s.") % {"slug": slug})
        return slug


def _form(form: VersionForm) -> studies.Form:
    """The upload, parsed with bounds before any transaction opens (a slow or hostile file holds no database lock)."""
    upload = form.cleaned_data["xlsform"]
    content = upload.read()
    return studies.Form(
        form.cleaned_data["instrument"],
        upload.name,
        content,
        form.cleaned_data.get("target"),
        instrument=studies.parse_upload(upload.name, content),
    )


def _warn(request: HttpRequest, version) -> None:
    """The uploaded form's warnings (pyxform's; what a LimeSurvey .lss could not carry over), shown on the next page."""
    for warning in studies.instrument_for(version).warnings:
        messages.warning(request, warning)


@login_required
def new_study(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:  # a new study opens a public sign-up form: staff only (afstand createuser --staff)
        raise PermissionDenied
    form = StudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:  # a form that does not load leaves no half-made study behind
            study, (version,) = studies.create_study(
                form.cleaned_data["slug"], form.cleaned_data["title"], [_form(form)], owner=request.user
            )
        except AfstandError as err:
            form.add_error("xlsform", str(err))
        else:
            audit(request.user, "create-study", f"{study.slug} with {version.version_id}")
            _warn(request, version)
            return redirect(f"/onderzoek/{study.slug}/")
    return render(
        request, "afstand/research/upload.html", {"form": form, "title": _("New study")}, status=400 if request.method == "POST" else 200
    )


@login_required
def new_version(request: HttpRequest, study: str) -> HttpResponse:
    from afstand.services import waves

    membership = access.membership(request.user, study, {"owner"})
    current = waves.current_wave(membership.study)
    labels = [w.label for w in waves.waves_of(membership.study)]
    form = WaveVersionForm(request.POST or None, request.FILES or None, labels=labels, current=current.label if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = _form(form)
            wave = waves.wave_by_label(membership.study, form.cleaned_data.get("wave") or None)
            version = studies.add_version(
                membership.study, upload.name, upload.filename, upload.content, upload.target, instrument=upload.instrument, wave=wave
            )
        except AfstandError as err:
            form.add_error("xlsform", str(err))
        else:
            audit(request.user, "upload-version", f"{study}: {version.version_id}")
            _warn(request, version)
            return redirect(f"/onderzoek/{study}/")
    return render(
        request,
        "afstand/research/upload.html",
        {"form": form, "study": membership.study, "title": _("New version – %(study)s") % {"study": membership.study.title}},
        status=400 if request.method == "POST" else 200,
    )
