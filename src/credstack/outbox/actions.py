"""Emit side effects inside an action's transaction; dispatch them after the commit (decision 0036).

``emit`` writes one ``OutboxEntry`` per consumer subscribed to the kind, in the caller's transaction, and
asks for a dispatch right after the commit, in the same process (one transaction that marks the rows done
and runs their consumers; the careful path below when anything is unusual) (as the signals it replaces did: no
queue round trip before an email or a webhook). If that process dies between its commit and that
dispatch, or a consumer fails, the row stays PENDING and ``dispatch_due`` (periodic job
``outbox.dispatch_due``, every minute) delivers it: at least once, on the platform's one retry policy.

A dispatch claims rows with one conditional UPDATE (a random token, ``next_attempt_at`` pushed a lease
ahead), then runs the consumers in one transaction (a savepoint each) that also marks their rows DONE,
conditional on the token: a consumer's writes commit together with "done", or roll back. Two dispatchers never run one row at
the same time, and a dispatcher that died holding a row gives it back when the lease ends.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from credstack import taskqueues
from credstack.retry import POLICY

from . import registry
from .models import OutboxEntry

log = logging.getLogger(__name__)

# How long a dispatcher holds a claimed row: far longer than a consumer takes (they write rows and queue
# tasks), short enough that a dead process's effects go out within minutes.
LEASE = timedelta(minutes=2)
# The sweep leaves younger rows to the dispatch that their own commit started.
SWEEP_GRACE = timedelta(seconds=10)
SWEEP_BATCH = 200
KEEP_DONE = timedelta(days=7)


# Set by ``to_worker()``: the effects emitted meanwhile are handed to a worker after the commit.
_to_worker: ContextVar[bool] = ContextVar("credstack_outbox_to_worker", default=False)


@contextmanager
def to_worker() -> Iterator[None]:
    """Effects emitted inside this block are handed to a worker right after their commit (one
    ``dispatch_emitted`` task per ``emit``/``emit_many``) instead of being run in this process: a request
    that only needs the change answered (one credential through the API) does not wait for the emails,
    webhooks and pathways that follow from it (decision 0068). The rows are the same and so is the
    guarantee: the task claims them as any dispatch does, and if it is never run (the queue lost it),
    the sweep delivers them. A queue that refuses the task leaves them to this process, as without the
    block. With the tests' immediate task backend the task runs at once, right after the commit."""
    token = _to_worker.set(True)
    try:
        yield
    finally:
        _to_worker.reset(token)


class OutsideTransaction(RuntimeError):
    """``emit`` was called outside ``transaction.atomic()``: the effect would not be tied to a change."""


class _TakenOver(Exception):
    """The row's claim ended (lease over) and another dispatcher holds it: roll back, let it finish."""


def emit(kind: str, payload: dict, *, key: str | None = None, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Record the effect ``kind`` with its ``payload`` (JSON) for every consumer subscribed to it.

    Call it inside the action's ``transaction.atomic()`` (``OutsideTransaction`` otherwise), so the
    effect exists if and only if the change commits. ``key`` names the effect (e.g.
    ``credential.issued:<id>``): emitting the same key again stores nothing new. Without a key every
    call is a new effect. Returns the rows' keys (``<key>/<consumer>``).
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise OutsideTransaction(
            f"outbox.emit({kind!r}) must be called inside the action's transaction.atomic() block"
        )
    consumers = registry.consumers(kind)
    if not consumers:
        return []
    base = key or f"{kind}:{secrets.token_hex(12)}"
    now = timezone.now()
    rows = [
        OutboxEntry(kind=kind, consumer=c.name, payload=payload, key=f"{base}/{c.name}", next_attempt_at=now)
        for c in consumers
    ]
    OutboxEntry.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    _after_commit(rows, using)
    return [row.key for row in rows]


def emit_many(kind: str, effects: list[tuple[dict, str]], *, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``emit`` for many effects of one kind at once (a batch of issued credentials): ``effects`` is a
    list of ``(payload, key)``. One row per consumer for the whole batch (decision 0063): its payload is
    ``{BATCH: [[payload, key], ...]}``, its key the first effect's key, ``+`` how many more, and the
    consumer's name. Consumers still get every ``(payload, key)``, through ``many`` when they give one,
    else one ``handler`` call each, so they stay idempotent per effect key. A single effect gets a
    plain row, as ``emit`` writes it."""
    if not transaction.get_connection(using).in_atomic_block:
        raise OutsideTransaction(
            f"outbox.emit_many({kind!r}) must be called inside the action's transaction.atomic() block"
        )
    consumers = registry.consumers(kind)
    if not consumers or not effects:
        return []
    now = timezone.now()
    if len(effects) == 1:
        [(payload, key)] = effects
    else:
        payload = {BATCH: [[p, k] for p, k in effects]}
        key = f"{effects[0][1]}+{len(effects) - 1}"
    rows = [
        OutboxEntry(kind=kind, consumer=c.name, payload=payload, key=f"{key}/{c.name}", next_attempt_at=now)
        for c in consumers
    ]
    OutboxEntry.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    _after_commit(rows, using)
    return [row.key for row in rows]


# The payload key of a row that carries a batch of effects (``emit_many``): ``[[payload, key], ...]``.
BATCH = "outbox.batch"


def effects_of(entry: OutboxEntry) -> list[tuple[dict, str]]:
    """The ``(payload, key)`` effects a row stands for: one, or a batch's (``emit_many``)."""
    batch = entry.payload.get(BATCH) if isinstance(entry.payload, dict) else None
    if isinstance(batch, list):
        return [(payload, key) for payload, key in batch]
    return [(entry.payload, entry.key)]


def _consume(consumer: registry.Consumer, effects: list[tuple[dict, str]]) -> None:
    """Run ``consumer`` on ``effects``: all at once through ``many`` when it gives one, else one by one."""
    if consumer.many is not None and len(effects) > 1:
        consumer.many(effects)
    else:
        for payload, key in effects:
            consumer.handler(payload, key)


def dispatch(keys: list[str], now: datetime | None = None) -> int:
    """Deliver the rows named by ``keys`` that are due and not held by another dispatcher. Returns how
    many were done. Safe to call twice."""
    return _run(OutboxEntry.objects.filter(key__in=keys), now or timezone.now())


class _Fallback(Exception):
    """The fast path cannot take every row at once, or a consumer failed: roll back, go the careful way."""


def _after_commit(rows: list[OutboxEntry], using: str) -> None:
    """What the commit that writes ``rows`` starts: their dispatch here, or a worker's (``to_worker``)."""
    if _to_worker.get():
        transaction.on_commit(lambda: _hand_over(rows), using=using, robust=True)
    else:
        transaction.on_commit(lambda: _dispatch_emitted(rows), using=using, robust=True)


def _hand_over(rows: list[OutboxEntry]) -> None:
    try:
        dispatch_emitted.enqueue([row.key for row in rows])
    except Exception:  # the queue is down: deliver them here, as without ``to_worker``
        log.warning("outbox: the task queue refused a dispatch; running it in this process", exc_info=True)
        _dispatch_emitted(rows)


@task(queue_name=taskqueues.DEFAULT)
def dispatch_emitted(keys: list[str]) -> int:
    """A worker's dispatch of rows a request handed over (``to_worker``): the same one transaction as
    right after a commit when every row is still pending, else ``dispatch``, so a row the sweep or another
    run took already is left alone. Returns how many it delivered."""
    rows = list(OutboxEntry.objects.filter(key__in=keys, state=OutboxEntry.State.PENDING))
    if len(rows) != len(keys):
        return dispatch(keys)
    return _dispatch_emitted(rows)


def _dispatch_emitted(rows: list[OutboxEntry]) -> int:
    """Right after the commit that emitted ``rows`` (payloads in memory): one transaction marks them
    done and runs their consumers, so a process that dies inside it leaves them pending for the sweep;
    on PostgreSQL a sweep that reaches the same rows waits for it and then finds them done. Any surprise
    (a row already taken, a consumer that raises) rolls it all back to ``dispatch``, row by row."""
    keys, now = [row.key for row in rows], timezone.now()
    try:
        with transaction.atomic():
            taken = OutboxEntry.objects.filter(
                key__in=keys, state=OutboxEntry.State.PENDING, next_attempt_at__lte=now
            ).update(state=OutboxEntry.State.DONE, done_at=now, attempts=F("attempts") + 1)
            if taken != len(rows):
                raise _Fallback
            by_consumer: dict[str, list[tuple[dict, str]]] = {}
            for row in rows:
                by_consumer.setdefault(row.consumer, []).extend(effects_of(row))
            for name, effects in by_consumer.items():
                consumer = registry.consumer(name)
                if consumer is None:
                    raise _Fallback
                try:
                    _consume(consumer, effects)  # a batch: its effects at once
                except Exception as exc:  # the careful path runs it again and records the failure
                    raise _Fallback from exc
        return len(rows)
    except _Fallback:
        return dispatch(keys, now)


def dispatch_due(now: datetime | None = None, grace: timedelta = SWEEP_GRACE) -> int:
    """The sweep: deliver every PENDING row due for ``grace`` already (its dispatch never ran, its
    process died, or a retry is due). Periodic job ``outbox.dispatch_due``. Returns how many were done."""
    now = now or timezone.now()
    done = 0
    while True:
        ids = list(
            OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING, next_attempt_at__lte=now - grace)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            return done
        # every row taken here leaves the due set (done, pushed a lease or a retry ahead): this ends
        done += _run(OutboxEntry.objects.filter(pk__in=ids), now)


def purge_done(now: datetime | None = None) -> int:
    """Forget rows done more than ``KEEP_DONE`` ago (periodic job ``outbox.purge_done``)."""
    cutoff = (now or timezone.now()) - KEEP_DONE
    deleted, _ = OutboxEntry.objects.filter(state=OutboxEntry.State.DONE, done_at__lt=cutoff).delete()
    return deleted


def _run(rows, now: datetime) -> int:
    token = secrets.token_hex(8)
    claimed = rows.filter(state=OutboxEntry.State.PENDING, next_attempt_at__lte=now).update(
        claim=token, next_attempt_at=now + LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    entries = list(rows.filter(claim=token).order_by("pk"))
    done: list[OutboxEntry] = []
    failed: list[tuple[OutboxEntry, Exception]] = []
    try:
        # one transaction for the batch, a savepoint per consumer: a failing consumer's writes roll back
        # alone, and every other one's commit together with its row marked done
        with transaction.atomic():
            for entry in entries:
                consumer = registry.consumer(entry.consumer)
                try:
                    with transaction.atomic():
                        if consumer is None:
                            raise LookupError(f"no consumer {entry.consumer!r} is subscribed in this process")
                        _consume(consumer, effects_of(entry))
                    done.append(entry)
                except Exception as exc:  # recorded and retried below, never raised to the action
                    failed.append((entry, exc))
            if done:
                marked = OutboxEntry.objects.filter(
                    pk__in=[e.pk for e in done], claim=token, state=OutboxEntry.State.PENDING
                ).update(state=OutboxEntry.State.DONE, done_at=timezone.now(), claim="", last_error="")
                if marked != len(done):
                    raise _TakenOver
    except _TakenOver:
        log.warning("outbox: a lease ran out and another dispatcher took rows over; this run rolled back")
        return 0
    for entry, error in failed:
        _failed(entry, token, now, error)
    return len(done)


def _failed(entry: OutboxEntry, token: str, now: datetime, exc: Exception) -> None:
    retry_at = POLICY.next_attempt_at(now, entry.attempts)
    log.error("outbox: %s failed (attempt %d)", entry, entry.attempts, exc_info=exc)
    fields: dict = {"claim": "", "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if retry_at is None:
        fields.update(state=OutboxEntry.State.FAILED, next_attempt_at=now)
    else:
        fields["next_attempt_at"] = retry_at
    OutboxEntry.objects.filter(pk=entry.pk, claim=token).update(**fields)
