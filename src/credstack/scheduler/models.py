from __future__ import annotations

from django.db import models


class PeriodicJob(models.Model):
    """One row per registered periodic job: when it runs next, and the one queued task that will run it.

    The row is the lock that keeps one chain per job: every change happens under ``select_for_update``.
    """

    name = models.CharField(max_length=100, unique=True)
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField()
    # the id of the queued run_job task that continues the chain ("" when there is none)
    task_id = models.CharField(max_length=64, blank=True)
    runs = models.PositiveIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A task worker process says it is alive (``credstack.scheduler.leases``): one row per worker id,
    ``seen_at`` moved on every few seconds while the process lives. A RUNNING task whose worker has not
    been seen for a lease is taken back by the sweep."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
