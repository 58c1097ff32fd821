"""Who may do what in a study: memberships and roles, and the audit log.

Roles: ``owner`` (everything, sign-ups, new versions), ``analyst`` (exports, analysis, report,
focus-group notes) and ``coder`` (coding screens only).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from afstand.web.models import AuditEvent, Membership, Study

ROLES = ("owner", "analyst", "coder")
EXPORT_ROLES = {"owner", "analyst"}


def membership(user, slug: str, roles: set[str] | None = None) -> Membership:
    """The user's membership of the study: Http404 when there is no such study, PermissionDenied
    when the user is not a member or has none of ``roles``."""
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        raise Http404
    found = Membership.objects.select_related("study").filter(user=user, study=study).first() if user.is_authenticated else None
    if found is None or (roles and found.role not in roles):
        raise PermissionDenied
    return found


def memberships(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("study"))


def grant(user, study: Study, role: str) -> Membership:
    """Give ``user`` ``role`` in ``study`` (replacing an earlier role)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    found, _ = Membership.objects.update_or_create(user=user, study=study, defaults={"role": role})
    return found


def audit(user, action: str, detail: str = "") -> None:
    """One line in the audit log: who (a user or a name), what, and a short detail."""
    AuditEvent.objects.create(user=getattr(user, "username", str(user))[:150], action=action, detail=detail[:300])


def create_user(username: str, password: str, *, staff: bool = False):
    """Create a researcher account, or set a new password on an existing one (Django's password rules apply).

    ``staff``: the account may create new studies (each opens a public sign-up form)."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import ValidationError, validate_password

    from afstand.errors import AfstandError

    try:
        validate_password(password)
    except ValidationError as err:
        raise AfstandError("password: " + " ".join(err.messages)) from None
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    if staff:
        user.is_staff = True
    user.save()
    return user
