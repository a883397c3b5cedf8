"""`credstack bulk-issue` goes through the bulk actions: the upload and its confirmation are in the audit log
under the command line, like the workspace's upload and confirmation under the member who made them."""

from __future__ import annotations

import pytest

from credstack.cli import main
from credstack.credentials.models import Credential
from credstack.organizations.models import AuditEntry
from credstack.workspace.models import BulkJob

pytestmark = pytest.mark.django_db


def test_bulk_issue_from_the_command_line_is_audited_as_the_command_line(achievement, tmp_path, capsys):
    sheet = tmp_path / "cohort.csv"
    sheet.write_text("name,email\nAda Lovelace,ada@example.org\nAlan Turing,alan@example.org\n")
    code = main(["bulk-issue", "--org", "acme", "--achievement", "python-basics", str(sheet)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "issued 2, failed 0" in err
    job = BulkJob.objects.get()
    assert job.state == BulkJob.State.DONE and Credential.objects.count() == 2
    rows = AuditEntry.objects.filter(target=job.public_id).order_by("pk")
    assert [(r.action, r.actor_kind) for r in rows] == [("bulk.uploaded", "cli"), ("bulk.confirmed", "cli")]
    assert rows[1].detail == "2 to issue"


def test_a_dry_run_from_the_command_line_issues_nothing(achievement, tmp_path, capsys):
    sheet = tmp_path / "cohort.csv"
    sheet.write_text("name,email\nAda Lovelace,not-an-email\nAlan Turing,alan@example.org\n")
    code = main(["bulk-issue", "--org", "acme", "--achievement", "python-basics", "--dry-run", str(sheet)])
    err = capsys.readouterr().err
    assert (
        code == 0
        and "row 2: email: 'not-an-email' is not a valid email address" in err
        and "1 to issue, 1 not issued" in err
    )
    assert not Credential.objects.exists()
    assert BulkJob.objects.get().state == BulkJob.State.PREVIEW
    assert not AuditEntry.objects.filter(action="bulk.confirmed").exists()
