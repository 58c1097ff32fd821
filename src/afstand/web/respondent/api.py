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
SUBMISSIONS = ratelimit.Limiter(lambda: settings.AFSTAND_RATE_LIMIT, lambda: settings.AFSTAND_RATE_WINDOW)


@csrf_exempt
@require_POST
def submit_response(request: HttpRequest, instrument: str, study: str | None = None) -> JsonResponse:
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
    except RecursionError:
        return JsonResponse({"error": "the body is nested too deeply"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return JsonResponse({"error": "expected {\"instance_id\": \"<uuid4>\", \"answers\": {...}}"}, status=400)
    try:
        instance_id = uuid.UUID(str(payload.get("instance_id")))
    except ValueError:
        return JsonResponse({"errors": {"instance_id": {"code": "not_a_uuid", "message": "instance_id must be a UUID"}}}, status=400)
    version = studies.active_version(study or settings.AFSTAND_STUDY, instrument)
    if version is None:
        return JsonResponse({"error": f"no survey {instrument!r}"}, status=404)
    channel = payload.get("channel") or request.GET.get("via") or ""
    channel = channel if isinstance(channel, str) and CHANNEL.fullmatch(channel) else ""  # a recruitment label, nothing else
    outcome = submissions.submit(version, instance_id, payload["answers"], channel=channel)
    return JsonResponse(outcome.body, status=outcome.status)
