from __future__ import annotations

import time
from datetime import timedelta

from django.apps import AppConfig
from django_tasks.signals import task_finished, task_started

from .registry import register

# a worker re-checks that every job has its chain at most this often (seconds), after finishing a task
_RECHECK = 15 * 60
_last_check = {"at": 0.0}


class SchedulerConfig(AppConfig):
    name = "credstack.scheduler"
    label = "scheduler"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.outbox import actions as outbox  # imports the models, which load after apps.py

        from . import leases  # imports the models, which load after apps.py

        task_finished.connect(_after_task, dispatch_uid="credstack.scheduler.ensure")
        # tasks survive their worker (decision 0031): workers beat, a sweep takes back the dead ones' tasks
        task_started.connect(leases.on_task_started, dispatch_uid="credstack.scheduler.heartbeat")
        register("scheduler.requeue_dead_tasks", leases.requeue_dead_tasks, every=timedelta(minutes=1))
        # effects whose committing process died before dispatching them, and retries due (decision 0036)
        register("outbox.dispatch_due", outbox.dispatch_due, every=timedelta(minutes=1))
        register("outbox.purge_done", outbox.purge_done, every=timedelta(days=1))


def _after_task(sender, task_result, **kwargs) -> None:
    """Self-healing: a worker that runs tasks (however it was started) makes sure every periodic job
    has its queued run, at most once per ``_RECHECK`` seconds per process."""
    if time.monotonic() - _last_check["at"] < _RECHECK and _last_check["at"]:
        return
    _last_check["at"] = time.monotonic()
    from .actions import ensure_all  # uses the models, which load after apps.py

    ensure_all()
