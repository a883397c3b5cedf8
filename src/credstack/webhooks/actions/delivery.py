"""Delivery: the queued attempt with its backoff (``credstack.retry``), an endpoint turned off when its
deliveries keep failing or it answers 410 Gone (its administrators told by email), redelivery by hand,
and the periodic sweeps for overdue and due deliveries.

``deliver_webhook`` is the task; it is also importable as ``credstack.webhooks.actions.deliver_webhook``
(the path queued tasks were stored under before the split) and ``credstack.webhooks.tasks``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
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
from credstack.organizations.models import Membership, Organization
from credstack.retry import LEASE, POLICY

from .. import outbound, signing
from ..models import REDELIVER_FAILED_DAYS, TEST_EVENT, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .endpoints import allow_private, may_manage, require_on

log = logging.getLogger("credstack.webhooks.actions")  # log lines keep the name they had before the split


def queue_deliveries(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    """Queue an attempt of each delivery (at ``run_after``, when the backend can defer), after commit."""
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
    """``attempt``, run later: queued after commit by ``queue_deliveries`` (a first try, or a retry when due)."""
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
        result = outbound.post(endpoint.url, body, headers, allow_private=allow_private())
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
        disable_endpoint(endpoint, f"deliveries kept failing ({error})")
    elif delivery.state == WebhookDelivery.State.PENDING:
        transaction.on_commit(lambda: queue_deliveries([delivery.pk], run_after=delivery.next_attempt_at))
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
    disable_endpoint(endpoint, "the receiver answered 410 Gone (it asks not to be called again)")


def disable_endpoint(endpoint: WebhookEndpoint, reason: str) -> None:
    """Turn the endpoint off for ``reason`` (audited as the system) and tell its administrators by email."""
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
    may_manage(endpoint.organization, actor)
    require_on(endpoint)
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
    may_manage(endpoint.organization, actor)
    now = now or timezone.now()
    require_on(endpoint)
    with transaction.atomic():
        ids = list(
            failed_recently(endpoint, now).select_for_update(of=("self",)).values_list("pk", flat=True)
        )
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids, state=WebhookDelivery.State.FAILED).update(
                state=WebhookDelivery.State.PENDING, next_attempt_at=now, requeued=True
            )
            transaction.on_commit(lambda: queue_deliveries(ids))
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
        queue_deliveries(ids)
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
