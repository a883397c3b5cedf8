"""Periodic jobs, registered by name from an ``AppConfig.ready()`` (pure Python: no database here).

    from datetime import timedelta
    from credstack.scheduler.registry import register
    register("delivery.expiry_reminders", send_expiry_reminders, every=timedelta(days=1))

The function is called without arguments by the task worker, at most once per ``every`` (see
``credstack.scheduler.actions``); what it returns is recorded (``repr``, 500 characters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

MIN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    every: timedelta


_jobs: dict[str, Job] = {}


def register(name: str, func: Callable[[], object], every: timedelta) -> Job:
    """Register (or re-register, e.g. on reload) the periodic job ``name``."""
    if not name or len(name) > 100:
        raise ValueError("a periodic job needs a name of 1 to 100 characters")
    if every < MIN_EVERY:
        raise ValueError(f"{name}: a periodic job runs at most once a minute (every={every})")
    job = Job(name, func, every)
    _jobs[name] = job
    return job


def get(name: str) -> Job | None:
    return _jobs.get(name)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)
