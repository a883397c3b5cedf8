"""credstack backup / restore (issue 11): an online, consistent copy; a restore that can never hand out a
status index or a key id that a credential issued after the backup may carry; a clear refusal when the
secret that seals the keys is missing or wrong."""

from __future__ import annotations

import io
import tarfile

import pytest

from credstack import backup
from credstack.cli import main
from credstack.credentials.models import Credential, StatusList
from credstack.credentials.resolver import local_fetch
from credstack.organizations.actions import rotate_key
from credstack.vc import verify as vc_verify

# The restore replaces the database itself (SQLite's file, or PostgreSQL's tables with pg_restore).
pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_then_more_issuance_then_restore_reuses_no_index_and_no_key_id(org, issue, tmp_path, capsys):
    kept = issue(name="Kept Before", email="kept@example.org")
    archive = tmp_path / "instance.tar.gz"
    assert main(["backup", str(archive)]) == 0
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the secret
    lost = issue(name="Issued After", email="after@example.org")
    lost_slot = (lost.status_list.public_id, lost.status_index)
    lost_key = rotate_key(org).fragment

    assert main(["restore", str(archive)]) == 2  # the database holds credentials: refused without --force
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(archive), "--force"]) == 0

    assert list(Credential.objects.values_list("public_id", flat=True)) == [kept.public_id]
    assert vc_verify.verify_credential(Credential.objects.get().signed(), fetch=local_fetch).valid
    new = issue(name="Issued Again", email="again@example.org")
    assert (new.status_list.public_id, new.status_index) != lost_slot
    assert new.status_list_id != kept.status_list_id  # every list open before the restore is closed
    assert (
        StatusList.objects.get(pk=kept.status_list_id).next_slot
        == StatusList.objects.get(pk=kept.status_list_id).size
    )
    assert rotate_key(org).fragment != lost_key


def test_pages_cached_before_a_restore_are_not_served_after_it(org, issue, tmp_path, client):
    kept = issue(name="Kept Before", email="kept@example.org")
    archive = tmp_path / "instance.tar.gz"
    assert main(["backup", str(archive)]) == 0
    lost = issue(name="Issued After", email="after@example.org")
    assert client.get(f"/c/{lost.public_id}").status_code == 200  # now in the page cache
    assert client.get(f"/c/{kept.public_id}.json").status_code == 200
    assert main(["restore", str(archive), "--force"]) == 0
    assert client.get(f"/c/{lost.public_id}").status_code == 404  # gone with the restore, not "Valid"
    assert client.get(f"/c/{kept.public_id}").status_code == 200


def _without_secret(archive, target):
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            if member.name != "secret_key":
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)


def test_a_restore_without_the_secret_says_what_is_missing_and_changes_nothing(
    org, issue, tmp_path, monkeypatch
):
    issue()
    archive, bare = tmp_path / "full.tar.gz", tmp_path / "bare.tar.gz"
    backup.backup(archive)
    _without_secret(archive, bare)
    issue(email="second@example.org")
    monkeypatch.delenv("CREDSTACK_SECRET_KEY", raising=False)
    with pytest.raises(backup.BackupError, match="does not include the secret"):
        backup.restore(bare, force=True)
    monkeypatch.setenv("CREDSTACK_SECRET_KEY", "not-the-secret-that-sealed-these-keys-" + "y" * 20)
    with pytest.raises(backup.BackupError, match="does not open this backup's signing keys"):
        backup.restore(bare, force=True)
    assert Credential.objects.count() == 2  # nothing was changed


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, db):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        data = b"hello"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="unsafe entry"):
        backup.restore(bogus)
