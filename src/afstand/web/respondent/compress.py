"""gzip for the respondent pages and their script (phones on slow links).

Only respondent paths are compressed: researcher pages carry CSRF tokens and session-bound
data, which compression next to reflected input could leak (BREACH). Respondent pages carry no
cookie and no CSRF token; the one secret on them, the resume link's token, is never reflected
from a request of someone else.
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

from afstand.web.security import RESPONDENT_PREFIXES

COMPRESSED = (*RESPONDENT_PREFIXES, "/static/survey.js", "/favicon")


class RespondentGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not request.path.startswith(COMPRESSED) or request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)
