"""Achievements and bulk uploads leave their audit rows from the actions, with who made the change,
whatever the entry point; a refused API batch leaves nothing at all."""

from __future__ import annotations

import pytest

from credstack.organizations.models import AuditEntry
from credstack.workspace.models import BulkJob
from tests.api.conftest import api_for  # noqa: F401 — the API client fixture

pytestmark = pytest.mark.django_db


def _rows(org, action):
    return list(
        AuditEntry.objects.filter(organization=org, action=action)
        .order_by("id")  # in the order written (PostgreSQL keeps no order otherwise)
        .values_list("actor_kind", "actor_label")
    )


def test_an_achievement_made_and_edited_on_the_pages_is_audited_once_each(org, signed_in):
    client = signed_in("admin")
    form = {
        "slug": "data-basics",
        "name": "Data Basics",
        "description": "Five lessons.",
        "criteria_narrative": "Pass the quizzes.",
        "achievement_type": "Certificate",
        "language": "en",
    }
    response = client.post(f"/w/{org.slug}/achievements/new", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _rows(org, "achievement.created") == [("user", client.user.email)]
    public_id = response["Location"].rstrip("/").split("/")[-1]
    edited = client.post(f"/w/{org.slug}/achievements/{public_id}/edit", {**form, "name": "Data Basics 2"})
    assert edited.status_code == 302
    assert _rows(org, "achievement.updated") == [("user", client.user.email)]


def test_a_bulk_upload_and_its_confirmation_are_audited_by_the_actions(org, achievement, signed_in):
    from credstack.workspace import bulk

    client = signed_in("issuer")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", b"name,email\nAda,ada@example.org\n", content_type="text/csv")
    response = client.post(f"/w/{org.slug}/bulk/", {"achievement": achievement.public_id, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BulkJob.objects.get()
    assert _rows(org, "bulk.uploaded") == [("user", client.user.email)]
    client.post(f"/w/{org.slug}/bulk/{job.public_id}/confirm")
    assert _rows(org, "bulk.confirmed") == [("user", client.user.email)]
    client.post(f"/w/{org.slug}/bulk/{job.public_id}/resume")  # queued (its worker has not run here)
    assert _rows(org, "bulk.resumed") == [("user", client.user.email)]
    bulk.resume_job(job)  # the same action from a script: the system
    assert _rows(org, "bulk.resumed")[1] == ("system", "system")


def test_a_refused_api_batch_leaves_no_job_and_no_audit_row(org, achievement, api_for):  # noqa: F811
    client = api_for(org, "issue")
    before = AuditEntry.objects.count()
    bad = {"achievement": "python-basics", "recipients": [{"name": "Bob", "email": "not-an-email"}]}
    assert client.post("/api/v1/credentials/batches", bad).status_code == 422
    assert BulkJob.objects.count() == 0 and AuditEntry.objects.count() == before
    good = {"achievement": "python-basics", "recipients": [{"name": "Ada", "email": "ada@example.org"}]}
    assert client.post("/api/v1/credentials/batches", good).status_code == 202
    [(kind, label)] = _rows(org, "bulk.uploaded")
    assert kind == "api_key" and label.startswith("API key test issue")
