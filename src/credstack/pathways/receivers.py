"""Pathways consume the credential pipeline's effects (outbox consumers, decision 0036, subscribed in
``apps.py``) and queue their work as tasks, in the consumer's transaction: queued iff marked done."""

from __future__ import annotations

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


def apply_state_change(payload: dict, key: str) -> None:
    """``credential.state_changed``: a component revoked, suspended, reinstated or replaced."""
    credential_id, event = payload["credential"], payload["event"]
    if (
        event in ("revoked", "suspended", "reinstated", "replaced")
        and PathwayAward.objects.filter(components=credential_id).exists()
    ):
        apply_policy.enqueue(credential_id, event)
