"""The respondent pages' two static files: the progressive-enhancement script and the favicon.

Served by Django (no separate static server needed), cached for an hour, and gzip-compressed
like the pages (:class:`afstand.web.security.SecurityHeadersMiddleware` compresses respondent responses).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

STATIC = Path(__file__).resolve().parent.parent / "static"


@lru_cache(maxsize=4)
def _read(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_read("survey.js"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_read("favicon.svg"), content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=86400"
    return response
