"""Cheap VIEWED / DOWNLOADED / VERIFIED events for public pages and files.

Writing a row per page view would put a database write on the hottest read path. Events are kept in a
small per-process buffer and written with one ``bulk_create`` when it holds ``FLUSH_SIZE`` events or its
oldest event is ``CREDSTACK_EVENT_FLUSH_SECONDS`` old (default 5; 0 writes at once), and at exit.
A crash loses at most that window of view counts, never a lifecycle event (those are not buffered).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings

from .models import Credential, CredentialEvent
from .signals import engagement_recorded

log = logging.getLogger(__name__)
FLUSH_SIZE = 200
_buffer: list[tuple[int, str, str]] = []
_oldest = 0.0
_lock = threading.Lock()


def record(credential_id: int, kind: str, note: str = "") -> None:
    global _oldest
    with _lock:
        if not _buffer:
            _oldest = time.monotonic()
        _buffer.append((credential_id, kind, note[:200]))
        due = len(_buffer) >= FLUSH_SIZE or time.monotonic() - _oldest >= getattr(
            settings, "CREDSTACK_EVENT_FLUSH_SECONDS", 5
        )
    if due:
        flush()


def discard() -> None:
    """Drop buffered events (tests)."""
    with _lock:
        _buffer.clear()


def flush(*, quiet: bool = False) -> int:
    with _lock:
        batch = list(_buffer)
        _buffer.clear()
    if not batch:
        return 0
    try:
        alive = set(
            Credential.objects.filter(pk__in={cid for cid, _, _ in batch}).values_list("pk", flat=True)
        )
        created = CredentialEvent.objects.bulk_create(
            [
                CredentialEvent(credential_id=cid, kind=kind, note=note)
                for cid, kind, note in batch
                if cid in alive
            ]
        )
    except Exception:  # a deleted credential, a closed database at exit: counts are best effort
        if not quiet:
            log.warning("could not record %d engagement events", len(batch), exc_info=True)
        return 0
    engagement_recorded.send(sender=CredentialEvent, events=created)
    return len(batch)


atexit.register(flush, quiet=True)
