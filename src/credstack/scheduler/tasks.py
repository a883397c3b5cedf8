"""The scheduler's task, for the worker. ``run_job`` is defined in ``actions.py`` beside the code that
queues it (see "Tasks" in docs/architecture.md); it is named here too, so the chains queued under
``credstack.scheduler.tasks.run_job`` before it moved still run."""

from __future__ import annotations

from .actions import run_job

__all__ = ["run_job"]
