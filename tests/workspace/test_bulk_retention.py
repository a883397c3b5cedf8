"""Bulk uploads hold personal data: the file and the rows' extra columns are deleted N days after the job
is done (or after an upload was abandoned), by a management command and a daily periodic job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.workspace import bulk
from credstack.workspace.models import BulkJob

CSV = "Name,Email,Cohort\nAda Lovelace,ada@example.org,Spring\nмария,bad-email,Spring\n".encode()


def _done_job(achievement, run_on_commit, finished_days_ago, data=CSV, name="c.csv"):
    job = bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename=name,
        data=data,
        kind="text/csv",
    )
    with run_on_commit():
        bulk.confirm_job(job)
    BulkJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=finished_days_ago))
    job.refresh_from_db()
    assert job.state == "done"
    return job


def test_the_command_purges_old_done_jobs_keeping_results(achievement, run_on_commit, settings, capsys):
    settings.CREDSTACK_BULK_RETENTION_DAYS = 30
    old = _done_job(achievement, run_on_commit, 31)
    recent = _done_job(achievement, run_on_commit, 29, data=CSV.replace(b"ada@", b"ada2@"), name="r.csv")
    before_csv = bulk.results_csv(old)
    call_command("purge_bulk_uploads")
    assert "1 bulk upload(s) purged (older than 30 days)" in capsys.readouterr().out
    old.refresh_from_db(), recent.refresh_from_db()
    assert bytes(old.data) == b"" and old.purged_at is not None
    assert all(r.fields == {} for r in old.rows.all())
    assert bulk.results_csv(old) == before_csv  # the results file is unchanged
    assert bytes(recent.data) == CSV.replace(b"ada@", b"ada2@") and recent.purged_at is None
    assert recent.rows.filter(fields={"cohort": "Spring"}).exists()
    # the credentials themselves are untouched
    assert Credential.objects.get(recipient_email="ada@example.org").merge_fields == {"cohort": "Spring"}
    # running again changes nothing
    call_command("purge_bulk_uploads")
    assert "0 bulk upload(s) purged" in capsys.readouterr().out


def test_abandoned_previews_are_purged_and_cannot_be_confirmed_or_remapped(achievement, settings, signed_in):
    settings.CREDSTACK_BULK_RETENTION_DAYS = 7
    job = bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename="p.csv",
        data=CSV,
        kind="text/csv",
    )
    BulkJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert bulk.purge_uploads() == 1
    client = signed_in("issuer")
    org = achievement.organization
    r = client.post(f"/w/{org.slug}/bulk/{job.public_id}/confirm", follow=True)
    assert "deleted (retention period): upload it again" in r.content.decode()
    r = client.post(f"/w/{org.slug}/bulk/{job.public_id}/", {"name": "Name", "email": "Email"})
    assert "upload it again" in r.content.decode()
    assert Credential.objects.count() == 0
    page = client.get(f"/w/{org.slug}/bulk/{job.public_id}/").content.decode()
    assert 'id="purged-note"' in page


@pytest.mark.parametrize("state", [BulkJob.State.FAILED, BulkJob.State.QUEUED, BulkJob.State.RUNNING])
def test_failed_and_unfinished_jobs_keep_their_data_while_alive_and_lose_it_once_dead(
    achievement, run_on_commit, state
):
    """A failed job can be resumed and a queued or running one is in progress: their file stays for the
    retention period counted from their last sign of life (the heartbeat). A job dead for longer than
    that (its worker killed and never resumed) no longer keeps personal data for good."""
    job = _done_job(achievement, run_on_commit, 400)
    BulkJob.objects.filter(pk=job.pk).update(state=state, heartbeat_at=timezone.now() - timedelta(days=29))
    assert bulk.purge_uploads(days=30) == 0
    job.refresh_from_db()
    assert bytes(job.data) == CSV
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(days=31))
    assert bulk.purge_uploads(days=30) == 1
    job.refresh_from_db()
    assert bytes(job.data) == b"" and job.purged_at is not None


def test_the_periodic_job_and_the_task_are_registered(achievement, run_on_commit):
    from credstack.scheduler import registry
    from credstack.workspace.tasks import purge_bulk_uploads

    assert registry._jobs["workspace.purge_bulk_uploads"].func is bulk.purge_uploads
    _done_job(achievement, run_on_commit, 31)
    assert purge_bulk_uploads.enqueue().return_value == 1
