"""Write a file into a Django storage so that its name never points at a partial file.

``save_atomic(storage, name, data)`` writes ``data`` under a temporary name in the same folder, through
the storage's own ``save``, then moves it onto ``name``:

- Files on a local disk (``FileSystemStorage`` and its subclasses): ``os.replace`` of the temporary file, in the same
  folder, so the same file system: atomic, and it replaces an older (or broken) file at ``name``.
- Any other storage (S3-compatible object storage): an object is written whole by one PUT and becomes
  visible only once complete, replacing an older object of that name, so the temporary step is skipped
  and ``name`` is written directly: one request.

On any error the temporary file is removed and the error is raised: the caller decides whether it only
costs speed (a cache) and logs it, but nothing partial is ever left under ``name``.
"""

from __future__ import annotations

import os
import posixpath
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.utils import validate_file_name

TEMP_PREFIX = ".tmp-"


def _local_path(storage: Storage, name: str) -> str | None:
    """The file's path for a storage of files on a local disk; None for any other (objects, memory)."""
    return storage.path(name) if isinstance(storage, FileSystemStorage) else None


def save_atomic(storage: Storage, name: str, data: bytes) -> str:
    """Store ``data`` as ``name`` (replacing what is there), all or nothing; returns ``name``."""
    final = _local_path(storage, name)
    if final is None:
        # ``Storage.save`` would first look for a free name (with S3: a HEAD request, as the uploads'
        # storage never overwrites, config/storageurl.py; then a second name beside the first), which a
        # replacement does not want. ``_save`` is the write itself, the hook every Django storage
        # implements (https://docs.djangoproject.com/en/5.2/howto/custom-file-storage/): one PUT, which
        # replaces the object whole. The name is checked as ``save`` checks it.
        validate_file_name(name, allow_relative_path=True)
        storage._save(name, ContentFile(data))  # type: ignore[attr-defined]  # every backend has it; the stubs omit it
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
