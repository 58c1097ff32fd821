"""Download the study's coding as a REFI-QDA project (.qdpx) for ATLAS.ti, NVivo or MAXQDA."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from afstand.services import AfstandError, access
from afstand.services.access import EXPORT_ROLES, audit
from afstand.services.qdpx import import_codings, qdpx_bytes

MAX_QDPX_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    project = forms.FileField(label=gettext_lazy("REFI-QDA project (.qdpx) coded in ATLAS.ti, NVivo or MAXQDA"))


@login_required
def download(request: HttpRequest, study: str) -> HttpResponse:
    """The whole study's coding, or one wave's (``?meting=<label>``); every source names its wave."""
    from afstand.web.research.waves import chosen_wave

    membership = access.membership(request.user, study, EXPORT_ROLES)
    wave = chosen_wave(request, membership.study)
    data, project = qdpx_bytes(membership.study.slug, wave)
    name = f"{membership.study.slug}-{wave}" if wave else membership.study.slug
    audit(request.user, "export", f"{name}.qdpx ({len(project.sources)} sources, {len(project.codings)} codings)")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.qdpx"'
    return response


@login_required
def upload(request: HttpRequest, study: str) -> HttpResponse:
    """Bring codings made in another tool back: sources by afstand's ids, coders by user name."""
    membership = access.membership(request.user, study, {"owner"})
    form = ImportForm(request.POST or None, request.FILES or None)
    message = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["project"]
        if upload_file.size > MAX_QDPX_BYTES:
            form.add_error(
                "project",
                _("%(name)s: too large (%(size)d bytes; at most %(max)d)")
                % {"name": upload_file.name, "size": upload_file.size, "max": MAX_QDPX_BYTES},
            )
        else:
            try:
                counts = import_codings(membership.study, upload_file.name, upload_file.read())
            except AfstandError as err:
                form.add_error("project", str(err))
            else:
                audit(request.user, "import-qdpx", f"{study}: {upload_file.name} ({counts['stored']} new codings)")
                message = _("%(n)d codings read, %(new)d of them new.") % {"n": counts["codings"], "new": counts["stored"]}
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "afstand/research/upload.html",
        {
            "form": form,
            "study": membership.study,
            "title": _("Import coding – %(study)s") % {"study": membership.study.title},
            "intro": message
            or _(
                "Answers are matched by their id in afstand's export, codes by the study's codebook "
                "and coders by user name; a file with anything that does not match is refused as a whole."
            ),
        },
        status=status,
    )
