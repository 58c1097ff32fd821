"""Focus-group notes in the web app: upload a session's notes (.txt, .md, .docx) into a wave (the
current one unless chosen), see them per theme with the statement tallies, and code them in the
coding queue like open answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from afstand.services import AfstandError, access
from afstand.services import coding as coding_store
from afstand.services import waves as wave_service
from afstand.services.access import EXPORT_ROLES, audit
from afstand.web.models import FocusNote

MAX_NOTES = 2 * 1024 * 1024


@login_required
def notes(request: HttpRequest, study: str) -> HttpResponse:
    membership = access.membership(request.user, study)
    guides = coding_store.guides(study)
    all_waves = wave_service.waves_of(membership.study)
    current = wave_service.current_wave(membership.study)
    error, status = "", 200
    if request.method == "POST":
        if membership.role not in EXPORT_ROLES:  # owners and analysts add material; coders read and code
            raise PermissionDenied
        upload = request.FILES.get("notes")
        try:
            if upload is None:
                raise AfstandError("choose a notes file (.txt, .md or .docx)")
            if upload.size > MAX_NOTES:
                raise AfstandError(f"{upload.name}: too large (at most 2 MB)")
            label = request.POST.get("wave") or (current.label if current else "")
            wave = next((w for w in all_waves if w.label == label), None)
            if all_waves and wave is None:
                raise AfstandError(f"this study has no wave {label[:40]!r}")
            made = coding_store.import_notes(
                membership.study, request.POST.get("guide", ""), request.POST.get("session", ""), upload.name, upload.read(), wave=wave
            )
            audit(request.user, "focus-notes", f"{study}: {request.POST.get('session', '')[:100]} ({len(made)} themes)")
            return redirect(f"/onderzoek/{study}/focusgroepen/")
        except AfstandError as err:
            error, status = str(err), 400
    sessions: dict[tuple[str, str], list[FocusNote]] = {}
    for note in FocusNote.objects.filter(study=membership.study).select_related("wave"):
        sessions.setdefault((note.wave.label if note.wave_id else "", note.guide, note.session), []).append(note)
    statements = {s.id: s.text for g in guides.values() for t in g.themes for s in t.statements}
    rows = [
        {
            "guide": guides[g].title if g in guides else g,
            "session": s,
            "wave": w,
            "notes": [{"note": n, "tallies": [(statements.get(k, k), up, down) for k, (up, down) in n.tallies.items()]} for n in ns],
        }
        for (w, g, s), ns in sessions.items()
    ]
    return render(
        request,
        "afstand/research/focus_notes.html",
        {
            "study": membership.study,
            "guides": guides.values(),
            "sessions": rows,
            "error": error,
            "can_upload": membership.role in EXPORT_ROLES,
            "waves": [w.label for w in all_waves],
            "current": current.label if current else "",
        },
        status=status,
    )
