"""Background work of the workspace: bulk issuance jobs."""

from __future__ import annotations

from django_tasks import task


@task()
def run_bulk_job(job_id: int) -> str:
    from .bulk import run_job  # bulk imports this module: a top-level import is a cycle

    job = run_job(job_id)
    return job.state


@task()
def purge_bulk_uploads() -> int:
    """Daily (credstack.scheduler) or ``credstack manage purge_bulk_uploads`` from cron."""
    from .bulk import purge_uploads  # bulk imports this module: a top-level import is a cycle

    return purge_uploads()
