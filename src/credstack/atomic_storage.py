"""Write a file into a Django storage so that its name never points at a partial file.

``save_atomic(storage, name, data)`` writes ``data`` under a temporary name in the same folder, through
the storage's own ``save``, then moves it onto ``name``:

- Files on a local disk (``FileSystemStorage`` and its subclasses): ``os.replace`` of the temporary file, in the same
  folder, so the same file system: atomic, and it replaces an older (or broken) file at ``name``.
- Any other storage (S3-compatible object storage): an object is written whole by one PUT and becomes
  visible only once complete, so the temporary step is skipped and ``name`` is saved directly (after
  deleting an old object there, as ``save`` would otherwise pick another name).

On any error the temporary file is removed and the error is raised: the caller decides whether it only
costs speed (a cache) and logs it, but nothing partial is ever left under ``name``.
"""

from __future__ import annotations

import os
import posixpath
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

TEMP_PREFIX = ".tmp-"


def _local_path(storage: Storage, name: str) -> str | None:
    """The file's path for a storage of files on a local disk; None for any other (objects, memory)."""
    return storage.path(name) if isinstance(storage, FileSystemStorage) else None


def save_atomic(storage: Storage, name: str, data: bytes, *, absent: bool = False) -> str:
    """Store ``data`` as ``name`` (replacing what is there), all or nothing; returns ``name``.

    ``absent``: the caller has just found nothing at ``name`` (a read that raised FileNotFoundError), so
    an object storage is not asked again before the write (one request fewer). Should something have
    appeared there meanwhile, ``save`` picks another name, which is deleted: the same content (names
    carry it) stays at ``name``."""
    final = _local_path(storage, name)
    if final is None:
        if not absent and storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent writer took the name: the same content (names carry it)
            storage.delete(saved)
        return name
    folder, base = posixpath.split(name)
    temp = posixpath.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(8)}-{base}")
    saved = temp
    try:
        saved = storage.save(temp, ContentFile(data))
        temp_path = storage.path(saved)
        with open(temp_path, "rb+") as fh:  # on disk before it gets the name
            os.fsync(fh.fileno())
        if os.path.getsize(temp_path) != len(data):
            raise OSError(f"{name}: wrote {os.path.getsize(temp_path)} of {len(data)} bytes")
        os.replace(temp_path, final)
    except BaseException:
        _discard(storage, saved)
        raise
    return name


def _discard(storage: Storage, temp: str) -> None:
    try:
        storage.delete(temp)
    except OSError:  # nothing to remove, or the folder is unwritable: nothing more to do
        pass
