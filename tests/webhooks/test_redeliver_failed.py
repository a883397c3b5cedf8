"""After an endpoint that was disabled for failing is on again, "Redeliver all failed" queues what failed in
the last three days, oldest first, with the same webhook-ids, for the worker; pressing twice queues
nothing twice; a real loopback receiver gets them, signed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task_backends
from standardwebhooks.webhooks import Webhook

from credstack import taskqueues
from credstack.organizations.models import AuditEntry
from credstack.retry import POLICY
from credstack.webhooks import actions
from credstack.webhooks.models import WebhookDelivery
from credstack.webhooks.tasks import deliver_webhook
from tests.webhooks.test_outbound import headers_of

pytestmark = pytest.mark.django_db(transaction=True)

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": taskqueues.ALL}}


def _disabled_with_failures(org, issue, receiver, names=("Ada", "Bo", "Cy")):
    """Three events fail at the receiver; the endpoint is disabled for it; their deliveries give up."""
    endpoint = actions.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    receiver.statuses = [500] * len(names)
    for name in names:
        issue(name=name)
    actions.disable_endpoint(endpoint, "deliveries kept failing (HTTP 500)")
    assert actions.deliver_due(timezone.now() + timedelta(seconds=POLICY.delays[0] + 1)) == len(names)
    assert set(WebhookDelivery.objects.values_list("state", "last_error")) == {
        ("failed", "endpoint disabled")
    }
    receiver.requests.clear()
    endpoint.refresh_from_db()
    return endpoint


def _names(requests) -> list[str]:
    return [json.loads(r["body"])["data"]["recipient"]["name"] for r in requests]


def test_turned_on_again_the_page_offers_it_and_it_queues_oldest_first_without_sending(
    admin, org, issue, receiver, settings
):
    endpoint = _disabled_with_failures(org, issue, receiver)
    msg_ids = list(
        WebhookDelivery.objects.order_by("message__created_at").values_list("message__msg_id", flat=True)
    )
    old = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk").first()
    base = f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/"
    page = admin.get(base).content.decode()
    assert "Turn on again" in page and "Redeliver all failed" not in page  # nothing to offer while off

    response = admin.post(base + "enable", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#failed")
    assert "3 deliveries failed in the last 3 days" in html and "Redeliver all failed (3)" in html

    # neither a failed test event (never retried) nor what failed more than three days ago is offered
    receiver.statuses = [500]
    test_event = actions.send_test_event(endpoint)
    assert test_event.state == "failed"
    receiver.requests.clear()
    WebhookDelivery.objects.filter(pk=old.pk).update(failed_at=timezone.now() - timedelta(days=3, hours=1))
    log = admin.get(base + "deliveries/").content.decode()
    assert "Redeliver all failed (2)" in log

    settings.TASKS = DUMMY  # a real queue that only records: prove nothing is sent inline
    response = admin.post(base + "deliveries/redeliver-failed", follow=True)
    html = response.content.decode()
    assert "2 deliveries queued again, oldest first" in html
    queued = [r.args[0] for r in task_backends["default"].results]
    expected = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, message__event_type="credential.issued")
        .exclude(pk=old.pk)
        .order_by("message__created_at")
        .values_list("pk", flat=True)
    )
    assert queued == expected and receiver.requests == []
    assert html.count("queued again</span>") == 2 and "Redeliver all failed" not in html
    old.refresh_from_db()
    assert old.state == "failed"

    # pressed twice (or a reload): nothing more is queued
    html = admin.post(base + "deliveries/redeliver-failed", follow=True).content.decode()
    assert "Nothing to redeliver" in html
    assert len(task_backends["default"].results) == 2
    entries = AuditEntry.objects.filter(action="webhook.redelivered_failed", target=endpoint.public_id)
    assert list(entries.values_list("detail", flat=True)) == ["2 queued"]

    # the worker runs the queue: the receiver gets them oldest first, same ids, signed
    for result in task_backends["default"].results:
        deliver_webhook.call(*result.args)
    assert _names(receiver.requests) == ["Bo", "Cy"]
    assert [headers_of(r)["webhook-id"] for r in receiver.requests] == msg_ids[1:]
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], headers_of(request))
    assert set(WebhookDelivery.objects.filter(pk__in=queued).values_list("state", flat=True)) == {"succeeded"}
    test_event.refresh_from_db()
    assert test_event.state == "failed" and test_event.attempts == 1


def test_a_still_broken_receiver_fails_them_once_and_the_endpoint_stays_on(org, issue, receiver):
    endpoint = _disabled_with_failures(org, issue, receiver, names=("Ada", "Bo"))
    actions.update_endpoint(endpoint, enabled=True)
    receiver.statuses = [502, 200]  # the oldest fails again, the next one gets through
    queued = actions.redeliver_failed(endpoint)  # the tests' task backend runs the queue at once
    assert len(queued) == 2 and _names(receiver.requests) == ["Ada", "Bo"]
    first, second = WebhookDelivery.objects.filter(pk__in=queued).order_by("message__created_at")
    assert (first.state, first.last_error, first.next_attempt_at, first.requeued) == (
        "failed",
        "HTTP 502",
        None,
        False,
    )
    assert second.state == "succeeded"
    endpoint.refresh_from_db()
    assert endpoint.enabled  # a redelivery by hand never disables the endpoint again
    # pressed again later: only what failed since is queued, once
    assert actions.redeliver_failed(endpoint) == [first.pk]
    assert actions.redeliver_failed(endpoint) == []
    assert _names(receiver.requests) == ["Ada", "Bo", "Ada"]
    assert len({headers_of(r)["webhook-id"] for r in receiver.requests}) == 2


def test_the_delivery_that_exhausted_its_retries_is_included(org, issue, receiver):
    """It is the one that disabled the endpoint, and its message is more than three days old by then."""
    endpoint = actions.create_endpoint(org, url=receiver.url)
    receiver.statuses = [500] * (len(POLICY.delays) + 1)
    issue(name="Ada")
    clock = timezone.now()
    for _ in POLICY.delays:
        clock += timedelta(days=1) * (1 + POLICY.jitter)  # the longest delay, stretched
        actions.deliver_due(clock)
    endpoint.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert not endpoint.enabled and delivery.state == "failed"
    assert clock - delivery.message.created_at > timedelta(days=3)
    with pytest.raises(actions.EndpointOff):  # off: refused, nothing is queued
        actions.redeliver_failed(endpoint, now=clock)
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    actions.update_endpoint(endpoint, enabled=True)
    assert actions.redeliver_failed(endpoint, now=clock + timedelta(hours=1)) == [delivery.pk]
    assert actions.deliver_due(clock + timedelta(hours=1)) == 1
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempts == len(POLICY.delays) + 2
    assert actions.redeliver_failed(endpoint, now=clock + timedelta(days=4)) == []


def test_while_the_endpoint_is_off_it_is_refused(admin, org, issue, receiver):
    endpoint = _disabled_with_failures(org, issue, receiver, names=("Ada",))
    base = f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/"
    html = admin.post(base + "deliveries/redeliver-failed", follow=True).content.decode()
    assert "The endpoint is off" in html and receiver.requests == []
    assert WebhookDelivery.objects.get().state == "failed"
    assert not AuditEntry.objects.filter(action="webhook.redelivered_failed").exists()
