"""Read-only browsing of stored responses on the researcher side: a paged table per instrument,
filtered by version, date, channel and a search in the answers (as Kobo's data table).

Nothing here changes a response (withdrawal remains the only deletion). A filter on the
recruitment channel that leaves fewer responses than the study's minimum group size shows none
of them, so no small group can be picked out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404

from afstand.services.studies import core_study, instrument_for
from afstand.web.models import InstrumentVersion, Response

PAGE_SIZE = 50


@dataclass
class Page:
    instrument: str
    versions: list[str]
    channels: list[str]
    columns: list[tuple[str, str]]  # (item name, label of the newest version that has it)
    rows: list[list[str]] = field(default_factory=list)  # public id, version, date, then one cell per column
    total: int = 0
    page: int = 1
    pages: int = 1
    suppressed: bool = False  # the channel filter left a group smaller than the study's minimum
    min_group_size: int = 10


def browse(
    study_slug: str,
    name: str,
    *,
    version: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str = "",
    search: str = "",
    page: int = 1,
) -> Page:
    versions = list(InstrumentVersion.objects.filter(study__slug=study_slug, name=name).order_by("id"))
    if not versions:
        raise Http404(f"no instrument {name!r} in study {study_slug!r}")
    instruments = {v.version_id: instrument_for(v) for v in versions}
    columns: dict[str, str] = {}
    for v in reversed(versions):  # the newest version's order and labels first
        for item in instruments[v.version_id].items.values():
            columns.setdefault(item.name, item.label())
    responses = Response.objects.filter(instrument_version__in=versions)
    channels = sorted({c for c in responses.values_list("channel", flat=True).distinct() if c})
    if version:
        responses = responses.filter(instrument_version__version_id=version)
    if date_from:
        responses = responses.filter(submitted_on__gte=date_from)
    if date_to:
        responses = responses.filter(submitted_on__lte=date_to)
    if channel:
        responses = responses.filter(channel=channel)
    if search.strip():
        responses = responses.annotate(answers_text=Cast("answers", TextField())).filter(answers_text__icontains=search.strip())
    core = core_study(study_slug)
    minimum = core.min_group_size if core else 10
    result = Page(name, [v.version_id for v in versions], channels, list(columns.items()), min_group_size=minimum)
    total = responses.count()
    if channel and total < minimum:
        result.suppressed = True
        return result
    paginator = Paginator(
        responses.order_by("public_id")
        .select_related("instrument_version")
        .only("public_id", "submitted_on", "answers", "instrument_version__version_id"),
        PAGE_SIZE,
    )
    current = paginator.get_page(page)
    result.total, result.page, result.pages = total, current.number, paginator.num_pages
    for response in current.object_list:
        instrument = instruments[response.instrument_version.version_id]
        cells = []
        for item_name in columns:
            value = response.answers.get(item_name, "")
            item = instrument.items.get(item_name)
            if value and item is not None and item.choice_list is not None:
                value = "; ".join(
                    (item.choice_list.get(part).label() if item.choice_list.get(part) else part) for part in str(value).split()
                )
            cells.append("" if value is None else str(value))
        result.rows.append([response.public_id, response.instrument_version.version_id, response.submitted_on.isoformat()] + cells)
    return result
