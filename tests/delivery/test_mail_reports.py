"""Bounces and complaints that the mail provider reports after it accepted an email come back to the
delivery state the workspace shows, the credential's history and the audit log."""

from __future__ import annotations

import json

import pytest

from credstack.credentials.models import CredentialEvent
from credstack.delivery.models import Delivery
from credstack.organizations.models import AuditEntry
from tests.unchanged import changes_nothing

# Ordinary test transactions: the email the issuing transaction's commit sends is sent here at once
# (django_capture_on_commit_callbacks); the mail reports' writes need no commit.
pytestmark = pytest.mark.django_db
SECRET = "s3cret-hook-path-1234567890"


@pytest.fixture
def sent(issue, settings, django_capture_on_commit_callbacks):
    settings.CREDSTACK_MAIL_HOOK_SECRET = SECRET
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(email="gone@example.org")
    delivery = Delivery.objects.get(credential=credential)
    assert delivery.state == Delivery.State.SENT
    return delivery


def _report(client, body, secret=SECRET):
    return client.post(f"/hooks/mail/{secret}", json.dumps(body), content_type="application/json")


def test_a_bounce_marks_the_email_failed_with_the_reason(client, sent):
    response = _report(client, {"delivery": sent.token, "type": "bounce", "reason": "550 5.1.1 no such user"})
    assert response.status_code == 200 and response.json() == {"delivery": sent.token, "state": "failed"}
    sent.refresh_from_db()
    assert (sent.state, sent.error) == ("failed", "bounce: 550 5.1.1 no such user")
    event = CredentialEvent.objects.filter(credential=sent.credential).order_by("-id").first()
    assert event.kind == "delivery_failed"
    assert event.note == "issued email to gone@example.org bounced: 550 5.1.1 no such user"
    entry = AuditEntry.objects.filter(action="delivery.bounce").get()
    assert (entry.target, entry.actor_kind) == (sent.credential.public_id, "system")


def test_a_complaint_is_recorded_as_one(client, sent):
    assert _report(client, {"delivery": sent.token, "type": "complaint"}).status_code == 200
    sent.refresh_from_db()
    assert (sent.state, sent.error) == ("failed", "complaint")
    assert AuditEntry.objects.filter(action="delivery.complaint").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"delivery": "nosuchtoken", "type": "bounce"}, 404, "no email with this delivery token"),
        ({"type": "bounce"}, 400, "X-Credstack-Delivery"),
        ({"delivery": "TOKEN", "type": "opened"}, 400, "type must be one of: bounce, complaint"),
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(client, sent, body, status, message):
    body = {k: (sent.token if v == "TOKEN" else v) for k, v in body.items()}
    with changes_nothing():
        response = _report(client, body)
    assert response.status_code == status and message in response.json()["error"]


def test_the_hook_is_off_without_a_secret_and_refuses_a_wrong_one(client, sent, settings):
    with changes_nothing():
        assert _report(client, {"delivery": sent.token, "type": "bounce"}, secret="wrong").status_code == 404
        settings.CREDSTACK_MAIL_HOOK_SECRET = ""
        assert _report(client, {"delivery": sent.token, "type": "bounce"}).status_code == 404
