"""Outbound webhook endpoints in the workspace: created with SSRF checks, secret shown once, a signed test
event to a real receiver, the delivery log and redelivery, on/off, roles and tenants."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from credstack.organizations.models import AuditEntry
from credstack.webhooks import actions
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from tests.webhooks.test_outbound import headers_of
from tests.workspace.conftest import make_user

# Ordinary test transactions: what runs after a commit is run where a test needs it
# (django_capture_on_commit_callbacks), and the receiver thread reads no database.
pytestmark = pytest.mark.django_db

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def _token(client, org) -> str:
    page = client.get(f"/w/{org.slug}/developers/webhooks/new").content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def _create(client, org, url, events=None, description="CRM sync"):
    data = {"url": url, "description": description, "form_token": _token(client, org)}
    data.update({"events": "some", "event_types": events} if events else {"events": "all"})
    return client.post(f"/w/{org.slug}/developers/webhooks/new", data)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
    ],
)
def test_a_private_or_loopback_url_is_refused_next_to_the_field(admin, org, url):
    response = _create(admin, org, url)
    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(r'<p class="field-error" id="f-url-error" role="alert">([^<]+)</p>', html)
    assert error and "not a public address" in error.group(1)
    assert 'aria-invalid="true"' in html and f'value="{url}"' in html  # what was typed stays
    assert not WebhookEndpoint.objects.exists()


def test_only_some_events_needs_one_ticked(admin, org, receiver):
    response = admin.post(
        f"/w/{org.slug}/developers/webhooks/new",
        {"url": receiver.url, "events": "some", "form_token": _token(admin, org)},
    )
    assert response.status_code == 422 and "Tick at least one event" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_created_in_the_ui_the_secret_is_shown_once_and_a_test_event_arrives_signed(admin, org, receiver):
    other = actions.create_endpoint(org, url=receiver.url + "/other")  # must not get the test event
    response = _create(admin, org, receiver.url, events=["credential.issued", "credential.revoked"])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    endpoint = WebhookEndpoint.objects.exclude(pk=other.pk).get()
    assert SECRET.search(response.content.decode()).group(0) == endpoint.secret
    assert endpoint.event_types == ["credential.issued", "credential.revoked"]
    assert endpoint.description == "CRM sync"
    page = admin.get(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/").content.decode()
    assert endpoint.secret not in page and not SECRET.search(page)
    listing = admin.get(f"/w/{org.slug}/developers/").content.decode()
    assert endpoint.url in listing and "credential.revoked" in listing and not SECRET.search(listing)

    response = admin.post(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/test", follow=True)
    assert "Test event delivered: the receiver answered HTTP 200" in response.content.decode()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(request["body"], headers_of(request))  # raises if forged
    assert payload["type"] == "webhook.test" and payload["data"]["endpoint"] == endpoint.public_id
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.message.msg_id == headers_of(request)["webhook-id"]
    assert not other.deliveries.exists()
    log = admin.get(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/deliveries/").content.decode()
    assert delivery.message.msg_id in log and "webhook.test" in log and "HTTP 200" in log
    actions_logged = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"webhook.created", "webhook.test_sent"} <= actions_logged


def test_a_failed_test_event_is_logged_not_retried_and_leaves_the_endpoint_on(admin, org, receiver):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    receiver.statuses = [500]
    response = admin.post(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/test", follow=True)
    assert "Test event not delivered: HTTP 500. It is not retried." in response.content.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    endpoint.refresh_from_db()
    assert endpoint.enabled


def test_redelivery_from_the_log_sends_the_same_message_again(
    admin, org, receiver, issue, django_capture_on_commit_callbacks
):
    endpoint = actions.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):  # what the issuing transaction's commit runs
        issue()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    base = f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/deliveries/"
    pending = admin.get(base, {"outcome": "pending"}).content.decode()
    assert delivery.message.msg_id in pending and "retrying" in pending and "HTTP 503" in pending
    assert delivery.message.msg_id not in admin.get(base, {"outcome": "succeeded"}).content.decode()

    response = admin.post(base + f"{delivery.message.msg_id}/redeliver", {"outcome": "pending"})
    assert response.status_code == 302 and response["Location"].endswith("?outcome=pending")
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempts == 2
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert headers_of(first)["webhook-id"] == headers_of(second)["webhook-id"] == delivery.message.msg_id
    Webhook(endpoint.secret).verify(second["body"], headers_of(second))
    assert delivery.message.msg_id in admin.get(base, {"outcome": "succeeded"}).content.decode()
    assert AuditEntry.objects.filter(action="webhook.redelivered", detail=delivery.message.msg_id).exists()


def test_a_disabled_endpoint_says_why_and_when_and_can_be_turned_on_again(admin, org, receiver):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    actions.disable_endpoint(endpoint, "deliveries kept failing (HTTP 500)")
    endpoint.refresh_from_db()
    assert f"http://testserver/w/{org.slug}/developers/webhooks/{endpoint.public_id}/" in mail.outbox[-1].body
    page = admin.get(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/").content.decode()
    assert "deliveries kept failing (HTTP 500)" in page
    assert "Off since " + endpoint.disabled_at.strftime("%Y-%m-%d %H:%M") in page
    assert "Turn on again" in page and "Send a test event</button>" not in page
    listing = admin.get(f"/w/{org.slug}/developers/").content.decode()
    assert "disabled" in listing and "deliveries kept failing" in listing
    # a test event is refused while off
    admin.post(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/test")
    assert receiver.requests == []

    admin.post(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/enable")
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == "" and endpoint.disabled_at is None
    admin.post(f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/disable")
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_reason == "disabled by an administrator"


def test_edit_keeps_the_ssrf_rule_and_rotating_the_secret_shows_the_new_one_once(
    admin, org, receiver, settings
):
    endpoint = actions.create_endpoint(org, url=receiver.url, description="old")
    detail = f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/"
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = False  # as in production
    response = admin.post(detail, {"url": "http://10.0.0.7/hook", "description": "new", "events": "all"})
    assert response.status_code == 422 and "not a public address" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url and endpoint.description == "old"

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the loopback receiver again
    response = admin.post(
        detail,
        {"url": receiver.url, "description": "new", "events": "some", "event_types": ["course.completed"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.description == "new" and endpoint.event_types == ["course.completed"]

    old_secret = endpoint.secret
    response = admin.post(detail + "rotate")
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert SECRET.search(response.content.decode()).group(0) == endpoint.secret
    assert "no-store" in response["Cache-Control"]
    # during the overlap the receiver may still hold the old secret: both verify
    admin.post(detail + "test")
    request = receiver.requests[-1]
    Webhook(endpoint.secret).verify(request["body"], headers_of(request))
    Webhook(old_secret).verify(request["body"], headers_of(request))
    page = admin.get(detail).content.decode()
    until = endpoint.previous_secret_expires_at.strftime("%Y-%m-%d %H:%M")
    assert f'the previous secret still signs until <span class="until">{until} UTC</span>' in page
    assert not SECRET.search(page)
    # "the old secret may have leaked": end the overlap from the page
    response = admin.post(detail + "rotate/end-overlap", follow=True)
    assert "The previous secret no longer signs anything" in response.content.decode()
    assert "still signs until" not in response.content.decode()
    admin.post(detail + "test")
    request = receiver.requests[-1]
    Webhook(endpoint.secret).verify(request["body"], headers_of(request))
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request["body"], headers_of(request))
    assert AuditEntry.objects.filter(
        action="webhook.previous_secret_ended", target=endpoint.public_id
    ).exists()

    response = admin.post(detail + "delete")
    assert response.status_code == 302 and not WebhookEndpoint.objects.exists()
    assert AuditEntry.objects.filter(action="webhook.deleted", target=endpoint.public_id).exists()


@pytest.mark.parametrize("role", ["viewer", "issuer"])
def test_viewers_and_issuers_get_403(client, org, role, receiver):
    from credstack.organizations.models import Membership

    endpoint = actions.create_endpoint(org, url=receiver.url)
    user = make_user(f"{role}@example.org")
    Membership.objects.create(organization=org, user=user, role=role)
    client.force_login(user)
    base = f"/w/{org.slug}/developers/webhooks/"
    assert client.get(base + "new").status_code == 403
    assert client.get(base + f"{endpoint.public_id}/").status_code == 403
    assert client.get(base + f"{endpoint.public_id}/deliveries/").status_code == 403
    for action in (
        "test",
        "rotate",
        "rotate/end-overlap",
        "disable",
        "delete",
        "deliveries/redeliver-failed",
    ):
        assert client.post(base + f"{endpoint.public_id}/{action}").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.enabled and receiver.requests == []


def test_another_organizations_endpoints_and_deliveries_give_404(admin, org, receiver):
    from credstack.organizations.actions import create_organization

    rival = create_organization(slug="globex", name="Globex Academy")
    theirs = actions.create_endpoint(rival, url=receiver.url)
    actions.send_test_event(theirs)
    msg = WebhookMessage.objects.get().msg_id
    secret, sent = theirs.secret, len(receiver.requests)
    base = f"/w/{org.slug}/developers/webhooks/{theirs.public_id}/"
    assert admin.get(base).status_code == 404
    assert admin.get(base + "deliveries/").status_code == 404
    for action in (
        "test",
        "rotate",
        "rotate/end-overlap",
        "enable",
        "disable",
        "delete",
        "deliveries/redeliver-failed",
        f"deliveries/{msg}/redeliver",
    ):
        assert admin.post(base + action).status_code == 404, action
    assert admin.post(base, {"url": "https://example.org/x", "events": "all"}).status_code == 404
    # one of our own endpoints cannot redeliver their message either
    ours = actions.create_endpoint(org, url=receiver.url)
    path = f"/w/{org.slug}/developers/webhooks/{ours.public_id}/deliveries/{msg}/redeliver"
    assert admin.post(path).status_code == 404
    theirs.refresh_from_db()
    assert theirs.secret == secret and theirs.enabled and len(receiver.requests) == sent
    assert admin.get(f"/w/{rival.slug}/developers/").status_code == 404
    assert json.loads(receiver.requests[0]["body"])["data"]["organization"] == "globex"


def test_a_refused_url_says_why_in_the_users_language(admin, org):
    """Issue 17: the SSRF reason next to the field is German for a German-speaking admin."""
    assert admin.post("/w/language", {"language": "de"}).status_code == 302
    response = _create(admin, org, "http://127.0.0.1:8000/hook")
    assert response.status_code == 422
    error = re.search(
        r'<p class="field-error" id="f-url-error" role="alert">([^<]+)</p>', response.content.decode()
    )
    assert (
        error
        and "127.0.0.1 ist keine öffentliche, sondern eine private oder lokale Adresse" in error.group(1)
    )
    assert not WebhookEndpoint.objects.exists()
