"""Who may see a private credential's page and files.

A private credential shows nothing personal to strangers: only members of the issuing organization
and its holder see it. Who "the holder" is belongs to the apps above this one (the learner portal
knows who is signed in with which addresses): they add a check from their ``AppConfig.ready()``:

    from credstack.credentials.visibility import allow_viewer
    allow_viewer(is_holder)  # (request, credential) -> bool
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from credstack.organizations.models import Membership

from .models import Credential

ViewerCheck = Callable[[HttpRequest, Credential], bool]
_checks: list[ViewerCheck] = []


def allow_viewer(check: ViewerCheck) -> None:
    """Let whoever ``check(request, credential)`` approves see a private credential (idempotent)."""
    if check not in _checks:
        _checks.append(check)


def viewer_may_see(request: HttpRequest, credential: Credential) -> bool:
    """A private credential shows nothing personal to strangers: only its holder (signed in to the portal)
    and members of the issuing organization see it."""
    if credential.is_public:
        return True
    if any(check(request, credential) for check in _checks):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return (
            user.is_superuser
            or Membership.objects.filter(user=user, organization_id=credential.organization_id).exists()
        )
    return False


def is_issuer_member(request: HttpRequest, credential: Credential) -> bool:
    """Is the viewer a member of the issuing organization? Their looks at its credentials are not the
    public's views, so the analytics leave them out (issue 14)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, organization_id=credential.organization_id).exists()
