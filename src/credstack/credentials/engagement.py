"""Cheap VIEWED / DOWNLOADED / VERIFIED events for public pages and files.

Writing a row per page view would put a database write on the hottest read path. Events are kept in a
small per-process buffer and written with one multi-row INSERT when it holds ``FLUSH_SIZE`` events or its
oldest event is ``CREDSTACK_EVENT_FLUSH_SECONDS`` old (default 5; 0 writes at once, in the caller's
thread), by a flusher thread of the process, and at exit. A failed write (a read-only or full home) drops
those counts and is logged once until a write succeeds again: the pages keep answering.
A crash loses at most that window of view counts, never a lifecycle event (those are not buffered).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Credential, CredentialEvent
from .signals import engagement_recorded

log = logging.getLogger(__name__)
FLUSH_SIZE = 200
_buffer: list[tuple[int, str, str]] = []
_oldest = 0.0
_lock = threading.Lock()
_wake = threading.Event()
_flusher: threading.Thread | None = None
_failing = threading.Event()  # the last flush failed (read-only or full home): log the next failure not again


def record(credential_id: int, kind: str, note: str = "") -> None:
    global _oldest
    with _lock:
        if not _buffer:
            _oldest = time.monotonic()
        _buffer.append((credential_id, kind, note[:200]))
        due = len(_buffer) >= FLUSH_SIZE or time.monotonic() - _oldest >= getattr(
            settings, "CREDSTACK_EVENT_FLUSH_SECONDS", 5
        )
    if not due:
        return
    if getattr(settings, "CREDSTACK_EVENT_FLUSH_SECONDS", 5) <= 0:
        flush()  # at once, in the caller's thread and transaction (tests)
    else:
        _wake_flusher()


def _wake_flusher() -> None:
    """Writing is the flusher thread's job, not the request's: the request that fills the buffer answers
    at once, and the thread keeps one database connection open instead of opening and closing one per
    write (on SQLite the close of a connection costs more than the write; benchmarks/serve.py)."""
    global _flusher
    with _lock:
        if _flusher is None or not _flusher.is_alive():  # none yet, or this is a forked child
            _flusher = threading.Thread(target=_flush_loop, name="credstack-engagement", daemon=True)
            _flusher.start()
    _wake.set()


def _flush_loop() -> None:
    while True:
        _wake.wait(timeout=max(1.0, float(getattr(settings, "CREDSTACK_EVENT_FLUSH_SECONDS", 5))))
        _wake.clear()
        flush()


def discard() -> None:
    """Drop buffered events (tests)."""
    with _lock:
        _buffer.clear()


def _insert(events: list[CredentialEvent], now) -> None:
    """One multi-row INSERT: ``bulk_create`` spends ~150 µs of Python on each row, which at a few thousand
    page views a second is more than serving the page (benchmarks/serve.py). Same rows, same columns."""
    if not events:
        return
    table = connection.ops.quote_name(CredentialEvent._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            # the table name is the model's own, every value a parameter
            f"INSERT INTO {table} (credential_id, kind, actor_id, note, at) VALUES (%s, %s, NULL, %s, %s)",  # noqa: S608
            [(e.credential_id, e.kind, e.note, at) for e in events],
        )


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
        now = timezone.now()
        created = [
            CredentialEvent(credential_id=cid, kind=kind, note=note, at=now)
            for cid, kind, note in batch
            if cid in alive
        ]
        _insert(created, now)
    except Exception:  # a deleted credential, a closed or read-only database: counts are best effort
        if not quiet and not _failing.is_set():
            log.warning(
                "could not record %d engagement events (logged once until it works)",
                len(batch),
                exc_info=True,
            )
        _failing.set()
        return 0
    _failing.clear()
    engagement_recorded.send(sender=CredentialEvent, events=created)
    return len(batch)


atexit.register(flush, quiet=True)
