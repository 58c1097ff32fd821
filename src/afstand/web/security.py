"""Security headers for every response (a Django 5.2 stand-in for Django 6's built-in CSP).

* ``Content-Security-Policy``: scripts only from this site (``/static/coding.js``), the page's
  one ``<style>`` block by a per-request nonce, images from this site or ``data:`` (the analysis
  page's figures), no frames, forms only to this site.
* Respondent pages (survey, withdrawal, sign-up, API) get ``Referrer-Policy: no-referrer`` — a
  survey link's channel never leaks to another site — and ``Cache-Control: no-store``, so a shared
  phone's back button or cache never shows someone else's answers. A few pages that hold no
  answers are marked by their view (:func:`keep_for_history`) and get ``private, no-cache``
  instead: the consent page (its draft key, so that Back and Next continue the draft), a form's
  error page (the post's own answer, so that Back and Forward show it instead of "Confirm Form
  Resubmission") and "this link no longer works". No shared cache stores them, and a new visit
  always fetches them again; only the browser's own history shows them again.
"""

from __future__ import annotations

import secrets

RESPONDENT_PREFIXES = ("/s/", "/intrekken", "/aanmelden/", "/api/")


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


HISTORY_ONLY = "private, no-cache"


def keep_for_history(response):
    """Let the browser keep this respondent page for Back and Forward (``private, no-cache``)
    instead of ``no-store``: only for pages without answers."""
    response.history_cache = True
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy(request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if request.path.startswith(RESPONDENT_PREFIXES):
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = HISTORY_ONLY if getattr(response, "history_cache", False) else "no-store"
        return response
