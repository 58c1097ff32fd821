"""A database outage is a 503 with ``Retry-After``, never an HTML 500.

When PostgreSQL is restarting or unreachable (or SQLite stays locked past its busy timeout), the
view's first query raises ``OperationalError`` or ``InterfaceError``. The API then answers
``503 {"error": …}`` and pages a short 503 text, both with ``Retry-After``, so the survey's
client retries the same ``instance_id`` later and nothing is lost: a submission is acknowledged
only after its commit. Django closes the broken connection at the end of the request.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

RETRY_AFTER = "5"
log = logging.getLogger("afstand.outage")


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.warning(
            "database unavailable: %s: %s", type(exception).__name__, str(exception).splitlines()[0][:200] if str(exception) else ""
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"error": "the database is unavailable for a moment; send the same request again later"}, status=503)
        else:
            response = HttpResponse(
                gettext("The service is briefly unavailable. Please try again in a minute."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response["Retry-After"] = RETRY_AFTER
        return response
