"""Pathways consume the credential pipeline's effects (outbox consumers, decision 0036, subscribed in
``apps.py``) and queue their work as tasks, in the consumer's transaction: queued iff marked done."""

from __future__ import annotations

from credstack.credentials.models import Credential

from .models import PathwayAward, PathwayComponent
from .tasks import apply_policy, evaluate_after_issue


def evaluate_issued(payload: dict, key: str) -> None:
    """``credential.issued``: evaluate the pathways the credential's achievement is part of. Twice is
    once: an evaluation awards a pathway once (``PathwayAward``, and the award's idempotency key)."""
    credential_id = payload["credential"]
    if PathwayComponent.objects.filter(
        achievement__credentials__pk=credential_id, pathway__is_active=True
    ).exists():  # no pathway holds the achievement (most credentials): one query, nothing queued
        evaluate_after_issue.enqueue(credential_id)


def evaluate_issued_many(items: list[tuple[dict, str]]) -> None:
    """``evaluate_issued`` for a batch: one query when no active pathway holds the batch's achievements
    (most batches), else one more to find which credentials are of those achievements."""
    ids = list(dict.fromkeys(payload["credential"] for payload, _ in items))
    achievements = set(
        PathwayComponent.objects.filter(
            achievement__credentials__pk__in=ids, pathway__is_active=True
        ).values_list("achievement_id", flat=True)
    )
    if not achievements:
        return
    held = set(
        Credential.objects.filter(pk__in=ids, achievement_id__in=achievements).values_list("pk", flat=True)
    )
    for credential_id in ids:
        if credential_id in held:
            evaluate_after_issue.enqueue(credential_id)


def apply_state_change(payload: dict, key: str) -> None:
    """``credential.state_changed``: a component revoked, suspended, reinstated or replaced."""
    credential_id, event = payload["credential"], payload["event"]
    if (
        event in ("revoked", "suspended", "reinstated", "replaced")
        and PathwayAward.objects.filter(components=credential_id).exists()
    ):
        apply_policy.enqueue(credential_id, event)
