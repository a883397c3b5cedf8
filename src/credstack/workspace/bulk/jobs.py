"""A bulk job's life around its run: queued (``start_job``, ``confirm_job``, the task ``run_bulk_job``),
resumed when its worker stopped, its results file, and the purge of uploads past their retention."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.credentials.models import Credential
from credstack.organizations import audit
from credstack.organizations.actors import Actor
from credstack.ui.exports import csv_text

from ..models import BulkJob, BulkRow
from .run import run_job

log = logging.getLogger("credstack.workspace.bulk")  # log lines keep the name they had before the split


def start_job(job: BulkJob, *, actor=None) -> BulkJob:
    """Queue a checked job, or close it at once when no row can be issued (every row skipped as
    already issued from the same file), and return it as stored."""
    if job.valid:
        job = confirm_job(job, actor=actor)
    else:
        BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.PREVIEW).update(
            state=BulkJob.State.DONE, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


@task(queue_name=taskqueues.BULK)
def run_bulk_job(job_id: int) -> str:
    """Issue a confirmed job's rows in the worker. Defined here, beside the actions that queue it
    ("Tasks" in docs/architecture.md)."""
    return run_job(job_id).state


def confirm_job(job: BulkJob, *, actor=None, background: bool = True) -> BulkJob:
    """Queue the job (only from PREVIEW). Invalid rows are left out; fix the file and upload again.
    ``background=False``: the caller runs it (``run_job``) itself, as the command line does."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != BulkJob.State.PREVIEW:
            return locked
        if locked.purged_at:
            raise ValidationError(
                {"file": _("this upload's file was deleted (retention period): upload it again")}
            )
        if locked.valid == 0:
            raise ValidationError(
                {"file": _("no row can be issued: fix the problems listed and upload again")}
            )
        locked.state, locked.heartbeat_at = BulkJob.State.QUEUED, timezone.now()
        locked.save(update_fields=["state", "heartbeat_at"])
        audit.record(
            locked.organization, actor, "bulk.confirmed", locked.public_id, f"{locked.valid} to issue"
        )
        if background:
            transaction.on_commit(lambda: run_bulk_job.enqueue(locked.pk))
    return locked


STALLED_AFTER = timedelta(minutes=10)  # a chunk of 200 rows takes seconds: ten minutes is a dead worker
MAX_RESUMES = 5
# The page offers Resume once a queued or running job has not moved for this long (a chunk takes
# seconds); before that it is only waiting its turn or working.
LOOKS_STUCK_AFTER = timedelta(minutes=2)


def is_stalled(job: BulkJob, now=None) -> bool:
    """Whether the page should offer Resume: the job failed, or it is queued or running but its
    heartbeat is old (its worker stopped)."""
    if job.state == BulkJob.State.FAILED:
        return True
    if job.state not in (BulkJob.State.QUEUED, BulkJob.State.RUNNING):
        return False
    beat = job.heartbeat_at or job.created_at
    return beat < (now or timezone.now()) - LOOKS_STUCK_AFTER


def resume_stalled(now=None) -> int:
    """The periodic sweep: a queued or running job whose heartbeat stopped lost its worker. It is queued
    again (rows issued stay issued, the rest are issued once), up to MAX_RESUMES times; then it is marked
    failed with the reason, and Resume on its page continues it. Returns how many were resumed."""
    now = now or timezone.now()
    stalled = BulkJob.objects.filter(
        state__in=[BulkJob.State.QUEUED, BulkJob.State.RUNNING], heartbeat_at__lt=now - STALLED_AFTER
    )
    resumed = 0
    for job in stalled:
        if job.resumes >= MAX_RESUMES:
            BulkJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
                state=BulkJob.State.FAILED,
                error=f"its worker stopped {MAX_RESUMES + 1} times; press Resume to continue",
            )
            continue
        claimed = BulkJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            resumes=job.resumes + 1, heartbeat_at=now
        )
        if claimed:
            resume_job(job, actor=Actor.system("the stalled-job sweep"))
            resumed += 1
    if resumed:
        log.warning("bulk jobs resumed after their worker stopped: %d", resumed)
    return resumed


def resume_job(job: BulkJob, *, actor=None) -> BulkJob:
    """Queue a job again whose worker stopped (crash, restart): pending rows are issued, nothing twice."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state not in (BulkJob.State.QUEUED, BulkJob.State.RUNNING, BulkJob.State.FAILED):
            raise ValidationError(
                {
                    "file": _("this upload is %(state)s; nothing to resume")
                    % {"state": locked.get_state_display().lower()}
                }
            )
        locked.state, locked.error, locked.heartbeat_at = BulkJob.State.QUEUED, "", timezone.now()
        locked.save(update_fields=["state", "error", "heartbeat_at"])
        audit.record(locked.organization, actor, "bulk.resumed", locked.public_id)
        transaction.on_commit(lambda: run_bulk_job.enqueue(locked.pk))
    return locked


def results_csv(job: BulkJob) -> str:
    """The results file: every row with its outcome, credential URL and problems (formula-safe)."""
    header = ["row", "name", "email", "outcome", "credential_url", "problems"]
    rows = (
        [
            r.number,
            r.name,
            r.email,
            r.outcome,
            cast(Credential, r.credential).uri if r.credential_id else "",
            "; ".join(f"{p['field']}: {p['message']}" for p in r.problems),
        ]
        for r in job.rows.select_related("credential").order_by("number")
    )
    return csv_text(header, rows)


def retention_days() -> int:
    return int(getattr(settings, "CREDSTACK_BULK_RETENTION_DAYS", 30))


def purge_uploads(now=None, days: int | None = None) -> int:
    """Delete the personal data bulk uploads no longer need, ``days`` after a job finished (or after an
    upload was left unconfirmed): the file itself and each row's extra columns. What the results CSV
    shows (row number, name, email, outcome, credential URL, problems) stays. Jobs still queued,
    running or failed (resumable) keep everything. Returns how many jobs were purged."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    before = now - timedelta(days=days)
    due = BulkJob.objects.filter(purged_at__isnull=True).filter(
        Q(state=BulkJob.State.DONE, finished_at__lt=before)
        | Q(state=BulkJob.State.PREVIEW, created_at__lt=before)
        # dead: failed, or queued/running with no sign of a worker for the whole retention period
        | Q(
            state__in=[BulkJob.State.FAILED, BulkJob.State.QUEUED, BulkJob.State.RUNNING],
            heartbeat_at__lt=before,
        )
        | Q(state=BulkJob.State.FAILED, heartbeat_at__isnull=True, created_at__lt=before)
    )
    purged = 0
    for job_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            BulkRow.objects.filter(job_id=job_id).exclude(fields={}).update(fields={})
            purged += BulkJob.objects.filter(pk=job_id, purged_at__isnull=True).update(
                data=b"", purged_at=now
            )
    if purged:
        log.info("bulk uploads purged: %d (older than %d days)", purged, days)
    return purged
