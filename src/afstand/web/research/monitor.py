"""The researcher side: everything behind login, per study by membership and role."""

from __future__ import annotations

import io

from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from afstand.services import access, studies, submissions
from afstand.services import exports as exporter
from afstand.services.access import EXPORT_ROLES, audit, login_locked
from afstand.web import ratelimit
from afstand.web.models import SignUp

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit(user, "login")


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit(str(credentials.get("username") or "")[:150], "login-failed")


LOGIN_ATTEMPTS = ratelimit.Limiter(30, 900)  # per (hashed, in-memory) address, against trying many usernames


class LimitedAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if LOGIN_ATTEMPTS.hit(ratelimit.client_key(self.request)) or login_locked(username):
            self.locked = True
            raise ValidationError(gettext("Too many failed attempts. Try again in 15 minutes."), code="locked")
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LimitedAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "afstand/research/home.html", {"memberships": access.memberships(request.user)})


@login_required
def monitor(request: HttpRequest, study: str) -> HttpResponse:
    membership = access.membership(request.user, study)
    rows = submissions.monitor_rows(membership.study, unknown_channel=gettext("unknown"))
    coding_url = f"/onderzoek/{membership.study.slug}/coderen/" if studies.has_coding(membership.study.slug) else None
    return render(request, "afstand/research/monitor.html", {"study": membership.study, "role": membership.role, "rows": rows,
                                                              "can_export": membership.role in EXPORT_ROLES, "coding_url": coding_url})


@login_required
def download(request: HttpRequest, study: str, instrument: str, fmt: str) -> HttpResponse:
    membership = access.membership(request.user, study, EXPORT_ROLES)
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied
    header, data = exporter.rows(membership.study.slug, instrument)
    buffer = io.BytesIO()
    exporter.write(header, data, fmt, buffer, sheet=instrument, instrument=exporter.all_versions(membership.study.slug, instrument))
    audit(request.user, "export", f"{study}/{instrument}.{fmt} ({len(data)} responses)")
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{instrument}.{fmt}"'
    return response


SIGNUP_FIELDS = ("purpose", "name", "email", "phone", "availability", "signed_up_on")  # the date last


@login_required
def signups(request: HttpRequest, study: str, fmt: str = "html") -> HttpResponse:
    """Lottery and focus-group sign-ups: owners only, in random order, never beside any answer."""
    membership = access.membership(request.user, study, {"owner"})
    rows = list(SignUp.objects.filter(study=membership.study).values_list(*SIGNUP_FIELDS))
    audit(request.user, "signups", f"{study}.{fmt} ({len(rows)} sign-ups)")
    if fmt == "csv":
        buffer = io.BytesIO()
        exporter.write(list(SIGNUP_FIELDS), [[*r[:-1], r[-1].isoformat()] for r in rows], "csv", buffer)
        response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="aanmeldingen-{membership.study.slug}.csv"'
        return response
    labels = dict(SignUp.PURPOSES)
    return render(request, "afstand/research/signups.html", {"study": membership.study, "rows": [(labels.get(r[0], r[0]),) + r[1:] for r in rows]})
