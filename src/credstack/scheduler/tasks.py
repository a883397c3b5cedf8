"""The one task behind every periodic job: it runs the job and queues its own next run."""

from __future__ import annotations

from django_tasks import task


@task(takes_context=True)
def run_job(context, name: str) -> str:
    from .actions import run_chained  # actions imports this module: a top-level import is a cycle

    return run_chained(name, str(context.task_result.id))
