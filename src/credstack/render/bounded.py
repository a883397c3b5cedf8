"""A process-wide cache of least recently used values, bounded by entries and by the bytes they hold.

What certificates are drawn from is kept in these across renders: subset fonts (``pdf.EMBEDDED``), design
versions and logos (``credstack.designs.queries``). A key must be immutable and unique for as long as the
process runs (a font file's name, a design's public id and version number), never a row's integer id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Bounded(Generic[K, V]):
    def __init__(self, entries: int, max_bytes: int, size: Callable[[V], int]) -> None:
        self.entries, self.max_bytes, self.size = entries, max_bytes, size
        self.bytes = 0
        self.d: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            hit = self.d.get(key)
            if hit is None:
                return None
            self.d.move_to_end(key)
            return hit[0]

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` (unless ``key`` is already kept) and return it; the oldest go past the bounds."""
        size = self.size(value)
        with self.lock:
            if key not in self.d:
                self.d[key] = (value, size)
                self.bytes += size
            while self.d and (len(self.d) > self.entries or self.bytes > self.max_bytes):
                self.bytes -= self.d.popitem(last=False)[1][1]
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The kept value, or ``make()`` kept (made outside the lock: two threads may both make it)."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())
