"""Issuing through the one pipeline: what lands in the database and what the holder gets."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from credstack.credentials.models import Credential, CredentialEvent, StatusList
from credstack.credentials.resolver import local_fetch
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing

# Ordinary test transactions: what the issuing transaction's commit runs (the outbox: email, webhooks,
# page caches) runs when issue() returns, as after a real commit.
pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(issue, django_capture_on_commit_callbacks):
    def _issue(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return issue(*args, **kwargs)

    return _issue


def test_issued_credential_is_a_signed_open_badge_that_verifies(issue, org, achievement):
    credential = issue(name="Ada Lovelace", email="Ada@Example.ORG")
    doc = credential.signed()

    assert doc["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"] == f"http://testserver/c/{credential.public_id}"
    assert doc["issuer"]["id"] == "did:web:testserver:orgs:acme" == org.did
    assert doc["issuer"]["name"] == "Acme Training"
    subject = doc["credentialSubject"]
    assert subject["achievement"]["name"] == "Python Basics"
    assert subject["achievement"]["id"] == achievement.uri
    identity = subject["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "ada@example.org" not in credential.document.lower()
    [proof] = doc["proof"]  # a list of one: Open Badges 3.0's JSON binding (decision 0032)
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == "did:web:testserver:orgs:acme#key-1"
    # one status entry, an object (decision 0032): suspension, which revocation sets for good too
    assert doc["credentialStatus"]["statusPurpose"] == "suspension"

    report = vc_verify.verify_credential(doc, fetch=local_fetch)
    assert report.valid, report.to_dict()
    assert report.status == "valid"
    assert credential.recipient_email == "Ada@example.org"


def test_holder_gets_an_email_with_the_link_once(issue):
    credential = issue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert credential.uri in message.body
    assert "Python Basics" in message.subject
    assert credential.events.filter(kind=CredentialEvent.Kind.DELIVERED).count() == 1

    from credstack.delivery.actions import queue_credential_email
    from credstack.delivery.tasks import send_email

    send_email.call(credential.deliveries.get().pk)  # a retried task sends nothing twice
    assert queue_credential_email(credential) is None  # nor does a second "issued" trigger
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "name", ["أحمد الفارسي", "李小龙", "Ольга Петрова", "प्रिया शर्मा", "שָׁלוֹם", 'Zoë 👩‍🎓 O\'Brien "Jr"']
)
def test_names_in_every_script_are_signed_verbatim(issue, name):
    credential = issue(name=name)
    assert credential.signed()["credentialSubject"]["name"] == name
    assert vc_verify.verify_credential(credential.signed(), fetch=local_fetch).valid


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "recipient_name", "is required"),
        ({"name": "   \t "}, "recipient_name", "is required"),
        ({"name": "Ada\x07Lovelace"}, "recipient_name", "U+0007"),
        ({"name": "x" * 501}, "recipient_name", "at most 500"),
        ({"email": "not-an-email"}, "recipient_email", "not a valid email"),
        ({"email": ""}, "recipient_email", "is required"),
    ],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(issue, fields, field, message):
    with changes_nothing(), pytest.raises(ValidationError) as excinfo:
        issue(**fields)
    assert message in " ".join(excinfo.value.message_dict[field])
    assert Credential.objects.count() == 0
    assert sum(s.next_slot for s in StatusList.objects.all()) == 0
    assert len(mail.outbox) == 0


def test_white_space_in_names_is_folded(issue):
    assert issue(name="  Ada \n\t Lovelace ").recipient_name == "Ada Lovelace"


def test_idempotency_key_issues_once(issue):
    first = issue(idempotency_key="enrolment-42")
    second = issue(idempotency_key="enrolment-42")
    assert first.pk == second.pk
    assert Credential.objects.count() == 1
    assert len(mail.outbox) == 1


def test_every_credential_gets_its_own_status_index(issue):
    creds = [issue(email=f"p{i}@example.org") for i in range(20)]
    slots = {(c.status_list_id, c.status_index) for c in creds}
    assert len(slots) == 20
    indexes = [c.status_index for c in creds]
    assert indexes != sorted(indexes), "indexes should not reveal issue order"
    for c in creds:
        entry = c.signed()["credentialStatus"]
        assert entry["statusListIndex"] == str(c.status_index)


def test_expiry_comes_from_the_achievement(issue, achievement):
    achievement.valid_for_months = 24
    achievement.save()
    credential = issue()
    doc = credential.signed()
    assert doc["validUntil"].startswith(str(credential.issued_at.year + 2))
    assert credential.valid_until.year == credential.issued_at.year + 2


def test_the_signed_document_is_stored_byte_for_byte(issue):
    credential = issue(name="Ünïcödé ✓")
    reloaded = Credential.objects.get(pk=credential.pk)
    assert reloaded.document == credential.document
    assert json.loads(reloaded.document)["credentialSubject"]["name"] == "Ünïcödé ✓"


def test_result_and_activity_dates_are_signed(issue):
    from datetime import UTC, datetime

    start, end = datetime(2026, 9, 1, 9, tzinfo=UTC), datetime(2026, 10, 15, 17, tzinfo=UTC)
    credential = issue(result=[{"value": "92"}], activity_start=start, activity_end=end)
    subject = credential.signed()["credentialSubject"]
    assert subject["activityStartDate"] == "2026-09-01T09:00:00Z"
    assert subject["activityEndDate"] == "2026-10-15T17:00:00Z"
    assert subject["result"][0]["value"] == "92"
    assert vc_verify.verify_credential(credential.signed(), fetch=local_fetch).valid


def test_effects_go_through_the_outbox_after_commit(issue, django_capture_on_commit_callbacks):
    from credstack.credentials import actions, signals
    from credstack.outbox.registry import subscribe, unsubscribe

    seen = []
    subscribe(signals.ISSUED, "test.issued", lambda payload, key: seen.append(("issued", payload)))
    subscribe(
        signals.STATE_CHANGED,
        "test.changed",
        lambda payload, key: seen.append((payload["event"], payload)),
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            credential = issue()
            actions.suspend_credential(credential)
            actions.revoke_credential(credential, reason="x")
    finally:
        unsubscribe("test.issued")
        unsubscribe("test.changed")
    ids = {"credential": credential.pk, "organization": credential.organization_id}
    assert seen == [
        ("issued", ids),
        ("suspended", {**ids, "event": "suspended", "state": "suspended"}),
        ("revoked", {**ids, "event": "revoked", "state": "revoked"}),
    ]
