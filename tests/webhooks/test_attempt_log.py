"""The delivery log records every attempt, and every attempt of one event carries its one webhook-id.

An attempt is logged (and committed) before its request goes out, so an attempt whose sender dies
mid-way is in the log too: a receiver that got an event twice finds two attempts, never one."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from credstack.webhooks import actions
from credstack.webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


class LoggingReceiver:
    """A loopback receiver that, when a request arrives, reads the delivery log as it is committed."""

    def __init__(self, statuses: list[int]):
        self.seen: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    log = list(WebhookAttempt.objects.values_list("number", "finished_at"))
                finally:
                    connection.close()  # this server thread's own connection
                receiver.seen.append({"webhook-id": self.headers["webhook-id"], "log": log})
                self.send_response(statuses.pop(0) if statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()


@pytest.fixture
def receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # loopback
    r = LoggingReceiver([500])
    yield r
    r.server.shutdown()


def test_every_attempt_is_logged_before_it_is_sent_and_keeps_the_webhook_id(receiver, org, issue):
    actions.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    issue()  # first attempt: HTTP 500, retried later
    delivery = WebhookDelivery.objects.get()
    actions.deliver_due(delivery.next_attempt_at + timedelta(seconds=1))  # the retry: 200
    actions.redeliver(WebhookDelivery.objects.get())  # an administrator's redelivery: 200

    # when each request arrived, its own attempt was already in the log, with no answer yet
    assert [s["log"][-1] for s in receiver.seen] == [(1, None), (2, None), (3, None)]
    assert len({s["webhook-id"] for s in receiver.seen}) == 1
    assert receiver.seen[0]["webhook-id"] == delivery.message.msg_id
    log = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [(a.number, a.status_code, a.error) for a in log] == [
        (1, 500, "HTTP 500"),
        (2, 200, ""),
        (3, 200, ""),
    ]
    assert all(a.finished_at is not None for a in log)
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.state == "succeeded"


def test_an_attempt_whose_sender_died_stays_in_the_log_and_the_next_one_follows_it(receiver, org, issue):
    receiver.server.shutdown()  # nobody answers: the first attempt fails to connect
    endpoint = actions.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    receiver.server.server_close()
    retried = LoggingReceiver([])
    try:
        issue()
        delivery = WebhookDelivery.objects.get()
        # a sender killed between logging its attempt and recording the answer leaves this behind
        WebhookAttempt.objects.create(delivery=delivery, number=2, started_at=timezone.now())
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=2)
        endpoint.url = retried.url
        endpoint.save(update_fields=["url"])
        actions.deliver_due(timezone.now() + timedelta(hours=1))
        numbers = list(WebhookAttempt.objects.values_list("number", "finished_at"))
        assert [n for n, _ in numbers] == [1, 2, 3]
        assert numbers[1][1] is None  # the dead sender's attempt: logged, no answer
        assert json.loads(WebhookDelivery.objects.get().message.payload)["type"] == "credential.issued"
        assert WebhookDelivery.objects.get().state == "succeeded"
    finally:
        retried.server.shutdown()
