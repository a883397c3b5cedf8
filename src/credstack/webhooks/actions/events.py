"""Events: published to the subscribed endpoints (one message, one delivery per endpoint), and the
test event an administrator sends to one endpoint."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from credstack.organizations import audit
from credstack.organizations.actors import SYSTEM, Actor
from credstack.organizations.models import Organization

from ..models import EVENT_TYPES, TEST_EVENT, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .delivery import attempt, queue_deliveries
from .endpoints import may_manage, require_on


def publish(
    organization: Organization,
    event_type: str,
    data: dict | Callable[[], dict],
    *,
    key: str | None = None,
) -> WebhookMessage | None:
    """Record an event for the organization's subscribed endpoints; attempts start after commit.

    ``data`` may be a function: it is called only when some endpoint wants the event, so publishing
    costs one query when nobody listens. ``key`` names the event (an outbox row's key): publishing the
    same key again returns the message recorded the first time (same webhook-id, no new deliveries).
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(organization=organization, enabled=True)
        if e.wants(event_type)
    ]
    if not endpoints:
        return None
    if key is not None:
        published = WebhookMessage.objects.filter(event_key=key).first()
        if published is not None:
            return published
    if callable(data):
        data = data()
    now = timezone.now()
    with transaction.atomic():
        message = _message(organization, event_type, now, data, event_key=key)
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=e, message=message, next_attempt_at=now) for e in endpoints
        )
        ids = (
            [d.pk for d in deliveries]
            if deliveries and deliveries[0].pk
            else list(message.deliveries.values_list("pk", flat=True))
        )
        transaction.on_commit(lambda: queue_deliveries(ids))
    return message


def _message(
    organization: Organization, event_type: str, now: datetime, data: dict, event_key: str | None = None
) -> WebhookMessage:
    body = json.dumps(
        {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return WebhookMessage.objects.create(
        organization=organization,
        event_type=event_type,
        payload=body,
        msg_id="msg_" + secrets.token_urlsafe(18),
        event_key=event_key,
    )


def send_test_event(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint alone, stored, signed and sent like any event.

    It is attempted once, now; a failure is logged but not retried and never disables the endpoint.
    """
    may_manage(endpoint.organization, actor)
    require_on(endpoint)
    now = timezone.now()
    with transaction.atomic():
        message = _message(
            endpoint.organization,
            TEST_EVENT,
            now,
            {
                "endpoint": endpoint.public_id,
                "organization": endpoint.organization.slug,
                "message": "A test event sent by an administrator from the credstack workspace.",
            },
        )
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, message=message, next_attempt_at=now)
        audit.record(endpoint.organization, actor, "webhook.test_sent", endpoint.public_id, message.msg_id)
    return attempt(delivery.pk, now)
