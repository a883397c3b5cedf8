"""The transactional outbox (decision 0036): an action's side effects are rows of its own transaction,
delivered after the commit at least once, by consumers that do nothing twice.

A crash between the commit and the dispatch is played honestly: the action commits for real, and the
after-commit callbacks its process would have run are dropped, as a kill -9 right after COMMIT drops
them. Then the sweep (periodic job ``outbox.dispatch_due``) must repair everything, exactly once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import close_old_connections, connections, transaction
from django.test import Client
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.models import DBTaskResult

from credstack import taskqueues
from credstack.achievements.actions import create_achievement
from credstack.api.actions import create_api_key
from credstack.credentials import actions as credential_actions
from credstack.credentials.models import Credential
from credstack.delivery.models import Delivery
from credstack.organizations import actions as org_actions
from credstack.organizations.actors import Actor
from credstack.outbox import actions as outbox
from credstack.outbox.models import OutboxEntry
from credstack.outbox.registry import subscribe, unsubscribe
from credstack.pathways import actions as pathway_actions
from credstack.pathways.models import PathwayAward
from credstack.webhooks import actions as webhook_actions
from credstack.webhooks.models import WebhookDelivery, WebhookMessage
from tests.webhooks.test_outbound import Receiver

ISSUED_CONSUMERS = {"delivery.credential_email", "webhooks.credential_issued", "pathways.evaluate"}
LATER = timedelta(minutes=1)  # the sweep's next run


def commit_then_die(fn):
    """Run ``fn`` in a transaction that really commits, then drop the callbacks it queued for after the
    commit, as a process killed right after its COMMIT never runs them."""
    connection = transaction.get_connection()
    with transaction.atomic():
        result = fn()
        connection.run_on_commit.clear()
    return result


@pytest.fixture
def receivers(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receivers listen on loopback
    pair = [Receiver(), Receiver()]
    yield pair
    for r in pair:
        r.close()


@pytest.fixture
def world(org, achievement, receivers):
    """Two webhook endpoints and a pathway that one credential of ``achievement`` completes."""
    for r in receivers:
        webhook_actions.create_endpoint(org, url=r.url, event_types=["credential.issued"])
    stack = create_achievement(
        organization=org, slug="stack", name="Stack", description="d", criteria_narrative="c"
    )
    pathway = pathway_actions.create_pathway(achievement=stack, components=[achievement])
    return pathway


def received_ids(receiver) -> Counter:
    return Counter(json.loads(r["body"])["data"]["id"] for r in receiver.requests)


@pytest.mark.django_db
def test_the_effect_rows_commit_with_the_change_and_vanish_with_a_rollback(issue):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        issue(email="gone@example.org")
        assert OutboxEntry.objects.count() == len(ISSUED_CONSUMERS)
        raise Abort
    assert not OutboxEntry.objects.exists() and not Credential.objects.exists()

    credential = issue()
    rows = OutboxEntry.objects.filter(kind="credential.issued")
    assert {r.consumer for r in rows} == ISSUED_CONSUMERS
    assert {r.key for r in rows} == {
        f"credential.issued:{credential.public_id}/{c}" for c in ISSUED_CONSUMERS
    }
    payload = {"credential": credential.pk, "organization": credential.organization_id}
    assert all(r.payload == payload and r.state == "pending" for r in rows)


# real commits: the webhook receivers are reached after the commit, as in the crash test above
@pytest.mark.django_db(transaction=True)
def test_a_batch_is_one_row_per_consumer_and_the_sweep_delivers_each_credential_of_it_once(
    achievement, receivers, org
):
    for r in receivers:
        webhook_actions.create_endpoint(org, url=r.url, event_types=["credential.issued"])
    requests = [
        credential_actions.IssueRequest(
            achievement=achievement, recipient_name=f"Learner {i}", recipient_email=f"l{i}@example.org"
        )
        for i in range(3)
    ]
    results = commit_then_die(lambda: credential_actions.issue_credentials(requests))
    ids = [r.credential.public_id for r in results]
    rows = OutboxEntry.objects.filter(kind="credential.issued")
    assert {(r.consumer, r.state) for r in rows} == {(c, "pending") for c in ISSUED_CONSUMERS}
    assert len(rows) == len(ISSUED_CONSUMERS)
    assert {r.key for r in rows} == {f"credential.issued:{ids[0]}+2/{c}" for c in ISSUED_CONSUMERS}

    for _ in range(2):  # the sweep, then the very same rows once more: nothing twice
        assert outbox.dispatch_due(timezone.now() + LATER) == len(ISSUED_CONSUMERS)
        OutboxEntry.objects.update(state="pending", next_attempt_at=timezone.now() - LATER, done_at=None)
    assert sorted(Delivery.objects.filter(kind="issued").values_list("to", flat=True)) == [
        "l0@example.org",
        "l1@example.org",
        "l2@example.org",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["l0@example.org", "l1@example.org", "l2@example.org"]
    for r in receivers:
        assert received_ids(r) == dict.fromkeys(ids, 1)


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_run_outside_a_transaction():
    with pytest.raises(outbox.OutsideTransaction, match=r"inside the action.s transaction\.atomic\(\) block"):
        outbox.emit("credential.issued", {"credential": 1})
    assert not OutboxEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_effects_go_out_right_after_the_commit(world, receivers, issue):
    credential = issue()
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"done"}
    stacked = Credential.objects.get(achievement=world.achievement)
    assert Delivery.objects.filter(credential=credential, kind="issued").count() == 1
    for r in receivers:
        assert received_ids(r) == {credential.public_id: 1, stacked.public_id: 1}


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_commit_and_dispatch_is_repaired_by_the_sweep_exactly_once(world, receivers, issue):
    credential = commit_then_die(issue)
    # the process "died": nothing went out, but every effect is waiting in the outbox
    assert mail.outbox == [] and all(r.requests == [] for r in receivers)
    assert not PathwayAward.objects.exists()
    assert OutboxEntry.objects.filter(state="pending").count() == len(ISSUED_CONSUMERS)
    # too young for the sweep: its own process's dispatch could still be running
    assert outbox.dispatch_due() == 0

    assert outbox.dispatch_due(timezone.now() + LATER) == len(ISSUED_CONSUMERS)
    stacked = Credential.objects.get(achievement=world.achievement)
    assert PathwayAward.objects.get().credential == stacked
    for c in (credential, stacked):
        assert Delivery.objects.filter(credential=c, kind="issued").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "ada@example.org"]
    for r in receivers:
        assert received_ids(r) == {credential.public_id: 1, stacked.public_id: 1}

    # a second dispatch of the very same rows (at least once means it can happen) does nothing twice
    before = (len(mail.outbox), [len(r.requests) for r in receivers], WebhookMessage.objects.count())
    OutboxEntry.objects.update(state="pending", next_attempt_at=timezone.now() - LATER, done_at=None)
    assert outbox.dispatch_due(timezone.now() + LATER) == OutboxEntry.objects.count()
    assert Credential.objects.count() == 2 and PathwayAward.objects.count() == 1
    assert Delivery.objects.filter(kind="issued").count() == 2
    assert WebhookDelivery.objects.count() == 4  # one per event and endpoint
    assert (len(mail.outbox), [len(r.requests) for r in receivers], WebhookMessage.objects.count()) == before


@pytest.mark.django_db(transaction=True)
def test_state_changes_lost_in_a_crash_go_out_with_the_state_they_left(org, issue, receivers, settings):
    endpoint = webhook_actions.create_endpoint(
        org, url=receivers[0].url, event_types=["credential.suspended"]
    )
    credential = issue()
    commit_then_die(lambda: credential_actions.suspend_credential(credential))
    credential_actions.reinstate_credential(credential)  # meanwhile, and delivered at once
    assert receivers[0].requests == []
    outbox.dispatch_due(timezone.now() + LATER)
    [request] = receivers[0].requests
    body = json.loads(request["body"])
    assert body["type"] == "credential.suspended" and body["data"]["state"] == "suspended"
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_deliver_each_effect_once(world, receivers, issue):
    credentials = [commit_then_die(lambda i=i: issue(email=f"l{i}@example.org")) for i in range(4)]
    later = timezone.now() + LATER
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            outbox.dispatch_due(later)
        except Exception as exc:  # reported below: a thread's exception would vanish
            errors.append(exc)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    outbox.dispatch_due(later + LATER)  # a row that lost a race is retried, never doubled
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"done"}
    assert PathwayAward.objects.count() == 4
    stacked = Credential.objects.filter(achievement=world.achievement)
    for c in [*credentials, *stacked]:
        assert Delivery.objects.filter(credential=c, kind="issued").count() == 1
        assert WebhookMessage.objects.filter(payload__contains=c.public_id).count() == 1
    for r in receivers:
        assert set(received_ids(r).values()) == {1} and len(r.requests) == 8


@pytest.mark.django_db(transaction=True)
def test_a_failing_consumer_is_retried_on_the_schedule_and_the_others_are_not_held(issue):
    calls, down = [], [True]

    def flaky(payload, key):
        calls.append(key)
        if down[0]:
            raise ConnectionError("the analytics store is down")

    subscribe("credential.issued", "test.flaky", flaky)
    try:
        start = timezone.now()
        issue()
        row = OutboxEntry.objects.get(consumer="test.flaky")
        assert row.state == "pending" and row.attempts == 1
        assert row.last_error == "ConnectionError: the analytics store is down"
        assert row.next_attempt_at >= start + timedelta(seconds=5)  # credstack.retry's first delay
        assert OutboxEntry.objects.exclude(consumer="test.flaky").filter(state="done").count() == 3
        assert outbox.dispatch_due(timezone.now() + timedelta(seconds=1)) == 0  # not due yet
        down[0] = False
        assert outbox.dispatch_due(timezone.now() + LATER) == 1
        row.refresh_from_db()
        assert row.state == "done" and row.attempts == 2 and row.last_error == ""
        assert set(calls) == {row.key} and len(calls) == 3  # after commit (then row by row), the retry
    finally:
        unsubscribe("test.flaky")


@pytest.mark.django_db(transaction=True)
def test_a_row_held_by_a_dead_dispatcher_comes_back_after_its_lease(issue):
    credential = commit_then_die(issue)
    now = timezone.now() + LATER
    # a dispatcher claimed the rows (as ``dispatch`` does) and was killed before finishing them
    OutboxEntry.objects.update(claim="dead", next_attempt_at=now + outbox.LEASE, attempts=1)
    assert outbox.dispatch_due(now) == 0
    assert outbox.dispatch_due(now + outbox.LEASE + outbox.SWEEP_GRACE) == len(ISSUED_CONSUMERS)
    assert Delivery.objects.filter(credential=credential).count() == 1
    assert set(OutboxEntry.objects.values_list("attempts", flat=True)) == {2}


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_lost_in_a_crash_is_sent_by_the_sweep_once(org):
    commit_then_die(lambda: org_actions.invite_member(org, "ana@example.org", "issuer", Actor.command_line()))
    assert mail.outbox == []
    outbox.dispatch_due(timezone.now() + LATER)
    outbox.dispatch_due(timezone.now() + LATER)  # the next run of the sweep finds nothing to do
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Join Acme Training" in mail.outbox[0].subject


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": taskqueues.ALL}}


def _issue_through_the_api(org, email: str):
    token = create_api_key(org, name="lms", scope="issue").secret
    response = Client().post(
        "/api/v1/credentials",
        {"achievement": "python-basics", "recipient": {"name": "Ada Lovelace", "email": email}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    return Credential.objects.get(public_id=response.json()["id"])


@pytest.mark.django_db
def test_one_credential_through_the_api_hands_its_effects_to_one_worker_task_run_once(
    org, achievement, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS  # `credstack serve` without Redis: tasks wait in the database for a worker
    with django_capture_on_commit_callbacks(execute=True):
        credential = _issue_through_the_api(org, "ada@example.org")
    # the request ran no consumer: the rows wait for the one task it queued right after its commit
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"pending"}
    assert not Delivery.objects.exists()
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.queue_name) == ("credstack.outbox.actions.dispatch_emitted", "default")
    [keys] = queued.args_kwargs["args"]
    assert sorted(keys) == sorted(f"credential.issued:{credential.public_id}/{c}" for c in ISSUED_CONSUMERS)

    # the worker runs it; run again (a worker that died after its commit), or met by the sweep: once
    assert outbox.dispatch_emitted.call(keys) == len(ISSUED_CONSUMERS)
    assert outbox.dispatch_emitted.call(keys) == 0
    assert outbox.dispatch_due(timezone.now() + LATER) == 0
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"done"}
    assert Delivery.objects.filter(credential=credential, kind="issued").count() == 1


@pytest.mark.django_db
def test_with_the_immediate_task_backend_the_api_credentials_email_goes_right_after_the_commit(
    org, achievement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credential = _issue_through_the_api(org, "grace@example.org")
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"done"}
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    assert Delivery.objects.get(credential=credential, kind="issued").state == Delivery.State.SENT


class DefaultQueueDown(DummyBackend):
    """Tasks for the default queue cannot be queued (its Redis is down); the others wait, never run."""

    def enqueue(self, task, args, kwargs):
        if task.queue_name == taskqueues.DEFAULT:
            raise ConnectionError("the default queue cannot be reached")
        return super().enqueue(task, args, kwargs)


@pytest.mark.django_db
def test_a_task_queue_that_refuses_the_hand_over_leaves_the_effects_to_the_request(
    org, achievement, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.DefaultQueueDown", "QUEUES": taskqueues.ALL}}
    with django_capture_on_commit_callbacks(execute=True):
        credential = _issue_through_the_api(org, "alan@example.org")
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {"done"}
    # the consumers ran in the request: the email is recorded and its own task queued
    assert Delivery.objects.get(credential=credential, kind="issued").state == Delivery.State.QUEUED
