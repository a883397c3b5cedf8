"""The certificate cache never serves a partial PDF: it is written atomically (temporary name, then a
move), a damaged file already in the cache is rendered again and replaced, and a storage that fails
mid-write is reported in the log, not cached."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.test import override_settings

from credstack.atomic_storage import save_atomic
from credstack.credentials.files import is_whole_pdf
from credstack.render import extract_attachments

pytestmark = pytest.mark.django_db


class HalfWritingStorage(FileSystemStorage):
    """A disk that fills up in the middle of a write: half the bytes land, then ENOSPC."""

    def _save(self, name, content):
        data = content.read()
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))


class BrokenStorage(FileSystemStorage):
    """A storage with a bug of its own (not a refusal of the disk's or S3's): every write raises."""

    def _save(self, name, content):
        raise RuntimeError("a bug in the storage")


@pytest.fixture(autouse=True)
def _keep_certificates(settings):
    """These tests are about the kept certificates (CREDSTACK_KEEP_CERTIFICATES, decision 0048)."""
    settings.CREDSTACK_KEEP_CERTIFICATES = True


def _storages(backend: str, location: Path) -> dict:
    return {
        "default": {"BACKEND": backend, "OPTIONS": {"location": str(location)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _files(location: Path) -> list[Path]:
    return sorted(p for p in location.rglob("*") if p.is_file())


def _assert_whole_certificate(pdf: bytes, credential) -> None:
    assert is_whole_pdf(pdf)
    assert extract_attachments(pdf)["credential.json"].decode() == credential.document


def test_a_write_that_fails_halfway_is_logged_and_never_served(client, issue, tmp_path, caplog):
    credential = issue()
    url = f"/c/{credential.public_id}.pdf"

    with override_settings(STORAGES=_storages(f"{__name__}.HalfWritingStorage", tmp_path)):
        with caplog.at_level(logging.ERROR, logger="credstack.credentials.files"):
            first = client.get(url)
        assert first.status_code == 200
        _assert_whole_certificate(first.content, credential)
        assert "could not store the certificate" in caplog.text
        assert "No space left on device" in caplog.text
        # the half-written temporary file was removed; nothing carries the certificate's name
        assert _files(tmp_path) == []

    # space is free again: the next request renders a full PDF and caches it whole
    with override_settings(STORAGES=_storages("django.core.files.storage.FileSystemStorage", tmp_path)):
        second = client.get(url)
        _assert_whole_certificate(second.content, credential)
        [cached] = _files(tmp_path)
        assert cached.name.startswith(credential.public_id) and cached.read_bytes() == second.content
        third = client.get(url)
        assert third.content == second.content


def test_a_truncated_file_in_the_cache_is_rendered_again_and_replaced(client, issue, tmp_path, caplog):
    credential = issue()
    url = f"/c/{credential.public_id}.pdf"
    with override_settings(STORAGES=_storages("django.core.files.storage.FileSystemStorage", tmp_path)):
        whole = client.get(url).content
        [cached] = _files(tmp_path)
        cached.write_bytes(whole[: len(whole) // 2])  # what the old in-place write left on a full disk

        with caplog.at_level(logging.ERROR, logger="credstack.credentials.files"):
            again = client.get(url)
        assert again.content == whole
        assert "is damaged" in caplog.text
        assert cached.read_bytes() == whole
        assert _files(tmp_path) == [cached]  # no temporary file left behind


def test_save_atomic_replaces_the_file_on_disk_and_in_object_storage(tmp_path):
    disk = FileSystemStorage(location=str(tmp_path))
    save_atomic(disk, "certificates/a.pdf", b"old")
    save_atomic(disk, "certificates/a.pdf", b"new content")
    assert (tmp_path / "certificates" / "a.pdf").read_bytes() == b"new content"
    assert os.listdir(tmp_path / "certificates") == ["a.pdf"]

    objects = InMemoryStorage()  # no local paths, like S3: the object is written whole in one step
    save_atomic(objects, "certificates/a.pdf", b"old")
    save_atomic(objects, "certificates/a.pdf", b"new content")
    with objects.open("certificates/a.pdf", "rb") as fh:
        assert fh.read() == b"new content"
    assert objects.listdir("certificates") == ([], ["a.pdf"])


def test_a_write_told_the_name_is_free_asks_the_object_storage_once():
    """``absent=True`` (a read just found nothing): no check before the write. Should another writer have
    stored the same name meanwhile (the same content: names carry it), its file stays and no second
    file is left behind."""

    class Counting(InMemoryStorage):
        asked = 0

        def exists(self, name):
            Counting.asked += 1
            return super().exists(name)

    objects = Counting()
    save_atomic(objects, "certificates/b.pdf", b"%PDF- b", absent=True)
    with objects.open("certificates/b.pdf", "rb") as fh:
        assert fh.read() == b"%PDF- b"
    assert Counting.asked == 1  # the storage's own check for a free name, not save_atomic's
    save_atomic(objects, "certificates/b.pdf", b"%PDF- b", absent=True)  # raced: already there
    assert objects.listdir("certificates") == ([], ["b.pdf"])
    with objects.open("certificates/b.pdf", "rb") as fh:
        assert fh.read() == b"%PDF- b"


def test_the_task_rendering_ahead_ends_with_every_write_done_or_said(issue, tmp_path, caplog):
    """The workers' task (render_certificates) hands its writes to threads: when it returns, every file is
    written; a full disk is logged for each file it refused and costs only speed (rendered again on
    download); any other error fails the task, which is then run again."""
    from credstack.credentials.files import render_certificates

    credentials = [issue() for _ in range(12)]
    ids = [c.pk for c in credentials]
    with override_settings(STORAGES=_storages("django.core.files.storage.FileSystemStorage", tmp_path)):
        assert render_certificates.call(ids) == 12
        stored = _files(tmp_path)
        assert sorted(p.name.rsplit("-", 1)[0] for p in stored) == sorted(c.public_id for c in credentials)
        assert all(is_whole_pdf(p.read_bytes()) for p in stored)

    full = tmp_path / "full"
    with override_settings(STORAGES=_storages(f"{__name__}.HalfWritingStorage", full)):
        with caplog.at_level(logging.ERROR, logger="credstack.credentials.files"):
            assert render_certificates.call(ids) == 12
        assert caplog.text.count("could not store the certificate") == 12
        assert _files(full) == []

    with override_settings(STORAGES=_storages(f"{__name__}.BrokenStorage", tmp_path / "broken")):
        with pytest.raises(RuntimeError, match="a bug in the storage"):
            render_certificates.call(ids)
