"""Who consumes which effect (pure Python: no database here, so apps subscribe from ``ready()``).

    from credstack.outbox.registry import subscribe
    subscribe("credential.issued", "delivery.credential_email", receivers.email_issued)

A handler is called as ``handler(payload, key)`` inside a transaction that also marks its outbox row
done: what it writes commits with "done" or not at all. It may run more than once for the same row (a
process that died after its commit but before the row was marked, or a retry after an error), so it
must be idempotent; ``key`` is the same on every run of one row, for consumers that need a dedupe key.
A handler that raises is retried on the platform's retry policy (``credstack.retry``).

A consumer may also give ``many``, called as ``many([(payload, key), ...])`` with several rows of its
kind at once (a batch of issued credentials): the same effect as calling ``handler`` on each, in fewer
queries, and as idempotent per key. The dispatch right after a commit uses it, and so does the careful
path (a retry, the sweep) for a row that carries a batch (``outbox.emit_many``, decision 0063); a plain
row goes to ``handler``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Handler = Callable[[dict, str], object]
ManyHandler = Callable[[list[tuple[dict, str]]], object]


@dataclass(frozen=True)
class Consumer:
    kind: str
    name: str
    handler: Handler
    many: ManyHandler | None = None


_consumers: dict[str, dict[str, Consumer]] = {}
_by_name: dict[str, Consumer] = {}


def subscribe(kind: str, name: str, handler: Handler, *, many: ManyHandler | None = None) -> Consumer:
    """Subscribe consumer ``name`` (unique, at most 100 characters, stored in the rows) to ``kind``.
    Subscribing again under the same name replaces the handler (a reload)."""
    if not kind or len(kind) > 100 or not name or len(name) > 100:
        raise ValueError("an outbox kind and a consumer name have 1 to 100 characters")
    consumer = Consumer(kind, name, handler, many)
    _consumers.setdefault(kind, {})[name] = consumer
    _by_name[name] = consumer
    return consumer


def unsubscribe(name: str) -> None:
    consumer = _by_name.pop(name, None)
    if consumer is not None:
        _consumers.get(consumer.kind, {}).pop(name, None)


def consumers(kind: str) -> list[Consumer]:
    return list(_consumers.get(kind, {}).values())


def consumer(name: str) -> Consumer | None:
    return _by_name.get(name)
