"""Outbound events: signed so standard verifiers accept them, retried on schedule, never aimed inward."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from credstack.credentials import actions as credential_actions
from credstack.retry import POLICY
from credstack.webhooks import actions, outbound
from credstack.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A real HTTP receiver on loopback that answers with the status codes it is given."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/credstack"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on loopback
    r = Receiver()
    yield r
    r.close()


def headers_of(request) -> dict:
    return {k.lower(): v for k, v in request["headers"].items()}


def test_issued_event_is_signed_per_standard_webhooks(receiver, org, issue):
    endpoint = actions.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    credential = issue(name="Zoë Ångström")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(request["body"], headers_of(request))  # raises if invalid
    assert payload["type"] == "credential.issued"
    assert payload["data"]["id"] == credential.public_id
    assert payload["data"]["recipient"]["name"] == "Zoë Ångström"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "succeeded" and delivery.attempts == 1


def test_unsubscribed_events_are_not_sent(receiver, org, issue):
    actions.create_endpoint(org, url=receiver.url, event_types=["credential.revoked"])
    credential = issue()
    assert receiver.requests == []
    credential_actions.revoke_credential(credential, reason="error")
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["credential.revoked"]


def test_a_failing_receiver_gets_retries_on_schedule_with_the_same_id(receiver, org, issue):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    receiver.statuses = [500, 503, 502]  # then 200
    start = timezone.now()
    issue()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at == pytest.approx(
        start + timedelta(seconds=POLICY.delays[0]), abs=timedelta(seconds=5)
    )
    clock = delivery.next_attempt_at
    # not due yet: nothing happens
    assert actions.deliver_due(clock - timedelta(seconds=1)) == 0
    for expected_attempts in (2, 3, 4):
        assert actions.deliver_due(clock) == 1
        delivery.refresh_from_db()
        assert delivery.attempts == expected_attempts
        if delivery.state == "pending":  # the schedule's delay, stretched by at most the jitter
            waited = (delivery.next_attempt_at - clock).total_seconds()
            delay = POLICY.delays[expected_attempts - 1]
            assert delay <= waited <= delay * (1 + POLICY.jitter)
            clock = delivery.next_attempt_at
    assert delivery.state == "succeeded"
    ids = {headers_of(r)["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 4 and len(ids) == 1
    for request in receiver.requests:  # each attempt is signed afresh, as the library would sign it
        h = headers_of(request)
        sent_at = datetime.fromtimestamp(int(h["webhook-timestamp"]), tz=UTC)
        expected = Webhook(endpoint.secret).sign(h["webhook-id"], sent_at, request["body"].decode())
        assert expected in h["webhook-signature"].split()


def test_persistent_failure_disables_the_endpoint_and_tells_the_admins(receiver, org, issue):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    receiver.statuses = [500] * (len(POLICY.delays) + 1)
    issue()
    mail.outbox.clear()
    clock = timezone.now()
    for _ in POLICY.delays:
        clock += timedelta(days=1) * (1 + POLICY.jitter)  # the longest delay, stretched
        actions.deliver_due(clock)
    delivery = WebhookDelivery.objects.get()
    endpoint.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == len(POLICY.delays) + 1
    assert sum(POLICY.delays) / 86400 > 2.9  # about three days of trying
    assert endpoint.enabled is False and "kept failing" in endpoint.disabled_reason
    assert len(mail.outbox) == 1 and endpoint.url in mail.outbox[0].subject
    # manual redelivery after the fix, with the same webhook-id
    endpoint.enabled = True
    endpoint.save()
    receiver.statuses = [200]
    assert actions.redeliver(delivery).state == "succeeded"
    assert len({headers_of(r)["webhook-id"] for r in receiver.requests}) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "ftp://example.org/x",
    ],
)
def test_private_and_loopback_targets_are_refused(org, url):
    with pytest.raises(ValidationError):
        actions.create_endpoint(org, url=url)
    with pytest.raises(outbound.BlockedTarget):
        outbound.post(url, b"{}", {})


def test_unknown_event_types_are_refused(org, settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(ValidationError, match=r"unknown event types: credential\.eaten"):
        actions.create_endpoint(org, url="http://127.0.0.1:1/x", event_types=["credential.eaten"])


def test_views_downloads_and_shares_go_out(receiver, org, issue):
    from credstack.credentials.models import CredentialEvent

    actions.create_endpoint(org, url=receiver.url, event_types=["credential.viewed", "credential.shared"])
    credential = issue()
    for kind in ("viewed", "downloaded", "shared"):
        CredentialEvent.objects.create(credential=credential, kind=kind)
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == [
        "credential.viewed",
        "credential.shared",
    ]


def test_a_page_view_and_a_download_go_out(receiver, org, issue, client):
    actions.create_endpoint(org, url=receiver.url, event_types=["credential.viewed", "credential.downloaded"])
    credential = issue()
    client.get(f"/c/{credential.public_id}", HTTP_ACCEPT="text/html")
    client.get(f"/c/{credential.public_id}.pdf")
    types = sorted(json.loads(r["body"])["type"] for r in receiver.requests)
    assert types == ["credential.downloaded", "credential.viewed"]


def test_a_delivery_whose_attempt_never_ran_is_queued_again(receiver, org, issue):
    """The worker was killed between claiming a delivery and recording the result: the periodic sweep
    (registered with the scheduler) sends it; one only just due is left to its own queued task."""
    from credstack.scheduler import registry

    assert registry.get("webhooks.requeue_overdue").every == timedelta(minutes=10)
    endpoint = actions.create_endpoint(org, url=receiver.url)
    receiver.statuses = [500, 500]
    issue()
    issue(email="second@example.org")
    stuck, recent = WebhookDelivery.objects.order_by("pk")
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=stuck.pk).update(next_attempt_at=now - timedelta(minutes=20))
    WebhookDelivery.objects.filter(pk=recent.pk).update(next_attempt_at=now - timedelta(minutes=1))
    assert actions.requeue_overdue(now) == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.state == "succeeded" and stuck.attempts == 2
    assert recent.state == "pending" and recent.attempts == 1
    assert Webhook(endpoint.secret).verify(receiver.requests[-1]["body"], headers_of(receiver.requests[-1]))
    assert actions.requeue_overdue(now) == 0
