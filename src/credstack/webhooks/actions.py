"""Outbound events: endpoints, publishing, delivery attempts with backoff, redelivery.

Publishing stores one message (one ``webhook-id``, one exact body) and one delivery per subscribed
endpoint, then queues the first attempt after commit. Each failed attempt schedules the next one
from ``RETRY_SCHEDULE`` (about three days in all); when the schedule is exhausted the endpoint is
disabled and the organization is told by email.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from credstack.organizations.models import Organization

from . import outbound, signing
from .models import (
    EVENT_TYPES,
    RETRY_SCHEDULE,
    TEST_EVENT,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

log = logging.getLogger(__name__)


def _allow_private() -> bool:
    return bool(getattr(settings, "CREDSTACK_WEBHOOKS_ALLOW_PRIVATE", False))


def validate_url(url: str) -> None:
    """Refuse a receiver URL this deployment would never call."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ValidationError

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "must be an http(s) URL"})
    try:
        outbound.resolve(parts.hostname, parts.port or 443, _allow_private())
    except outbound.BlockedTarget as exc:
        raise ValidationError({"url": str(exc)})


def _check_events(event_types: list[str]) -> list[str]:
    from django.core.exceptions import ValidationError

    unknown = [e for e in event_types if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"event_types": f"unknown event types: {', '.join(unknown)}"})
    return sorted(set(event_types))


def create_endpoint(
    organization: Organization, *, url: str, event_types: list[str] | None = None, description: str = ""
) -> WebhookEndpoint:
    validate_url(url)
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        description=description,
        event_types=_check_events(event_types or []),
        secret=signing.new_secret(),
    )


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    if url is not None:
        validate_url(url)
        endpoint.url = url
    if event_types is not None:
        endpoint.event_types = _check_events(event_types)
    if description is not None:
        endpoint.description = description
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled = enabled
        endpoint.disabled_reason = "" if enabled else "disabled by an administrator"
        endpoint.disabled_at = None if enabled else timezone.now()
    endpoint.save()
    return endpoint


def publish(
    organization: Organization, event_type: str, data: dict | Callable[[], dict]
) -> WebhookMessage | None:
    """Record an event for the organization's subscribed endpoints; attempts start after commit.

    ``data`` may be a function: it is called only when some endpoint wants the event, so publishing
    costs one query when nobody listens.
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
    if callable(data):
        data = data()
    now = timezone.now()
    with transaction.atomic():
        message = _message(organization, event_type, now, data)
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=e, message=message, next_attempt_at=now) for e in endpoints
        )
        ids = (
            [d.pk for d in deliveries]
            if deliveries and deliveries[0].pk
            else list(message.deliveries.values_list("pk", flat=True))
        )
        transaction.on_commit(lambda: _queue(ids))
    return message


def _message(organization: Organization, event_type: str, now: datetime, data: dict) -> WebhookMessage:
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
    )


def send_test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint alone, stored, signed and sent like any event.

    It is attempted once, now; a failure is logged but not retried and never disables the endpoint.
    """
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
    return attempt(delivery.pk, now)


def rotate_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret; the old one stops working at once (retries are signed with the new one)."""
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


def _queue(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    from .tasks import deliver_webhook

    if run_after is not None:
        if not deliver_webhook.get_backend().supports_defer:
            return  # a backend that cannot defer (the tests' immediate one): deliver_due() sweeps
        task = deliver_webhook.using(run_after=run_after)
    else:
        task = deliver_webhook
    for pk in delivery_ids:
        task.enqueue(pk)


def attempt(delivery_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Make one attempt if it is due; schedule the next one on failure. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint", "message")
            .get(pk=delivery_id)
        )
        if delivery.state != WebhookDelivery.State.PENDING or (
            delivery.next_attempt_at and delivery.next_attempt_at > now
        ):
            return delivery
        endpoint, message = delivery.endpoint, delivery.message
        if not endpoint.enabled:
            delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
            delivery.last_error = "endpoint disabled"
            delivery.save()
            return delivery
        # take this attempt: push next_attempt_at so a concurrent worker skips it
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_SCHEDULE[0])
        delivery.save(update_fields=["next_attempt_at"])

    body = message.payload.encode()
    headers = signing.headers(endpoint.secret, message.msg_id, int(now.timestamp()), body)
    status, error = None, ""
    try:
        result = outbound.post(endpoint.url, body, headers, allow_private=_allow_private())
        status = result.status
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except outbound.BlockedTarget as exc:
        error = f"blocked: {exc}"
    except (OSError, ValueError) as exc:  # connection refused, timeout, TLS, bad response
        error = f"{type(exc).__name__}: {exc}"[:500]

    delivery.attempts += 1
    delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = now, status, error
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.State.SUCCEEDED,
            now,
            None,
        )
    elif delivery.attempts > len(RETRY_SCHEDULE) or message.event_type == TEST_EVENT:
        delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_SCHEDULE[delivery.attempts - 1])
    delivery.save()
    if delivery.state == WebhookDelivery.State.FAILED and message.event_type != TEST_EVENT:
        _disable(endpoint, f"deliveries kept failing ({error})")
    elif delivery.state == WebhookDelivery.State.PENDING:
        transaction.on_commit(lambda: _queue([delivery.pk], run_after=delivery.next_attempt_at))
    return delivery


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:200], disabled_at=timezone.now()
    )
    if not updated:
        return
    log.warning("webhook endpoint %s disabled: %s", endpoint.url, reason)
    org = endpoint.organization
    recipients = _admin_emails(org)
    if recipients:
        send_mail(
            subject=f"[credstack] Webhook endpoint disabled: {endpoint.url}",
            message=(
                f"credstack stopped sending events to {endpoint.url} for {org.name} because {reason}.\n"
                "Fix the receiver, then re-enable the endpoint; failed messages can be redelivered from "
                f"its delivery log:\n{_endpoint_page(endpoint)}"
            ),
            from_email=None,
            recipient_list=recipients,
        )


def _endpoint_page(endpoint: WebhookEndpoint) -> str:
    from django.urls import reverse

    path = reverse("webhooks:detail", args=[endpoint.organization.slug, endpoint.public_id])
    return settings.CREDSTACK_BASE_URL + path


def _admin_emails(org: Organization) -> list[str]:
    emails: list[str] = []
    try:
        from credstack.organizations.models import Membership

        emails = list(
            Membership.objects.filter(organization=org, role__in=["owner", "admin"]).values_list(
                "user__email", flat=True
            )
        )
    except (ImportError, Exception):  # noqa: BLE001 - memberships arrive with the workspace
        emails = []
    return [e for e in emails if e] or ([org.email] if org.email else [])


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """An administrator's manual retry: the same message and webhook-id, attempted now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
    )
    return attempt(delivery.pk)


def deliver_due(now: datetime | None = None) -> int:
    """Attempt every pending delivery that is due (a safety net beside the queued tasks)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        attempt(pk, now)
    return len(due)
