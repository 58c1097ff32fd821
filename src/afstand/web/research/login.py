"""The researchers' login page and its limits: nobody can guess passwords, nobody can lock an account.

Only failed attempts count (afstand.web.ratelimit, shared by all workers):

* per (username, client): ``AFSTAND_LOGIN_LIMIT`` failures per ``AFSTAND_LOGIN_WINDOW``. The client
  is the browser's device token when it has one, else the (proxy-aware, masked) address;
* per address, whatever the username: ``AFSTAND_LOGIN_ADDRESS_LIMIT`` per window (trying many names);
* per existing username from browsers without a device token: ``AFSTAND_LOGIN_USER_LIMIT`` per
  ``AFSTAND_LOGIN_USER_WINDOW``, the slower global backoff against an attacker with many addresses.

A successful login leaves a signed device cookie bound to the username (OWASP's "device cookies"):
from that browser the global per-username limit does not apply, so an attacker who exhausts it
cannot lock the account's owner out.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from afstand.web import ratelimit

DEVICE_COOKIE, DEVICE_SALT = "afstand_device", "afstand.login.device"
LOGIN_PAIR = ratelimit.Limiter("login-pair", lambda: settings.AFSTAND_LOGIN_LIMIT, lambda: settings.AFSTAND_LOGIN_WINDOW)
LOGIN_ATTEMPTS = ratelimit.Limiter("login-address", lambda: settings.AFSTAND_LOGIN_ADDRESS_LIMIT, lambda: settings.AFSTAND_LOGIN_WINDOW)
LOGIN_USER = ratelimit.Limiter(
    "login-user", lambda: settings.AFSTAND_LOGIN_USER_LIMIT, lambda: settings.AFSTAND_LOGIN_USER_WINDOW, alias="accounts"
)


def device_token(request, username: str) -> str | None:
    """The device token of a browser that logged in as ``username`` before, else None."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=settings.AFSTAND_LOGIN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    return value.get("t") if isinstance(value, dict) and value.get("u") == username else None


class LimitedAuthenticationForm(AuthenticationForm):
    locked = False

    def clean(self):
        username = (self.cleaned_data.get("username") or "")[:150]
        address = ratelimit.client_key(self.request)
        device = device_token(self.request, username)
        pair = f"{username}\0{'d:' + device if device else address}"
        if LOGIN_PAIR.over(pair) or (device is None and (LOGIN_ATTEMPTS.over(address) or LOGIN_USER.over(username))):
            self.locked = True
            raise ValidationError(gettext("Too many failed attempts. Try again in 15 minutes."), code="locked")
        try:
            return super().clean()
        except ValidationError:
            LOGIN_PAIR.hit(pair)
            if device is None:
                LOGIN_ATTEMPTS.hit(address)
                if get_user_model().objects.filter(username=username).exists():  # counters only for real accounts: no flood
                    LOGIN_USER.hit(username)
            raise


class LoginView(auth_views.LoginView):
    form_class = LimitedAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        username = form.get_user().get_username()
        token = device_token(self.request, username) or secrets.token_urlsafe(16)
        response.set_cookie(
            DEVICE_COOKIE,
            signing.dumps({"u": username, "t": token}, salt=DEVICE_SALT),
            max_age=settings.AFSTAND_LOGIN_DEVICE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            path="/onderzoek/",
        )
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
