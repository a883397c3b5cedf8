"""Bulk jobs tell the truth after a crash (issue 11): a job whose worker died is resumed by the sweep
and ends with every row issued once; two uploads of one file never count one credential twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.workspace import bulk
from credstack.workspace.models import BulkJob, BulkRow

pytestmark = pytest.mark.django_db

CSV = "name,email\n" + "".join(f"Learner {n},learner{n}@example.org\n" for n in range(1, 26))


def _job(achievement, filename="cohort.csv"):
    return bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename=filename,
        data=CSV.encode(),
        kind="text/csv",
    )


def _killed_midway(achievement, issued: int) -> BulkJob:
    """A confirmed job whose worker died after issuing ``issued`` rows: the credentials committed, the
    rows of the last chunk never marked (the kill came between the two), the job left RUNNING."""
    job = _job(achievement)
    bulk.confirm_job(job)  # queued; its task is not run (no commit in this test)
    rows = list(job.rows.filter(outcome=BulkRow.Outcome.PENDING).order_by("number")[:issued])
    for row in rows:  # what the dead worker committed before it died
        bulk.issue_credential(
            bulk.IssueRequest(
                achievement=achievement,
                recipient_name=row.name,
                recipient_email=row.email,
                source="bulk",
                idempotency_key=bulk.idempotency_key(job, row.number),
            )
        )
    BulkJob.objects.filter(pk=job.pk).update(
        state=BulkJob.State.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=30)
    )
    return job


def test_a_job_whose_worker_died_is_resumed_by_the_sweep_and_issues_each_row_once(achievement, run_on_commit):
    job = _killed_midway(achievement, 7)
    with run_on_commit():
        assert bulk.resume_stalled() == 1
    job.refresh_from_db()
    assert job.state == "done" and job.resumes == 1
    assert (job.issued, job.skipped, job.failed, job.valid) == (25, 0, 0, 25)
    assert Credential.objects.count() == 25
    assert bulk.resume_stalled() == 0  # done: nothing to resume


def test_a_job_that_keeps_dying_is_marked_failed_with_resume(achievement):
    job = _killed_midway(achievement, 3)
    BulkJob.objects.filter(pk=job.pk).update(resumes=bulk.MAX_RESUMES)
    assert bulk.resume_stalled() == 0
    job.refresh_from_db()
    assert job.state == "failed" and "press Resume" in job.error


def test_a_job_still_beating_is_left_alone(achievement):
    job = _killed_midway(achievement, 3)
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert bulk.resume_stalled() == 0
    assert BulkJob.objects.get(pk=job.pk).state == "running"


def test_two_uploads_of_one_file_never_count_a_credential_twice(achievement, run_on_commit):
    """The old job dies midway, the file is uploaded again and issued, then the old one is resumed: the
    credentials exist once, each counted by one job only, and both jobs end at 100 %."""
    old = _killed_midway(achievement, 10)
    again = _job(achievement, "cohort-again.csv")  # its dry run already skips the 10 issued rows
    assert (again.valid, again.skipped) == (15, 10)
    with run_on_commit():
        bulk.confirm_job(again)
    with run_on_commit():
        bulk.resume_job(old)
    old.refresh_from_db()
    again.refresh_from_db()
    assert Credential.objects.count() == 25
    assert old.issued + again.issued == 25
    assert (old.state, again.state) == ("done", "done") and old.percent == again.percent == 100
    skipped = old.rows.filter(outcome=BulkRow.Outcome.SKIPPED)
    assert skipped.count() == 15
    assert all("already issued from this file by upload" in r.problems[-1]["message"] for r in skipped)
