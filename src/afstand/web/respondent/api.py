"""JSON submission API: ``POST /api/v1/surveys/<instrument>/responses``.

No cookies and so no CSRF; bodies over 256 kB get 413; rate limited in memory per hashed
client address (the address itself is never stored or logged).
"""

from __future__ import annotations

import json
import re
import uuid

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from afstand.services import studies, submissions
from afstand.web import ratelimit

CHANNEL = re.compile(r"[a-z0-9_-]{1,20}")
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
SUBMISSIONS = ratelimit.Limiter("submit", lambda: settings.AFSTAND_RATE_LIMIT, lambda: settings.AFSTAND_RATE_WINDOW)


@csrf_exempt
@require_POST
def submit_response(request: HttpRequest, instrument: str, study: str | None = None, wave: str | None = None) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.AFSTAND_MAX_BODY:
        return JsonResponse({"error": "body too large (at most 256 kB)"}, status=413)
    body = request.body
    if len(body) > settings.AFSTAND_MAX_BODY:
        return JsonResponse({"error": "body too large (at most 256 kB)"}, status=413)
    if SUBMISSIONS.hit(ratelimit.client_key(request)):
        return JsonResponse({"error": "too many submissions, try again in a minute"}, status=429)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    except ValueError:  # an integer literal over Python's 4,300-digit limit
        return JsonResponse({"error": "the body holds a number too long to read"}, status=400)
    except RecursionError:
        return JsonResponse({"error": "the body is nested too deeply"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return JsonResponse({"error": 'expected {"instance_id": "<uuid4>", "answers": {...}}'}, status=400)
    raw_id = payload.get("instance_id")
    if not isinstance(raw_id, str) or not UUID4.fullmatch(raw_id):
        return JsonResponse(
            {"errors": {"instance_id": {"code": "not_a_uuid", "message": "instance_id must be a version-4 UUID"}}}, status=400
        )
    instance_id = uuid.UUID(raw_id)
    version = studies.active_version(study or settings.AFSTAND_STUDY, instrument, wave)
    if version is None:
        return _not_open(study or settings.AFSTAND_STUDY, instrument, wave)
    channel = payload.get("channel") or request.GET.get("via") or ""
    channel = channel if isinstance(channel, str) and CHANNEL.fullmatch(channel) else ""  # a recruitment label, nothing else
    outcome = submissions.submit(version, instance_id, payload["answers"], channel=channel)
    return JsonResponse(outcome.body, status=outcome.status)


def _not_open(study: str, instrument: str, wave: str | None) -> JsonResponse:
    """404 for a survey that does not exist; for one outside its wave's fieldwork dates 410 (closed
    for good, ``"reason": "wave_closed"``) or 403 (``"reason": "wave_not_open"``, with the first day).
    Nothing is stored either way."""
    from afstand.services.waves import closure

    closed = closure(study, instrument, wave)
    if closed is None:
        return JsonResponse({"error": f"no survey {instrument!r}"}, status=404)
    ended = closed.reason == "ended"
    return JsonResponse(
        {
            "error": f"wave {closed.wave.label} of survey {instrument!r} "
            + (f"closed after {closed.date.isoformat()}" if ended else f"opens on {closed.date.isoformat()}")
            + "; nothing was stored",
            "reason": "wave_closed" if ended else "wave_not_open",
            "wave": closed.wave.label,
            ("closed_after" if ended else "opens_on"): closed.date.isoformat(),
            "stored": False,
        },
        status=410 if ended else 403,
    )
