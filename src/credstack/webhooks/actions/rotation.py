"""Signing secrets: rotated with an overlap in which the replaced secret still signs, the overlap ended
early, expired previous secrets forgotten."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from credstack.organizations import audit
from credstack.organizations.actors import SYSTEM, Actor

from .. import signing
from ..models import WebhookEndpoint
from .endpoints import may_manage


def rotation_overlap() -> timedelta:
    """How long the replaced secret keeps signing after a rotation (``CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS``)."""
    hours = float(getattr(settings, "CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS", 24))
    return timedelta(hours=max(hours, 0))


def rotate_secret(
    endpoint: WebhookEndpoint,
    *,
    now: datetime | None = None,
    overlap: timedelta | None = None,
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    """A new signing secret, without downtime for the receiver.

    Until ``now + overlap`` (the setting by default) each delivery, retries included, carries two
    signatures: one with the new secret and one with the secret it replaces, so the receiver keeps
    verifying until its operator has switched. A rotation during a rotation drops the oldest secret.
    An overlap of zero, or ``end_rotation_overlap`` afterwards, stops the old secret at once.
    """
    may_manage(endpoint.organization, actor)
    now = now or timezone.now()
    overlap = rotation_overlap() if overlap is None else overlap
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if overlap > timedelta(0):
            locked.previous_secret, locked.previous_secret_expires_at = locked.secret, now + overlap
        else:
            locked.previous_secret, locked.previous_secret_expires_at = "", None
        locked.secret = signing.new_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        until = locked.previous_secret_expires_at
        audit.record(
            endpoint.organization,
            actor,
            "webhook.secret_rotated",
            endpoint.public_id,
            f"{locked.url}; previous secret signs until {until:%Y-%m-%d %H:%M} UTC"
            if until
            else f"{locked.url}; previous secret stopped at once",
        )
    endpoint.secret = locked.secret
    endpoint.previous_secret = locked.previous_secret
    endpoint.previous_secret_expires_at = locked.previous_secret_expires_at
    return endpoint


def end_rotation_overlap(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> bool:
    """Stop signing with the previous secret now (it may have leaked). False if it had already stopped."""
    may_manage(endpoint.organization, actor)
    with transaction.atomic():
        ended = (
            WebhookEndpoint.objects.filter(pk=endpoint.pk)
            .exclude(previous_secret="")
            .update(previous_secret="", previous_secret_expires_at=None)
        )
        signed = bool(ended) and endpoint.previous_secret_signs(timezone.now())
        if signed:
            audit.record(
                endpoint.organization,
                actor,
                "webhook.previous_secret_ended",
                endpoint.public_id,
                endpoint.url,
            )
    endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
    return signed


def forget_expired_secrets(now: datetime | None = None) -> int:
    """Erase previous secrets whose rotation window is over (periodic; they no longer sign anyway)."""
    return WebhookEndpoint.objects.filter(previous_secret_expires_at__lte=now or timezone.now()).update(
        previous_secret="", previous_secret_expires_at=None
    )
