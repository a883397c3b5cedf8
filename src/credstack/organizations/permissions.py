"""Who may do what in an organization's workspace.

Views under ``/w/<org_slug>/...`` use ``@member_required(role)``: the user must be signed in (else the
login page) and a member of that organization with at least ``role`` (owner > admin > issuer > viewer).
Non-members get 404 (the existence of another organization's data is never revealed); members
with too small a role get 403.
The view then has ``request.organization`` and ``request.membership``.

    from credstack.organizations.permissions import member_required, Role

    @member_required(Role.ISSUER)
    def issue(request, org_slug): ...

Rule of thumb: viewer reads; issuer also issues, revokes, suspends, reinstates, corrects, resends;
admin also edits achievements, designs, the profile and members (except owners); owner everything.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.translation import gettext as _

from .models import ROLE_RANK, Membership, Organization, Role
from .rules import NotAllowed

__all__ = ["Role", "can", "member_required", "membership_for"]

# What each action needs; templates ask `can.<action>` through the workspace context processor.
ACTION_ROLES = {
    "view": Role.VIEWER,
    "issue": Role.ISSUER,
    "revoke": Role.ISSUER,
    "manage_achievements": Role.ADMIN,
    "manage_designs": Role.ADMIN,
    "manage_profile": Role.ADMIN,
    "manage_members": Role.ADMIN,
    "export": Role.VIEWER,
}


def membership_for(user, org_slug: str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )


def can(membership: Membership | None, action: str) -> bool:
    return membership is not None and ROLE_RANK[membership.role] >= ROLE_RANK[ACTION_ROLES[action]]


def member_required(role: str = Role.VIEWER):
    """Decorator for views taking ``org_slug``: sets request.organization / request.membership."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, org_slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org_slug)
            if membership is None:
                raise Http404("no such organization")
            if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                raise NotAllowed(
                    _("This page needs the %(role)s role; yours is %(yours)s.")
                    % {"role": Role(role).label, "yours": Role(membership.role).label}
                )
            request.organization: Organization = membership.organization
            request.membership = membership
            return view(request, org_slug, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator
