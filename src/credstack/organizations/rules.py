"""Who may make a change, asked by the actions themselves (not only by the pages in front of them).

An action calls ``require_role(org, actor, role, message)`` before it writes: the same rule then holds
for the workspace, the JSON API and the command line. The role an actor acts with:

- a person: their membership's role in the organization (none: not allowed at all);
- an API key: admin at most (the API checks the key's scope before it calls an action, and a key never
  acts as an owner: it cannot make owners, nor change them);
- the command line and the system: owner (whoever runs the ``credstack`` command runs the deployment).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .actors import Actor
from .models import ROLE_RANK, Membership, Organization, Role


class NotAllowed(PermissionDenied):
    """The actor may not make this change. Pages answer 403 (or show it beside ``field``), the API 403.

    ``field`` names the form field the refusal is about, when a page shows it there (e.g. ``role``).
    """

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def acting_role(org: Organization, actor: Actor) -> str | None:
    """The role ``actor`` acts with in ``org`` (see the module's docstring); None for a non-member."""
    if actor.kind == "user":
        return (
            Membership.objects.filter(organization=org, user=actor.user)
            .values_list("role", flat=True)
            .first()
        )
    if actor.kind == "api_key":
        return Role.ADMIN
    return Role.OWNER


def has_role(org: Organization, actor: Actor, role: str) -> bool:
    mine = acting_role(org, actor)
    return mine is not None and ROLE_RANK[mine] >= ROLE_RANK[role]


def require_role(org: Organization, actor: Actor, role: str, message: str, *, field: str = "") -> str:
    """Raise ``NotAllowed(message)`` unless the actor has at least ``role``; return the actor's role."""
    mine = acting_role(org, actor)
    if mine is None or ROLE_RANK[mine] < ROLE_RANK[role]:
        raise NotAllowed(message, field=field)
    return mine
