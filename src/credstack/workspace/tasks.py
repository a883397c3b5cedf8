"""Background work of the workspace, for the worker: bulk issuance jobs and the purge of old uploads.

``run_bulk_job`` is defined in ``bulk/jobs.py`` beside the actions that queue it (see "Tasks" in
docs/architecture.md); it is named here too, so rows queued under ``credstack.workspace.tasks.run_bulk_job``
before it moved still run.
"""

from __future__ import annotations

from django_tasks import task

from .bulk import purge_uploads, run_bulk_job

__all__ = ["purge_bulk_uploads", "run_bulk_job"]


@task()
def purge_bulk_uploads() -> int:
    """Daily (credstack.scheduler) or ``credstack manage purge_bulk_uploads`` from cron."""
    return purge_uploads()
