"""The batch-native pipeline: ``issue_credentials(requests)`` issues many credentials at once, with every
guarantee a single issue has (a single issue is a batch of one)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from credstack.credentials.actions import IssueRequest, issue_credential, issue_credentials
from credstack.credentials.models import Credential, CredentialEvent, StatusList
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry
from credstack.outbox import actions as outbox
from credstack.outbox import registry
from credstack.outbox.models import OutboxEntry
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db

NAMES = ["Ada Lovelace", "محمد الفارسي", "王小明", "Ольга Петрова", "प्रिया शर्मा", "אביגיל בן-דוד", "Zoë 🎓"]


def requests(achievement, count: int, start: int = 0, **kw) -> list[IssueRequest]:
    return [
        IssueRequest(
            achievement=achievement,
            recipient_name=f"{NAMES[n % len(NAMES)]} {n}",
            recipient_email=f"learner{n}@example.org",
            **kw,
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="issuer", email="issuer@example.org")


def next_slot(org) -> int:
    return sum(StatusList.objects.filter(organization=org).values_list("next_slot", flat=True))


def test_a_batch_gives_one_verifying_credential_per_request_on_consecutive_slots(achievement, org):
    issue_credential(achievement=achievement, recipient_name="First One", recipient_email="first@example.org")
    status_list = StatusList.objects.get(organization=org)
    first = status_list.next_slot

    results = issue_credentials(requests(achievement, 30, result=[{"type": ["Result"], "value": "91"}]))

    assert [r.error for r in results] == [None] * 30
    credentials = [r.credential for r in results]
    assert all(c is not None and c.pk for c in credentials)
    assert Credential.objects.count() == 31
    # the batch's slots are the next 30 of the list, one each (indexes are the list's permutation of
    # its slots, decision 0032)
    status_list.refresh_from_db()
    assert status_list.next_slot == first + 30
    indexes = [c.status_index for c in credentials]
    assert indexes == [status_list.index_of_slot(s) for s in range(first, first + 30)]
    assert len(set(indexes)) == 30
    for credential, request in zip(credentials, requests(achievement, 30), strict=True):
        stored = Credential.objects.get(pk=credential.pk)
        doc = stored.signed()
        assert doc["credentialSubject"]["result"] == [{"type": ["Result"], "value": "91"}]
        assert doc["credentialStatus"]["statusListIndex"] == str(stored.status_index)
        assert stored.recipient_name == request.recipient_name
        report = vc_verify.verify_credential(doc, fetch=local_fetch)
        assert report.valid and report.status == "valid", report.to_dict()
    assert CredentialEvent.objects.filter(kind="issued", credential__in=credentials).count() == 30


def test_outbox_one_row_per_consumer_per_batch_naming_every_credential_and_audit_rows(achievement, org, user):
    results = issue_credentials(requests(achievement, 12, actor=user))
    consumers = {c.name for c in registry.consumers("credential.issued")}
    assert consumers  # delivery, webhooks, pathways subscribe in their AppConfig.ready()
    rows = OutboxEntry.objects.filter(kind="credential.issued")
    assert sorted(r.consumer for r in rows) == sorted(consumers)  # one row each for the 12 credentials
    expected = [
        (
            {"credential": r.credential.pk, "organization": org.pk},
            f"credential.issued:{r.credential.public_id}",
        )
        for r in results
    ]
    for row in rows:
        assert outbox.effects_of(row) == expected
    audited = AuditEntry.objects.filter(organization=org, action="credential.issued")
    assert sorted(audited.values_list("target", flat=True)) == sorted(r.credential.public_id for r in results)
    assert {(a.actor_id, a.actor_kind) for a in audited} == {(user.pk, "user")}


def test_a_bad_request_is_named_and_the_others_are_issued(achievement, org):
    batch = requests(achievement, 4)
    batch[1] = IssueRequest(
        achievement=achievement, recipient_name="Bad Email", recipient_email="not-an-email"
    )
    batch[3] = IssueRequest(achievement=achievement, recipient_name="  ", recipient_email="ok@example.org")
    before = next_slot(org)

    results = issue_credentials(batch)

    assert [r.credential is not None for r in results] == [True, False, True, False]
    assert set(results[1].error.message_dict) == {"recipient_email"}
    assert set(results[3].error.message_dict) == {"recipient_name"}
    assert results[1].request is batch[1]
    assert Credential.objects.count() == 2
    assert next_slot(org) == before + 2  # nothing reserved for a refused request


def test_a_single_bad_issue_still_raises_and_changes_nothing(achievement, org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        issue_credential(achievement=achievement, recipient_name="Ada", recipient_email="nope")
    assert "recipient_email" in caught.value.message_dict
    assert Credential.objects.count() == 0 and not StatusList.objects.filter(next_slot__gt=0).exists()


def test_retrying_a_batch_returns_the_same_credentials_and_reserves_nothing(achievement, org):
    batch = [
        IssueRequest(
            achievement=achievement,
            recipient_name=r.recipient_name,
            recipient_email=r.recipient_email,
            idempotency_key=f"import-7:{n}",
        )
        for n, r in enumerate(requests(achievement, 10))
    ]
    first = issue_credentials(batch)
    slots, outbox_rows = next_slot(org), OutboxEntry.objects.count()

    again = issue_credentials(batch)

    assert [r.credential.pk for r in again] == [r.credential.pk for r in first]
    assert all(r.existing for r in again) and not any(r.existing for r in first)
    assert Credential.objects.count() == 10
    assert next_slot(org) == slots and OutboxEntry.objects.count() == outbox_rows


def test_a_key_repeated_within_a_batch_is_issued_once(achievement):
    one = IssueRequest(
        achievement=achievement, recipient_name="Ada", recipient_email="ada@example.org", idempotency_key="k"
    )
    other = IssueRequest(achievement=achievement, recipient_name="Bob", recipient_email="bob@example.org")
    results = issue_credentials([one, other, one])
    assert results[0].credential.pk == results[2].credential.pk != results[1].credential.pk
    assert results[2].existing and not results[0].existing
    assert Credential.objects.count() == 2


def test_a_batch_that_fails_midway_leaves_nothing_and_consumes_no_status_index(achievement, org):
    taken = issue_credential(achievement=achievement, recipient_name="Taken", recipient_email="t@example.org")
    before = (next_slot(org), OutboxEntry.objects.count(), CredentialEvent.objects.count())
    batch = requests(achievement, 20)
    # the 11th asks for a status slot that is already held: the insert fails after the batch's slots
    # were reserved and its credentials composed and signed
    batch[10] = IssueRequest(
        achievement=achievement,
        recipient_name="Clash",
        recipient_email="clash@example.org",
        status_slot=(taken.status_list, taken.status_index),
    )
    with pytest.raises(IntegrityError):
        issue_credentials(batch)
    assert Credential.objects.count() == 1
    assert (next_slot(org), OutboxEntry.objects.count(), CredentialEvent.objects.count()) == before
    # and the batch without the clash then takes the very slots that were given back
    results = issue_credentials(batch[:10] + batch[11:])
    status_list = taken.status_list
    status_list.refresh_from_db()
    assert sorted(r.credential.status_index for r in results) == sorted(
        status_list.index_of_slot(s) for s in range(1, 20)
    )


def test_a_batch_takes_a_constant_number_of_queries(achievement, user, django_assert_max_num_queries):
    """Whatever the batch's size, the same statements; only the INSERTs that Django splits at SQLite's
    999-parameter limit grow (one per ~49 credentials; one statement per table on PostgreSQL)."""
    issue_credential(achievement=achievement, recipient_name="Warm", recipient_email="warm@example.org")

    def statements(n: int, start: int) -> tuple[list[str], list[str]]:
        keyed = [
            IssueRequest(
                achievement=achievement,
                recipient_name=r.recipient_name,
                recipient_email=r.recipient_email,
                idempotency_key=f"q:{start + i}",
                actor=user,
            )
            for i, r in enumerate(requests(achievement, n, start))
        ]
        with CaptureQueriesContext(connection) as queries:
            results = issue_credentials(keyed)
        assert all(r.credential for r in results)
        sql = [q["sql"] for q in queries.captured_queries]
        inserts = [s.split("(")[0] for s in sql if s.startswith("INSERT")]
        others = [s[:40] for s in sql if not s.startswith(("INSERT", "SAVEPOINT", "RELEASE"))]
        return others, inserts

    (small, small_inserts), (large, large_inserts) = statements(2, 0), statements(100, 1000)
    assert large == small
    assert set(large_inserts) == set(small_inserts)  # credentials, events, audit rows, outbox rows
    if connection.vendor == "postgresql":
        assert len(large_inserts) == len(small_inserts)
    with django_assert_max_num_queries(21):  # 21st: the endorsements new credentials carry (decision 0062)
        issue_credentials(requests(achievement, 100, 5000, actor=user))


def test_signing_processes_sign_a_large_batch_that_verifies(achievement, settings):
    settings.CREDSTACK_SIGNING_PROCESSES = 2
    results = issue_credentials(requests(achievement, 80))
    assert len({r.credential.status_index for r in results}) == 80
    for result in results[::7]:
        report = vc_verify.verify_credential(result.credential.signed(), fetch=local_fetch)
        assert report.valid, report.to_dict()


def test_after_the_commit_each_consumer_takes_the_batch_at_once(
    achievement, org, django_capture_on_commit_callbacks, settings
):
    """Email, webhooks and pathways get the batch's rows in one call each (``many``): one email row and
    one webhook message per credential, every outbox row done; queueing the emails again adds none."""
    from credstack.delivery.actions import queue_issued_emails
    from credstack.delivery.models import Delivery
    from credstack.webhooks import actions as webhooks
    from credstack.webhooks.models import WebhookMessage
    from tests.webhooks.test_outbound import Receiver

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    receiver = Receiver()
    try:
        webhooks.create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
        with django_capture_on_commit_callbacks(execute=True):
            results = issue_credentials(requests(achievement, 15))
        assert len(receiver.requests) == 15
    finally:
        receiver.close()
    credentials = [r.credential for r in results]
    assert not OutboxEntry.objects.exclude(state=OutboxEntry.State.DONE).exists()
    emails = Delivery.objects.filter(kind=Delivery.Kind.ISSUED)
    assert sorted(emails.values_list("credential_id", flat=True)) == sorted(c.pk for c in credentials)
    assert WebhookMessage.objects.filter(event_type="credential.issued").count() == 15
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_issued_emails(credentials) == []
    assert emails.count() == 15
