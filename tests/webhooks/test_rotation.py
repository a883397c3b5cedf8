"""Rotating a signing secret without downtime: for an overlap window every delivery carries a signature
with the new secret and one with the previous secret, checked with the independent ``standardwebhooks``
package; then only the new one signs. The admin can end the overlap early, and no secret is ever logged
or shown outside the one page that hands it over."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from credstack.organizations.models import AuditEntry
from credstack.webhooks import actions
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.test_outbound import headers_of
from tests.webhooks.test_pages import SECRET

# Ordinary test transactions: the receiver thread reads no database, and what the issuing transaction's
# commit runs (the webhook delivery) runs when issue() returns, as after a real commit.
pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(issue, django_capture_on_commit_callbacks):
    def _issue(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return issue(*args, **kwargs)

    return _issue


def signatures(request) -> list[str]:
    return headers_of(request)["webhook-signature"].split(" ")


def library_signature(secret: str, request) -> str:
    """What the reference library computes for this request with this secret."""
    h = headers_of(request)
    sent_at = datetime.fromtimestamp(int(h["webhook-timestamp"]), tz=UTC)
    return Webhook(secret).sign(h["webhook-id"], sent_at, request["body"].decode())


def test_both_secrets_verify_during_the_overlap_and_only_the_new_one_after_it(receiver, org, issue, settings):
    settings.CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS = 24
    endpoint = actions.create_endpoint(org, url=receiver.url)
    old = endpoint.secret
    rotated_at = timezone.now()
    actions.rotate_secret(endpoint, now=rotated_at)
    new = endpoint.secret
    assert new != old and new.startswith("whsec_")
    endpoint.refresh_from_db()
    assert endpoint.previous_secret_expires_at == rotated_at + timedelta(hours=24)

    receiver.statuses = [500, 500]  # the first attempt and one retry fail, the last one succeeds
    issue()
    first = receiver.requests[0]
    assert len(signatures(first)) == 2
    # a receiver still holding the old secret and one already switched both accept it
    assert Webhook(old).verify(first["body"], headers_of(first))["type"] == "credential.issued"
    assert Webhook(new).verify(first["body"], headers_of(first))["type"] == "credential.issued"

    # a retry an hour before the window closes still carries both signatures
    assert actions.deliver_due(rotated_at + timedelta(hours=23)) == 1
    retry = receiver.requests[1]
    assert sorted(signatures(retry)) == sorted([library_signature(new, retry), library_signature(old, retry)])

    # after the window only the new secret signs
    assert actions.deliver_due(rotated_at + timedelta(hours=24, minutes=1)) == 1
    last = receiver.requests[2]
    assert signatures(last) == [library_signature(new, last)]
    assert library_signature(old, last) not in headers_of(last)["webhook-signature"]
    assert WebhookDelivery.objects.get().state == "succeeded"
    assert len({headers_of(r)["webhook-id"] for r in receiver.requests}) == 1


def test_after_the_window_a_standard_verifier_rejects_the_old_secret(receiver, org, issue):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    old = endpoint.secret
    actions.rotate_secret(endpoint, now=timezone.now() - timedelta(hours=25))  # rotated yesterday
    issue()
    request = receiver.requests[0]
    Webhook(endpoint.secret).verify(request["body"], headers_of(request))
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request["body"], headers_of(request))
    # the periodic job then erases the expired secret from the database
    assert actions.forget_expired_secrets() == 1
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "" and endpoint.previous_secret_expires_at is None
    assert actions.forget_expired_secrets() == 0


def test_ending_the_overlap_early_stops_the_old_secret_at_once(receiver, org):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    old = endpoint.secret
    actions.rotate_secret(endpoint)
    assert actions.end_rotation_overlap(endpoint) is True
    assert actions.end_rotation_overlap(endpoint) is False  # nothing left to end
    stored = WebhookEndpoint.objects.get()
    assert stored.previous_secret == "" and stored.previous_secret_expires_at is None
    actions.send_test_event(stored)
    request = receiver.requests[-1]
    assert len(signatures(request)) == 1
    Webhook(stored.secret).verify(request["body"], headers_of(request))
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request["body"], headers_of(request))


def test_the_overlap_follows_the_setting_and_zero_means_none(receiver, org, settings):
    endpoint = actions.create_endpoint(org, url=receiver.url)
    settings.CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS = 2
    now = timezone.now()
    actions.rotate_secret(endpoint, now=now)
    assert endpoint.previous_secret_expires_at == now + timedelta(hours=2)
    # rotating again during a window: the newest replaced secret overlaps, the oldest stops
    second = endpoint.secret
    actions.rotate_secret(endpoint, now=now)
    assert endpoint.previous_secret == second
    settings.CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS = 0
    third = endpoint.secret
    actions.rotate_secret(endpoint)
    assert endpoint.previous_secret == "" and endpoint.previous_secret_expires_at is None
    actions.send_test_event(endpoint)
    request = receiver.requests[-1]
    with pytest.raises(WebhookVerificationError):
        Webhook(third).verify(request["body"], headers_of(request))
    Webhook(endpoint.secret).verify(request["body"], headers_of(request))


def test_the_pages_say_until_when_and_the_secrets_stay_out_of_logs_and_the_delivery_log(
    admin, org, receiver, issue, caplog
):
    caplog.set_level(logging.DEBUG)
    endpoint = actions.create_endpoint(org, url=receiver.url)
    old = endpoint.secret
    detail = f"/w/{org.slug}/developers/webhooks/{endpoint.public_id}/"
    page = admin.get(detail).content.decode()
    assert "for 24 hours deliveries are signed with both" in page and "still signs until" not in page

    shown = admin.post(detail + "rotate").content.decode()
    endpoint.refresh_from_db()
    new = endpoint.secret
    until = endpoint.previous_secret_expires_at.strftime("%Y-%m-%d %H:%M")
    assert SECRET.findall(shown) == [new]  # the new secret, once; never the old one
    assert f'with the previous one until <span class="until">{until} UTC</span>' in shown
    assert "Stop the previous secret now" in shown

    receiver.statuses = [500]
    issue()  # fails once: the delivery log shows an error line
    admin.post(detail + "test")
    log_page = admin.get(detail + "deliveries/").content.decode()
    endpoint_page = admin.get(detail).content.decode()
    assert "HTTP 500" in log_page and "retrying" in log_page
    assert "still signs until <span" in endpoint_page and until in endpoint_page
    admin.post(detail + "rotate/end-overlap")
    after = admin.get(detail).content.decode()
    assert "still signs until" not in after

    for text in (log_page, endpoint_page, after, caplog.text):
        assert old not in text and new not in text and not SECRET.search(text)
    audit = " ".join(AuditEntry.objects.values_list("detail", flat=True))
    assert old not in audit and new not in audit and not SECRET.search(audit)
    assert AuditEntry.objects.filter(action="webhook.secret_rotated", detail__contains=until).exists()
    assert AuditEntry.objects.filter(action="webhook.previous_secret_ended").count() == 1
