"""A restore on SQLite while another connection (a worker process, the test server's thread) keeps the
database open (issue 11: nothing lost or torn when processes share the database). SQLite's restore path
only: PostgreSQL's (pg_restore) is tests/cli/test_backup.py's, on both engines (tests/databases.py)."""

from __future__ import annotations

import sqlite3

import pytest
from django.conf import settings

from credstack.cli import main
from credstack.credentials.models import Credential

# The restore replaces the database itself.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_restore_while_another_connection_has_the_database_open_leaves_it_readable(org, issue, tmp_path):
    """A worker (or the test server's thread) that keeps the SQLite database open across a restore reads the
    restored database afterwards, and so does this process: nothing is torn (the restore goes through
    SQLite's backup API, not a file copy under open write-ahead-log files)."""
    kept = issue(name="Kept Before", email="kept@example.org")
    archive = tmp_path / "instance.tar.gz"
    assert main(["backup", str(archive)]) == 0
    issue(name="Issued After", email="after@example.org")
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    try:
        assert other.execute("SELECT count(*) FROM credentials_credential").fetchone() == (2,)
        assert main(["restore", str(archive), "--force"]) == 0
        assert other.execute("SELECT count(*) FROM credentials_credential").fetchone() == (1,)
        assert list(Credential.objects.values_list("public_id", flat=True)) == [kept.public_id]
        issue(name="Issued Again", email="again@example.org")
        assert other.execute("SELECT count(*) FROM credentials_credential").fetchone() == (2,)
    finally:
        other.close()
