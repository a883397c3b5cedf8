"""What a process measures itself, for ``/metrics`` (decision 0044).

Two kinds of figures reach ``/metrics``:

- facts of the database (credentials issued, tasks queued and failed, outbox backlog, webhook and email
  outcomes) are counted from the database at scrape time (``credstack.web.ops``): every process and every
  machine writes to the one database, so the figure is right however many there are;
- what only the process itself sees (request counts and latencies from django-prometheus, the time an
  issuance takes) is kept by ``prometheus_client``. Under ``credstack serve`` (granian's worker processes
  and the task worker) it runs in multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` is set before the
  processes start, each writes its samples to its own file there, and a scrape of any web process sums
  them (:func:`process_registry`).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, multiprocess

F = TypeVar("F", bound=Callable[..., Any])

ISSUANCE_SECONDS = Histogram(
    "credstack_issuance_seconds",
    "Time to issue one credential: validate, reserve a status slot, compose, sign, verify, store.",
    ["source"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

log = logging.getLogger(__name__)


def share_cursor_classes() -> None:
    """django-prometheus wraps every SQLite cursor in a class it builds anew for each cursor (~0.1 ms of CPU,
    and a class for the garbage collector, ~25 times per API request): build it once per (cursor class,
    alias, vendor) instead. The counts it exports are the same. Called from ``WebConfig.ready()``."""
    from django_prometheus.db import common  # the /metrics database wrapper (django-prometheus)

    build = common.ExportingCursorWrapper
    if not hasattr(build, "cache_info"):
        common.ExportingCursorWrapper = functools.lru_cache(maxsize=64)(build)


def timed_issuance(func: F) -> F:
    """Observe the time of each call in :data:`ISSUANCE_SECONDS`, labelled by the request's source."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = func(*args, **kwargs)
        request = args[0] if args else None
        source = str(getattr(request, "source", None) or kwargs.get("source") or "manual")
        ISSUANCE_SECONDS.labels(source=source[:32]).observe(time.perf_counter() - started)
        return result

    return wrapper  # type: ignore[return-value]


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def process_registry() -> CollectorRegistry:
    """The registry to scrape: the samples of every process sharing ``PROMETHEUS_MULTIPROC_DIR`` when it is
    set, else this process's own."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


# what prometheus_client's multiprocess mode writes for each process and kind of metric (its mmap files)
_MMAP_BYTES = 1 << 20


def prepare_multiprocess_dir(path: str) -> bool:
    """Before the processes start: an empty folder (samples of a previous run would be added to this one's)
    with room for the processes' files. False when it cannot be written (a full or read-only disk): the
    caller then leaves multiprocess mode off, so that metrics never keep the server from starting."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.unlink(os.path.join(path, name))
        probe = os.path.join(path, "room.probe")
        try:
            with open(probe, "wb") as fh:
                fh.write(bytes(_MMAP_BYTES))  # real bytes: a sparse file would not find a full disk
        finally:
            if os.path.exists(probe):
                os.unlink(probe)
    except OSError as exc:
        log.warning("metrics: %s cannot be written (%s); each process reports its own metrics", path, exc)
        return False
    return True
