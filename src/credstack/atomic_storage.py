"""Write a file into a Django storage so that its name never points at a partial file.

``save_atomic(storage, name, data)`` writes ``data`` under a temporary name in the same folder, through
the storage's own ``save``, then moves it onto ``name``:

- Files on a local disk (``FileSystemStorage`` and its subclasses): ``os.replace`` of the temporary file, in the same
  folder, so the same file system: atomic, and it replaces an older (or broken) file at ``name``.
- Any other storage (S3-compatible object storage): an object is written whole by one PUT and becomes
  visible only once complete, so the temporary step is skipped and ``name`` is saved directly. A storage
  that can be told to replace what is there (django-storages' ``file_overwrite``) writes through a copy of
  itself so told: one request, the PUT. Any other deletes an old object first, as ``save`` would otherwise
  pick another name.

On any error the temporary file is removed and the error is raised: the caller decides whether it only
costs speed (a cache) and logs it, but nothing partial is ever left under ``name``.
"""

from __future__ import annotations

import copy
import os
import posixpath
import secrets
import threading
import weakref

from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages

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
        replacing = _replacing(storage)
        if replacing is not None:
            replacing.save(name, ContentFile(data))
            return name
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


# each storage's replacing twin, made once: a copy of an S3 storage opens its own connections (~150 ms)
_REPLACING: weakref.WeakKeyDictionary[Storage, Storage] = weakref.WeakKeyDictionary()
_replacing_lock = threading.Lock()


def _replacing(storage: Storage) -> Storage | None:
    """``storage`` made to replace an object saved under a taken name instead of picking another name (a
    copy: the same bucket and options); None for a storage that cannot be told to."""
    if storage is default_storage:  # the instance behind it, which settings changes (tests) replace
        storage = storages[DEFAULT_STORAGE_ALIAS]
    if not hasattr(storage, "file_overwrite"):
        return None
    if storage.file_overwrite:
        return storage
    with _replacing_lock:
        twin = _REPLACING.get(storage)
        if twin is None:
            twin = _REPLACING[storage] = copy.copy(storage)
            twin.file_overwrite = True
    return twin


def _discard(storage: Storage, temp: str) -> None:
    try:
        storage.delete(temp)
    except OSError:  # nothing to remove, or the folder is unwritable: nothing more to do
        pass
