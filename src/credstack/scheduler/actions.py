"""Periodic jobs without cron: each registered job has one chain of deferred tasks.

``ensure(name)`` queues the job's next run (``run_job`` with ``run_after``) unless one is already queued
or running; the run queues the following one *before* calling the job, in the same transaction that
moves ``next_run_at``, so a failing job does not break its chain. The job's ``PeriodicJob`` row, locked
with ``select_for_update``, keeps it to one chain: a run whose task id is not the row's (a duplicate
queued by hand or by a race) does nothing. ``ensure_all()`` runs when the worker starts
(``credstack worker``) and, at most every 15 minutes, after a worker finishes any task.

Backends that cannot defer tasks (the immediate backend) get no chain: ``credstack manage run_periodic``
from cron runs the due jobs instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from . import registry
from .models import PeriodicJob

logger = logging.getLogger(__name__)
STALE_RUNNING = timedelta(hours=1)


def can_defer() -> bool:
    return bool(run_job.get_backend().supports_defer)


def ensure(name: str, now: datetime | None = None) -> str | None:
    """Make sure job ``name`` has exactly one queued run; the task id, or None without deferral."""
    job = registry.get(name)
    if job is None:
        raise KeyError(f"no periodic job named {name!r} is registered")
    if not can_defer():
        return None
    now = now or timezone.now()
    with transaction.atomic():
        row = _locked_row(job, now)
        if row.task_id and _pending(row.task_id):
            return row.task_id
        result = run_job.using(run_after=max(row.next_run_at, now)).enqueue(name)
        row.task_id = str(result.id)
        row.save(update_fields=["task_id", "every_seconds"])
        return row.task_id


def ensure_all() -> dict[str, str | None]:
    """``ensure`` every registered job (never raises: a broken job must not stop the worker)."""
    out = {}
    for job in registry.jobs():
        try:
            out[job.name] = ensure(job.name)
        except Exception:  # logged, and retried on the next check
            logger.exception("could not schedule the periodic job %s", job.name)
            out[job.name] = None
    return out


def run_chained(name: str, task_id: str) -> str:
    """The body of ``run_job``: continue the chain, then run the job."""
    job = registry.get(name)
    if job is None:
        return f"no periodic job named {name!r} is registered; the chain ends"
    now = timezone.now()
    with transaction.atomic():
        row = _locked_row(job, now)
        if row.task_id != task_id:
            return f"superseded: {name} is run by task {row.task_id or '(none)'}"
        row.next_run_at = now + job.every
        row.task_id = str(run_job.using(run_after=row.next_run_at).enqueue(name).id)
        row.last_started_at = now
        row.save()
    return _run(job, row.pk)


@task(takes_context=True)
def run_job(context, name: str) -> str:
    """The one task behind every periodic job: it runs the job and queues its own next run."""
    return run_chained(name, str(context.task_result.id))


def run_due(now: datetime | None = None) -> dict[str, str]:
    """Run, here and now, every job whose time has come (for cron, with backends that cannot defer)."""
    now = now or timezone.now()
    out = {}
    for job in registry.jobs():
        with transaction.atomic():
            row = _locked_row(job, now)
            if row.next_run_at > now:
                continue
            row.next_run_at = now + job.every
            row.last_started_at = now
            row.save()
        out[job.name] = _run(job, row.pk)
    return out


def _run(job: registry.Job, pk: int) -> str:
    try:
        outcome = f"ok: {job.func()!r}"[:500]
    except Exception as exc:
        logger.exception("the periodic job %s failed", job.name)
        outcome = f"failed: {type(exc).__name__}: {exc}"[:500]
        _finish(pk, outcome)
        raise
    _finish(pk, outcome)
    return outcome


def _finish(pk: int, outcome: str) -> None:
    PeriodicJob.objects.filter(pk=pk).update(
        last_finished_at=timezone.now(), last_outcome=outcome, runs=F("runs") + 1
    )


def _locked_row(job: registry.Job, now: datetime) -> PeriodicJob:
    every = int(job.every.total_seconds())
    PeriodicJob.objects.get_or_create(name=job.name, defaults={"every_seconds": every, "next_run_at": now})
    row = PeriodicJob.objects.select_for_update().get(name=job.name)
    row.every_seconds = every
    return row


def _pending(task_id: str) -> bool:
    """Queued, or running for less than an hour (a run commits its successor within milliseconds of
    starting: one RUNNING for longer died before that, and the chain needs a new run)."""
    try:
        result = run_job.get_result(task_id)
    except (TaskResultDoesNotExist, ValueError):
        return False
    if result.status == TaskResultStatus.RUNNING:
        return bool(result.started_at and result.started_at > timezone.now() - STALE_RUNNING)
    return result.status == TaskResultStatus.READY
