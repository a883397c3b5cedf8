"""Outbound webhook endpoints over the API: turning one off says when, and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_an_endpoint_turned_off_says_when_and_why(api_for, org, settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    client = api_for(org, "admin")
    created = client.post("/api/v1/webhooks/endpoints", {"url": "http://127.0.0.1:9/hook"})
    assert created.status_code == 201, created.content
    assert created.json()["disabled_at"] is None and created.json()["enabled"] is True
    endpoint = created.json()["id"]
    off = client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint}", {"enabled": False})
    assert off.status_code == 200, off.content
    assert off.json()["enabled"] is False and off.json()["disabled_at"]
    assert off.json()["disabled_reason"] == "disabled by an administrator"
    on = client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint}", {"enabled": True})
    assert on.json()["enabled"] is True and on.json()["disabled_at"] is None


@pytest.mark.django_db(transaction=True)
def test_rotating_over_the_api_returns_the_new_secret_once_and_both_sign_until_the_overlap_ends(
    api_for, org, settings
):
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    from credstack.organizations.models import AuditEntry
    from credstack.webhooks import actions
    from credstack.webhooks.models import WebhookEndpoint
    from tests.webhooks.test_outbound import Receiver, headers_of

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        client = api_for(org, "admin")
        created = client.post("/api/v1/webhooks/endpoints", {"url": receiver.url}).json()
        endpoint = created["id"]
        rotated = client.post(f"/api/v1/webhooks/endpoints/{endpoint}/rotate-secret")
        assert rotated.status_code == 200, rotated.content
        new = rotated.json()["secret"]
        assert new.startswith("whsec_") and new != created["secret"]
        assert rotated.json()["previous_secret_expires_at"]
        listed = client.get("/api/v1/webhooks/endpoints").json()[0]
        assert "secret" not in listed and created["secret"] not in str(listed) and new not in str(listed)
        assert listed["previous_secret_expires_at"] == rotated.json()["previous_secret_expires_at"]

        actions.send_test_event(WebhookEndpoint.objects.get())
        request = receiver.requests[-1]
        Webhook(new).verify(request["body"], headers_of(request))
        Webhook(created["secret"]).verify(request["body"], headers_of(request))

        ended = client.request("DELETE", f"/api/v1/webhooks/endpoints/{endpoint}/previous-secret")
        assert ended.status_code == 204
        audited = " ".join(AuditEntry.objects.filter(target=endpoint).values_list("detail", flat=True))
        assert (
            "previous secret signs until" in audited
            and new not in audited
            and created["secret"] not in audited
        )
        assert AuditEntry.objects.filter(target=endpoint, action="webhook.previous_secret_ended").count() == 1
        assert client.get("/api/v1/webhooks/endpoints").json()[0]["previous_secret_expires_at"] is None
        actions.send_test_event(WebhookEndpoint.objects.get())
        request = receiver.requests[-1]
        Webhook(new).verify(request["body"], headers_of(request))
        with pytest.raises(WebhookVerificationError):
            Webhook(created["secret"]).verify(request["body"], headers_of(request))
    finally:
        receiver.close()


@pytest.mark.django_db(transaction=True)
def test_redeliver_failed_over_the_api_queues_each_once_and_refuses_while_off(api_for, org, issue, settings):
    from credstack.organizations.models import AuditEntry
    from credstack.webhooks import actions
    from credstack.webhooks.models import WebhookDelivery
    from tests.webhooks.test_outbound import Receiver, headers_of

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        client = api_for(org, "admin")
        endpoint = actions.create_endpoint(org, url=receiver.url)
        receiver.statuses = [500, 500]
        issue(name="Ada")
        issue(name="Bo")
        actions.disable_endpoint(endpoint, "deliveries kept failing (HTTP 500)")
        actions.deliver_due(timezone.now() + timedelta(seconds=10))
        path = f"/api/v1/webhooks/endpoints/{endpoint.public_id}/deliveries/redeliver-failed"
        off = client.post(path)
        assert off.status_code == 409 and off["Content-Type"] == "application/problem+json"

        client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint.public_id}", {"enabled": True})
        queued = client.post(path)
        assert queued.status_code == 202, queued.content
        oldest_first = list(
            WebhookDelivery.objects.order_by("message__created_at").values_list("pk", flat=True)
        )
        assert queued.json() == {"queued": oldest_first}
        assert client.post(path).json() == {"queued": []}
        entry = AuditEntry.objects.get(action="webhook.redelivered_failed")
        assert (entry.target, entry.detail) == (endpoint.public_id, "2 queued")
        assert entry.actor_kind == "api_key" and entry.actor_label.startswith("API key test admin (csk_")
        assert [headers_of(r)["webhook-id"] for r in receiver.requests[2:]] == list(
            WebhookDelivery.objects.order_by("message__created_at").values_list("message__msg_id", flat=True)
        )
        assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"succeeded"}
    finally:
        receiver.close()


@pytest.mark.parametrize("field", ["url", "description"])
def test_a_nul_character_is_a_422_not_a_server_error(api_for, org, settings, field):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    client = api_for(org, "admin")
    body = {"url": "http://127.0.0.1:9/hook", "description": "CRM"}
    body[field] += "\x00x"
    created = client.post("/api/v1/webhooks/endpoints", body)
    assert created.status_code == 422, created.content
    endpoint = client.post("/api/v1/webhooks/endpoints", {"url": "http://127.0.0.1:9/hook"}).json()["id"]
    patched = client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint}", {field: body[field]})
    assert patched.status_code == 422, patched.content
