from __future__ import annotations

from .models import AuditEntry


def record(organization, actor, action: str, target: str = "", detail: str = "") -> AuditEntry:
    """Leave an audit entry (call inside the action's transaction where there is one)."""
    user = actor if getattr(actor, "pk", None) else None
    label = (getattr(user, "email", "") or getattr(user, "username", "")) if user else "system"
    return AuditEntry.objects.create(
        organization=organization,
        actor=user,
        actor_label=label[:254],
        action=action,
        target=str(target)[:300],
        detail=str(detail),
    )
