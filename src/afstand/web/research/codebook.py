"""Upload a codebook (CSV or REFI-QDA .qdc) so that a study made in the web app can be coded."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from afstand.services import AfstandError, access, codebooks
from afstand.services.access import audit
from afstand.services.studies import core_study

MAX_CODEBOOK_BYTES = 2 * 1024 * 1024


class CodebookForm(forms.Form):
    codebook = forms.FileField(label=gettext_lazy("Codebook (.csv with question, code, label_nl; or REFI-QDA .qdc)"))
    item = forms.ChoiceField(label=gettext_lazy("Open question the codes are for (when the file names none)"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(name, f"{name} ({instrument})") for name, instrument in items]

    def clean_codebook(self):
        upload = self.cleaned_data["codebook"]
        if upload.size > MAX_CODEBOOK_BYTES:
            raise forms.ValidationError(
                _("%(name)s: too large (%(size)d bytes; at most %(max)d)")
                % {"name": upload.name, "size": upload.size, "max": MAX_CODEBOOK_BYTES}
            )
        return upload


@login_required
def upload(request: HttpRequest, study: str) -> HttpResponse:
    membership = access.membership(request.user, study, {"owner"})
    if core_study(membership.study.slug) is not None:  # a study folder brings its own codebooks
        return render(
            request,
            "afstand/research/message.html",
            {"study": membership.study, "message": _("This study's codebooks come with its study folder.")},
            status=400,
        )
    items = sorted(codebooks.text_items(membership.study).items())
    form = CodebookForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["codebook"]
        try:
            book = codebooks.upload(membership.study, upload_file.name, upload_file.read(), form.cleaned_data.get("item") or "")
        except AfstandError as err:
            form.add_error("codebook", str(err))
        else:
            audit(request.user, "upload-codebook", f"{study}: {upload_file.name} ({len(book.codes)} codes)")
            return redirect(f"/onderzoek/{study}/coderen/")
    return render(
        request,
        "afstand/research/upload.html",
        {
            "form": form,
            "study": membership.study,
            "title": _("Codebook – %(study)s") % {"study": membership.study.title},
            "intro": _(
                "Each codebook question is the name of an open question of the study's forms. "
                "A new upload replaces the codebook; codings already made are kept."
            )
            + " "
            + _("The codebook is shared by every wave of the study: a new upload may add codes, but must keep every code already applied."),
        },
        status=400 if request.method == "POST" else 200,
    )
