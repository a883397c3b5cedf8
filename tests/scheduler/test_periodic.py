"""Periodic jobs on the task worker, no cron: one chain of deferred tasks per job, run by the real
database task backend and its ``db_worker``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from credstack import taskqueues
from credstack.scheduler import actions, registry
from credstack.scheduler.models import PeriodicJob
from credstack.scheduler.tasks import run_job

pytestmark = pytest.mark.django_db(transaction=True)
REMINDERS = "delivery.expiry_reminders"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": taskqueues.ALL}}


@pytest.fixture
def db_tasks(settings):
    """Switch to the database task backend (tests otherwise run tasks in-process)."""
    settings.TASKS = DB_TASKS
    yield
    DBTaskResult.objects.all().delete()


def pending(name: str = REMINDERS):
    return DBTaskResult.objects.filter(
        task_path=run_job.module_path, status="READY", args_kwargs__args=[name]
    )


def work() -> None:
    """The real worker: run every task that is due, then stop."""
    call_command("db_worker", queue_name="*", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_expiry_reminders_are_registered():
    job = registry.get(REMINDERS)
    assert job is not None and job.every == timedelta(days=1)


def test_one_chain_however_often_it_is_ensured(issue, db_tasks):
    for _ in range(3):
        actions.ensure_all()
    call_command("run_periodic", "--ensure")
    assert pending().count() == 1
    row = PeriodicJob.objects.get(name=REMINDERS)
    assert row.task_id == str(pending().get().id) and row.every_seconds == 86400


def test_the_worker_sends_reminders_daily_without_cron(settings, issue):
    soon = issue(valid_until=timezone.now() + timedelta(days=10))
    issue(email="later@example.org", valid_until=timezone.now() + timedelta(days=200))
    mail.outbox.clear()
    settings.TASKS = DB_TASKS
    actions.ensure_all()  # what `credstack worker` does on start
    work()
    assert [m.to for m in mail.outbox] == [[soon.recipient_email]]
    assert "expires on" in mail.outbox[0].subject
    row = PeriodicJob.objects.get(name=REMINDERS)
    assert row.runs == 1 and row.last_outcome == "ok: 1"
    # the next run is queued for tomorrow, and not before
    [next_run] = pending()
    assert timedelta(hours=23) < next_run.run_after - timezone.now() <= timedelta(days=1)
    work()
    assert row.runs == PeriodicJob.objects.get(name=REMINDERS).runs == 1
    # a day later: it runs again (nobody is reminded twice) and the chain goes on, still one run queued
    soon2 = issue(email="soon2@example.org", valid_until=timezone.now() + timedelta(days=5))
    mail.outbox.clear()
    pending().update(run_after=timezone.now() - timedelta(seconds=1))
    work()
    # the worker also sends soon2's "issued" email, queued by the issuance
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and subjects[0].startswith("Your credential Python Basics expires on "), (
        subjects
    )
    assert subjects[1] == "Your credential: Python Basics"
    assert {tuple(m.to) for m in mail.outbox} == {(soon2.recipient_email,)}
    assert PeriodicJob.objects.get(name=REMINDERS).runs == 2 and pending().count() == 1
    DBTaskResult.objects.all().delete()


def test_a_duplicate_run_does_nothing(issue, db_tasks):
    actions.ensure_all()
    stray = run_job.enqueue(REMINDERS)  # queued by hand, or by a race
    work()
    assert DBTaskResult.objects.get(id=stray.id).return_value.startswith("superseded")
    assert PeriodicJob.objects.get(name=REMINDERS).runs == 1 and pending().count() == 1


def test_a_failing_job_keeps_its_chain(db_tasks):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("SMTP is down")

    registry.register("test.broken", broken, every=timedelta(hours=1))
    try:
        actions.ensure("test.broken")
        work()
        row = PeriodicJob.objects.get(name="test.broken")
        assert calls == [1] and row.last_outcome == "failed: RuntimeError: SMTP is down"
        assert pending("test.broken").count() == 1
        assert DBTaskResult.objects.filter(status="FAILED", args_kwargs__args=["test.broken"]).count() == 1
    finally:
        registry._jobs.pop("test.broken")


def test_a_lost_queued_run_is_replaced(db_tasks):
    actions.ensure(REMINDERS)
    pending().delete()  # e.g. someone pruned the task table
    actions.ensure(REMINDERS)
    assert pending().count() == 1


def test_without_deferral_there_is_no_chain_and_cron_runs_what_is_due(issue):
    ensured = actions.ensure_all()  # other apps register jobs too
    assert ensured[REMINDERS] is None and set(ensured.values()) == {None}
    assert not PeriodicJob.objects.exists()
    soon = issue(valid_until=timezone.now() + timedelta(days=3))
    mail.outbox.clear()
    call_command("run_periodic")
    assert [m.to for m in mail.outbox] == [[soon.recipient_email]]
    call_command("run_periodic")  # not due again before tomorrow
    assert PeriodicJob.objects.get(name=REMINDERS).runs == 1


def test_register_refuses_silly_jobs():
    with pytest.raises(ValueError, match="at most once a minute"):
        registry.register("x", print, every=timedelta(seconds=5))
    with pytest.raises(ValueError, match="1 to 100 characters"):
        registry.register("", print, every=timedelta(hours=1))


def test_a_worker_started_any_way_queues_the_chain_after_its_first_task(issue, db_tasks):
    """`credstack manage db_worker` (not `credstack worker`) also gets the chain: after running a task."""
    from credstack.scheduler import apps

    apps._last_check["at"] = 0.0
    issue()  # queues the "issued" email
    assert not pending().exists()
    call_command(
        "db_worker", queue_name="*", batch=True, startup_delay=False, reload=False, verbosity=0, max_tasks=1
    )
    assert pending().count() == 1
