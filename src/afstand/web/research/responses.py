"""Browse stored responses (read-only): a paged, filtered table per instrument."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from afstand.services import access
from afstand.services.access import EXPORT_ROLES, audit
from afstand.services.browse import browse


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def responses(request: HttpRequest, study: str, instrument: str) -> HttpResponse:
    membership = access.membership(request.user, study, EXPORT_ROLES)
    params = {key: request.GET.get(key, "")[:200] for key in ("versie", "van", "tot", "kanaal", "zoek")}
    try:
        page_number = max(1, int(request.GET.get("pagina", "1")))
    except ValueError:
        page_number = 1
    page = browse(
        membership.study.slug,
        instrument,
        version=params["versie"],
        date_from=_date(params["van"]),
        date_to=_date(params["tot"]),
        channel=params["kanaal"],
        search=params["zoek"],
        page=page_number,
    )
    audit(request.user, "browse", f"{study}/{instrument} page {page.page}")
    query = {k: v for k, v in params.items() if v}
    links = {
        "previous": urlencode({**query, "pagina": page.page - 1}) if page.page > 1 else None,
        "next": urlencode({**query, "pagina": page.page + 1}) if page.page < page.pages else None,
    }
    return render(request, "afstand/research/responses.html", {"study": membership.study, "page": page, "params": params, "links": links})
