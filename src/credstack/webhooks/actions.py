"""Outbound events: endpoints, publishing, delivery attempts with backoff, redelivery.

Publishing stores one message (one ``webhook-id``, one exact body) and one delivery per subscribed
endpoint, then queues the first attempt after commit. Each failed attempt schedules the next one
from the platform's one retry policy (``credstack.retry``, about three and a half days in all); every
failure counts as transient, as Standard Webhooks senders do. When the schedule is exhausted the endpoint is
disabled and the organization is told by email. Once it is on again, ``redeliver_failed`` queues what
failed in the last days. ``rotate_secret`` keeps the replaced secret signing for an overlap window.

Every change an administrator makes to an endpoint (create, update, on/off, delete, secret rotation,
test event, redelivery) is an action here that takes an ``Actor``, checks the admin role and writes the
audit row; the workspace pages and the JSON API only parse, call and render.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.organizations import audit, languages
from credstack.organizations.actors import SYSTEM, Actor
from credstack.organizations.brand import sender
from credstack.organizations.models import Membership, Organization, Role
from credstack.organizations.rules import require_role
from credstack.retry import LEASE, POLICY
from credstack.ui import blocked

from . import outbound, signing
from .models import (
    EVENT_TYPES,
    REDELIVER_FAILED_DAYS,
    TEST_EVENT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

log = logging.getLogger(__name__)


def _allow_private() -> bool:
    return bool(getattr(settings, "CREDSTACK_WEBHOOKS_ALLOW_PRIVATE", False))


def validate_url(url: str) -> None:
    """Refuse a receiver URL this deployment would never call."""
    parts = urlsplit(url)
    if "\x00" in url or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("must be an http(s) URL")})
    try:
        outbound.resolve(parts.hostname, parts.port or 443, _allow_private())
    except outbound.BlockedTarget as exc:
        raise ValidationError({"url": blocked.reason(exc)})


def _check_description(description: str) -> str:
    if "\x00" in description:  # PostgreSQL cannot store it; forms refuse it too
        raise ValidationError({"description": _("must not contain NUL characters")})
    return description


def _check_events(event_types: list[str]) -> list[str]:
    unknown = [e for e in event_types if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"event_types": _("unknown event types: %(types)s") % {"types": ", ".join(unknown)}}
        )
    return sorted(set(event_types))


class EndpointOff(Exception):
    """The endpoint is disabled: turn it on before sending it anything (pages show it, the API says 409)."""

    def __init__(self, endpoint: WebhookEndpoint):
        super().__init__("the endpoint is off: turn it on first")
        self.endpoint = endpoint


def _require_on(endpoint: WebhookEndpoint) -> None:
    """Refuse with ``EndpointOff`` unless the endpoint is on now (the row, not a stale copy, decides)."""
    endpoint.refresh_from_db(fields=["enabled", "disabled_reason", "disabled_at"])
    if not endpoint.enabled:
        raise EndpointOff(endpoint)


def _may_manage(organization: Organization, actor: Actor) -> None:
    require_role(organization, actor, Role.ADMIN, _("Only owners and admins manage webhook endpoints."))


def create_endpoint(
    organization: Organization,
    *,
    url: str,
    event_types: list[str] | None = None,
    description: str = "",
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    validate_url(url)
    description, event_types = _check_description(description), _check_events(event_types or [])
    _may_manage(organization, actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=url,
            description=description,
            event_types=event_types,
            secret=signing.new_secret(),
        )
        audit.record(organization, actor, "webhook.created", endpoint.public_id, endpoint.url)
    return endpoint


def subscribe_hook(
    organization: Organization, *, target_url: str, event: str, actor: Actor = SYSTEM
) -> WebhookEndpoint:
    """A REST Hooks subscription (Zapier, Make, n8n): an endpoint for one event type, made by an API
    client rather than an administrator, removed by ``unsubscribe_hook`` or a 410 Gone answer."""
    validate_url(target_url)
    if event not in EVENT_TYPES:
        raise ValidationError(
            {
                "event": _("unknown event type %(event)s; one of: %(types)s")
                % {"event": repr(event), "types": ", ".join(EVENT_TYPES)}
            },
            code="invalid",
        )
    _may_manage(organization, actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=target_url,
            description=f"REST hook: {event}",
            event_types=[event],
            secret=signing.new_secret(),
            rest_hook=True,
        )
        audit.record(
            organization, actor, "webhook.subscribed", endpoint.public_id, f"{event} -> {target_url}"
        )
    return endpoint


def unsubscribe_hook(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> None:
    """End a REST Hooks subscription (its deliveries go with it; the audit row keeps id and URL)."""
    if not endpoint.rest_hook:
        raise ValidationError(
            _("this endpoint was made by an administrator, not by a REST hook subscription")
        )
    _may_manage(endpoint.organization, actor)
    with transaction.atomic():
        audit.record(endpoint.organization, actor, "webhook.unsubscribed", endpoint.public_id, endpoint.url)
        endpoint.delete()


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    """Change the URL, the events or the description, and/or turn the endpoint on or off."""
    if url is not None:
        validate_url(url)
    if event_types is not None:
        event_types = _check_events(event_types)
    if description is not None:
        description = _check_description(description)
    _may_manage(endpoint.organization, actor)
    with transaction.atomic():
        edited = url is not None or event_types is not None or description is not None
        if url is not None:
            endpoint.url = url
        if event_types is not None:
            endpoint.event_types = event_types
        if description is not None:
            endpoint.description = description
        if edited:
            endpoint.save(update_fields=["url", "event_types", "description"])
            audit.record(endpoint.organization, actor, "webhook.updated", endpoint.public_id, endpoint.url)
        if enabled is not None:
            set_endpoint_enabled(endpoint, enabled, actor=actor)
    return endpoint


def set_endpoint_enabled(endpoint: WebhookEndpoint, enabled: bool, *, actor: Actor = SYSTEM) -> bool:
    """Turn the endpoint on or off. False (nothing written) if it already was."""
    _may_manage(endpoint.organization, actor)
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=not enabled).update(
            enabled=enabled,
            disabled_reason="" if enabled else "disabled by an administrator",
            disabled_at=None if enabled else timezone.now(),
        )
        if changed:
            verb = "webhook.enabled" if enabled else "webhook.disabled"
            audit.record(endpoint.organization, actor, verb, endpoint.public_id, endpoint.url)
    endpoint.refresh_from_db(fields=["enabled", "disabled_reason", "disabled_at"])
    return bool(changed)


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> None:
    """Delete the endpoint with its delivery log (the audit row keeps its id and URL)."""
    _may_manage(endpoint.organization, actor)
    with transaction.atomic():
        audit.record(endpoint.organization, actor, "webhook.deleted", endpoint.public_id, endpoint.url)
        endpoint.delete()


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
        transaction.on_commit(lambda: _queue(ids))
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
    _may_manage(endpoint.organization, actor)
    _require_on(endpoint)
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
    _may_manage(endpoint.organization, actor)
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
    _may_manage(endpoint.organization, actor)
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


def _queue(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    if run_after is not None:
        if not deliver_webhook.get_backend().supports_defer:
            return  # a backend that cannot defer (the tests' immediate one): deliver_due() sweeps
        task = deliver_webhook.using(run_after=run_after)
    else:
        task = deliver_webhook
    for pk in delivery_ids:
        task.enqueue(pk)


@task(queue_name=taskqueues.WEBHOOKS)
def deliver_webhook(delivery_id: int) -> str:
    """``attempt``, run later: queued after commit by ``_queue`` (a first try, or a retry when due)."""
    return attempt(delivery_id).state


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
            delivery.failed_at, delivery.requeued = now, False
            delivery.last_error = "endpoint disabled"
            delivery.save()
            return delivery
        # take this attempt: push next_attempt_at so a concurrent worker skips it, and log it before
        # anything is sent, so an attempt whose sender dies mid-way is in the log too
        delivery.next_attempt_at = now + LEASE
        delivery.attempts += 1
        delivery.save(update_fields=["next_attempt_at", "attempts"])
        logged = WebhookAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now)

    body = message.payload.encode()
    headers = signing.headers(endpoint.signing_secrets(now), message.msg_id, int(now.timestamp()), body)
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

    WebhookAttempt.objects.filter(pk=logged.pk).update(
        finished_at=timezone.now(), status_code=status, error=error
    )
    if status == GONE:
        # "410 Gone": the receiver asks not to be called again (REST Hooks; Standard Webhooks)
        _gone(endpoint, delivery, now)
        return delivery
    by_hand = delivery.requeued or message.event_type == TEST_EVENT  # tried once; never disables
    delivery.requeued = False
    delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = now, status, error
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.State.SUCCEEDED,
            now,
            None,
        )
    elif by_hand or (retry_at := POLICY.next_attempt_at(now, delivery.attempts)) is None:
        delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
        delivery.failed_at = now
    else:
        delivery.next_attempt_at = retry_at
    delivery.save()
    if delivery.state == WebhookDelivery.State.FAILED and not by_hand:
        _disable(endpoint, f"deliveries kept failing ({error})")
    elif delivery.state == WebhookDelivery.State.PENDING:
        transaction.on_commit(lambda: _queue([delivery.pk], run_after=delivery.next_attempt_at))
    return delivery


GONE = 410


def _gone(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> None:
    """A REST hook subscription answered 410: it is removed, as the REST Hooks pattern says. An
    endpoint an administrator made is turned off instead (its log stays, and it can be turned on)."""
    who = Actor.system("webhook deliveries")
    if endpoint.rest_hook:
        with transaction.atomic():
            audit.record(
                endpoint.organization,
                who,
                "webhook.unsubscribed",
                endpoint.public_id,
                f"{endpoint.url}; the receiver answered 410 Gone",
            )
            endpoint.delete()
        return
    delivery.state, delivery.next_attempt_at, delivery.failed_at = WebhookDelivery.State.FAILED, None, now
    delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = now, GONE, "HTTP 410"
    delivery.requeued = False
    delivery.save()
    _disable(endpoint, "the receiver answered 410 Gone (it asks not to be called again)")


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
            enabled=False, disabled_reason=reason[:200], disabled_at=timezone.now()
        )
        if updated:
            audit.record(
                endpoint.organization,
                Actor.system("webhook deliveries"),
                "webhook.disabled",
                endpoint.public_id,
                f"{endpoint.url}; {reason}",
            )
    if not updated:
        return
    log.warning("webhook endpoint %s disabled: %s", endpoint.url, reason)
    org = endpoint.organization
    recipients = _admin_emails(org)
    if recipients:  # in the organization's language (the reason is the delivery log's, as recorded)
        with translation.override(languages.for_email(org)):
            subject = _("[credstack] Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
            message = _(
                "credstack stopped sending events to %(url)s for %(org)s because %(reason)s.\nFix the "
                "receiver, then re-enable the endpoint; failed messages can be redelivered from its "
                "delivery log:\n%(page)s"
            ) % {"url": endpoint.url, "org": org.name, "reason": reason, "page": _endpoint_page(endpoint)}
        send_mail(subject=subject, message=message, from_email=sender(org), recipient_list=recipients)


def _endpoint_page(endpoint: WebhookEndpoint) -> str:
    path = reverse("webhooks:detail", args=[endpoint.organization.slug, endpoint.public_id])
    return settings.CREDSTACK_BASE_URL + path


def _admin_emails(org: Organization) -> list[str]:
    emails: list[str] = []
    try:
        emails = list(
            Membership.objects.filter(organization=org, role__in=["owner", "admin"]).values_list(
                "user__email", flat=True
            )
        )
    except Exception:  # no address to tell is no reason to fail the attempt that disabled the endpoint
        emails = []
    return [e for e in emails if e] or ([org.email] if org.email else [])


def redeliver(delivery: WebhookDelivery, *, actor: Actor = SYSTEM) -> WebhookDelivery:
    """An administrator's manual retry: the same message and webhook-id, attempted now.

    A delivery that had failed is tried once (no new retries, and a failure leaves the endpoint on);
    one that was still retrying keeps its schedule if this attempt fails too. The endpoint must be on.
    """
    endpoint = delivery.endpoint
    _may_manage(endpoint.organization, actor)
    _require_on(endpoint)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.PENDING,
            next_attempt_at=timezone.now(),
            requeued=delivery.requeued or delivery.state == WebhookDelivery.State.FAILED,
        )
        audit.record(
            endpoint.organization, actor, "webhook.redelivered", endpoint.public_id, delivery.message.msg_id
        )
    return attempt(delivery.pk)


def failed_recently(endpoint: WebhookEndpoint, now: datetime | None = None):
    """The endpoint's deliveries given up on in the last ``REDELIVER_FAILED_DAYS`` days, oldest first.

    Test events are left out: they are never retried. A row from before ``failed_at`` was recorded
    counts from its last attempt, or from its message when it was never attempted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=REDELIVER_FAILED_DAYS)
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.FAILED)
        .exclude(message__event_type=TEST_EVENT)
        .alias(gave_up_at=Coalesce("failed_at", "last_attempt_at", "message__created_at"))
        .filter(gave_up_at__gte=cutoff)
        .order_by("message__created_at", "pk")
    )


def redeliver_failed(
    endpoint: WebhookEndpoint, now: datetime | None = None, *, actor: Actor = SYSTEM
) -> list[int]:
    """Queue every recently failed delivery of an enabled endpoint again; returns the queued ids.

    Same message and ``webhook-id`` each, queued oldest first for the task worker (nothing is sent
    here), each tried once. Rows are locked and moved to pending in one transaction, so pressing
    twice, even at the same moment, queues nothing twice. ``EndpointOff`` if the endpoint is off.
    """
    _may_manage(endpoint.organization, actor)
    now = now or timezone.now()
    _require_on(endpoint)
    with transaction.atomic():
        ids = list(
            failed_recently(endpoint, now).select_for_update(of=("self",)).values_list("pk", flat=True)
        )
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids, state=WebhookDelivery.State.FAILED).update(
                state=WebhookDelivery.State.PENDING, next_attempt_at=now, requeued=True
            )
            transaction.on_commit(lambda: _queue(ids))
            audit.record(
                endpoint.organization,
                actor,
                "webhook.redelivered_failed",
                endpoint.public_id,
                f"{len(ids)} queued",
            )
    return ids


# A queued attempt normally runs at its time; one overdue by more than this lost its task (the worker was
# killed between claiming the delivery and recording the result, or the queue lost the job).
OVERDUE_GRACE = timedelta(minutes=5)


def requeue_overdue(now: datetime | None = None, limit: int = 1000) -> int:
    """Periodic safety net: queue again the pending deliveries whose attempt never ran, oldest first.

    Queued, not sent here, so one sweep never holds the worker for long; ``attempt`` is safe to run twice
    for the same delivery (it claims the row), so a task that was only late does no harm.
    """
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now - OVERDUE_GRACE
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        log.warning("webhooks: %d overdue deliveries queued again", len(ids))
        _queue(ids)
    return len(ids)


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
