"""Revoking or suspending from the workspace shows first what everyone checking the credential will see
(its public page's state line as it will read, the reason public when revoking), and changes nothing
until confirmed: on the credential's page and in the list's bulk actions (issue 14). And the bulk
progress page offers Resume only when the job has stalled, and a sample CSV."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.workspace import bulk
from credstack.workspace.models import BulkJob


def test_revoke_shows_the_public_state_line_then_revokes_when_confirmed(signed_in, org, issue):
    c = issue()
    client = signed_in("issuer")
    url = f"/w/{org.slug}/credentials/{c.public_id}/revoke"
    page = client.post(url, {"reason": "Exam rules broken"}).content.decode()
    assert "Revoke Ada Lovelace’s credential?" in page
    preview = page.split('id="public-preview"')[1].split("</div>\n</div>")[0]
    assert 'data-state="revoked"' in preview
    assert "Revoked by Acme Training on" in preview and ": Exam rules broken" in preview
    assert "The reason is public" in page and "REVOKED" in page
    c.refresh_from_db()
    assert c.state == "active"  # nothing changed yet
    # the public page reads as previewed once confirmed
    r = client.post(url, {"reason": "Exam rules broken", "confirmed": "1"}, follow=True)
    assert "Revoked. Verifiers now see it as revoked." in r.content.decode()
    c.refresh_from_db()
    assert c.state == "revoked" and c.revocation_reason == "Exam rules broken"
    public = client.get(f"/c/{c.public_id}").content.decode()
    assert "Revoked by Acme Training on" in public and ": Exam rules broken" in public


def test_revoke_without_a_reason_says_so_before_any_confirmation(signed_in, org, issue):
    c = issue()
    r = signed_in("issuer").post(
        f"/w/{org.slug}/credentials/{c.public_id}/revoke", {"reason": " "}, follow=True
    )
    assert "a reason is required to revoke" in r.content.decode()
    assert 'name="confirmed"' not in r.content.decode()


def test_suspend_preview_keeps_the_reason_private(signed_in, org, issue):
    c = issue()
    client = signed_in("issuer")
    url = f"/w/{org.slug}/credentials/{c.public_id}/suspend"
    page = client.post(url, {"reason": "checking a complaint"}).content.decode()
    preview = page.split('id="public-preview"')[1].split("</div>\n</div>")[0]
    assert (
        'data-state="suspended"' in preview
        and "Acme Training has suspended this credential for now." in preview
    )
    assert "checking a complaint" not in preview and "the public page does not show it" in page
    assert Credential.objects.get(pk=c.pk).state == "active"
    client.post(url, {"reason": "checking a complaint", "confirmed": "1"})
    assert Credential.objects.get(pk=c.pk).state == "suspended"


def test_bulk_revoke_of_ticked_credentials_confirms_first(signed_in, org, issue):
    a, b = issue(email="a@example.org"), issue(email="b@example.org")
    client = signed_in("issuer")
    data = {"action": "revoke", "ids": [a.public_id, b.public_id], "reason": "Wrong cohort"}
    page = client.post(f"/w/{org.slug}/credentials/bulk-action", data).content.decode()
    assert "2</b> selected credentials" in page and "The reason is public" in page
    assert "Revoked by Acme Training on" in page and ": Wrong cohort" in page
    assert Credential.objects.filter(state="revoked").count() == 0
    r = client.post(f"/w/{org.slug}/credentials/bulk-action", {**data, "confirmed": "1"}, follow=True)
    assert "Revoke: 2 credential(s)." in r.content.decode()
    assert Credential.objects.filter(state="revoked").count() == 2


def test_bulk_revoke_of_every_match_shows_the_public_line_too(signed_in, org, issue):
    issue(email="a@example.org")
    client = signed_in("issuer")
    page = client.post(
        f"/w/{org.slug}/credentials/bulk-action", {"action": "revoke", "all_matching": "1", "reason": "Void"}
    ).content.decode()
    assert (
        "1</b> credential matches the filter" in page and ": Void" in page and 'id="public-preview"' in page
    )


def _running_job(achievement, **fields):
    job = bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename="c.csv",
        data=b"name,email\nAda,ada@example.org\n",
        kind="text/csv",
    )
    BulkJob.objects.filter(pk=job.pk).update(**fields)
    return job


def test_progress_offers_resume_only_when_the_job_stalled(signed_in, org, achievement):
    client = signed_in("issuer")
    job = _running_job(achievement, state="queued", heartbeat_at=timezone.now())
    for url in (f"/w/{org.slug}/bulk/{job.public_id}/", f"/w/{org.slug}/bulk/{job.public_id}/progress"):
        page = client.get(url).content.decode()
        assert "Queued: a worker picks it up shortly." in page
        assert "Stuck?" not in page and ">Resume<" not in page
    BulkJob.objects.filter(pk=job.pk).update(
        state="running", heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    for url in (f"/w/{org.slug}/bulk/{job.public_id}/", f"/w/{org.slug}/bulk/{job.public_id}/progress"):
        page = client.get(url).content.decode()
        assert "Stuck? Nothing has moved since" in page and ">Resume<" in page
    BulkJob.objects.filter(pk=job.pk).update(state="failed", error="its worker stopped 6 times")
    page = client.get(f"/w/{org.slug}/bulk/{job.public_id}/").content.decode()
    assert "Stopped: its worker stopped 6 times." in page and ">Resume<" in page


def test_the_sample_csv_downloads_and_passes_the_dry_run(signed_in, org, achievement):
    client = signed_in("viewer")
    assert (
        f"/w/{org.slug}/bulk/sample.csv" in signed_in("issuer").get(f"/w/{org.slug}/bulk/").content.decode()
    )
    r = client.get(f"/w/{org.slug}/bulk/sample.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="credstack-sample.csv"' in r["Content-Disposition"]
    job = bulk.prepare_job(
        organization=org, achievement=achievement, filename="s.csv", data=r.content, kind="text/csv"
    )
    assert job.total == 3 and job.valid == 3
    assert sorted(job.rows.first().fields) == ["grade", "score"]
