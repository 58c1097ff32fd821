"""Download the study's coding as a REFI-QDA project (.qdpx) for ATLAS.ti, NVivo or MAXQDA."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from afstand.services import access
from afstand.services.access import EXPORT_ROLES, audit
from afstand.services.qdpx import qdpx_bytes


@login_required
def download(request: HttpRequest, study: str) -> HttpResponse:
    membership = access.membership(request.user, study, EXPORT_ROLES)
    data, project = qdpx_bytes(membership.study.slug)
    audit(request.user, "export", f"{study}.qdpx ({len(project.sources)} sources, {len(project.codings)} codings)")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{membership.study.slug}.qdpx"'
    return response
