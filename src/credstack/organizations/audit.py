"""The audit log: one row for every change an action makes, whoever made it (see actors.py)."""

from __future__ import annotations

from typing import Any

from .actors import as_actor
from .models import AuditEntry


def record(organization, actor: Any, action: str, target: Any = "", detail: Any = "") -> AuditEntry:
    """Leave an audit entry. Call it inside the action's transaction, so the row and the change it
    describes commit together. ``organization`` None: a change of no organization's (a holder's own
    data, changed by an OB 3.0 API client). ``actor``: an ``Actor``, a user, or None for the system."""
    who = as_actor(actor)
    return AuditEntry.objects.create(
        organization=organization,
        actor=who.user_or_none,
        actor_kind=who.kind,
        actor_label=who.label,
        action=action,
        target=str(target)[:300],
        detail=str(detail),
    )


def record_many(organization, actor: Any, action: str, entries: list[tuple[Any, Any]]) -> list[AuditEntry]:
    """``record`` for many targets of one action at once (a batch of issued credentials): ``entries`` is
    a list of ``(target, detail)``; one INSERT. Call it inside the action's transaction."""
    who = as_actor(actor)
    rows = [
        AuditEntry(
            organization=organization,
            actor=who.user_or_none,
            actor_kind=who.kind,
            actor_label=who.label,
            action=action,
            target=str(target)[:300],
            detail=str(detail),
        )
        for target, detail in entries
    ]
    return AuditEntry.objects.bulk_create(rows)
