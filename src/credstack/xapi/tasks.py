"""The xAPI app's tasks, for the worker. ``send_statement`` is defined in ``actions.py`` beside the code
that queues it (see "Tasks" in docs/architecture.md); it is named here too, so rows queued under
``credstack.xapi.tasks.send_statement`` before it moved still run."""

from __future__ import annotations

from django_tasks import task

from . import actions
from .actions import send_statement

__all__ = ["flush_statements", "send_statement"]


@task()
def flush_statements() -> int:
    return actions.flush()
