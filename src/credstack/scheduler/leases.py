"""Tasks survive their worker (decision 0031): heartbeats of worker processes, and the sweep that takes
back the tasks of a worker that died.

django-tasks-db marks a task RUNNING when a worker claims it (``status``, ``started_at``, and the worker's
id appended to ``worker_ids``) and nothing ever looks at it again: a worker killed inside a task left it
RUNNING for good. Here:

- **Heartbeat.** The first time a worker process starts a task of the database backend (the
  ``task_started`` signal, so however the worker was started: ``credstack worker``, ``credstack serve``,
  ``manage db_worker``), it writes its ``WorkerHeartbeat`` row and starts a daemon thread that moves
  ``seen_at`` on every quarter of the lease (``CREDSTACK_TASK_LEASE_SECONDS``, 120 s by default) for as
  long as the process lives.
- **Sweep.** ``requeue_dead_tasks`` (a periodic job, every minute, and once when ``credstack worker``
  starts) puts a RUNNING task back to READY when it started more than a lease ago and its worker (the
  last id in ``worker_ids``) has not been seen for a lease. A task whose worker is alive is never taken,
  however long it runs. The change is a compare-and-set on (status, started_at): two sweeps, or a sweep
  racing the worker's own "finished", change a row at most once.
- **No endless loop.** A task claimed ``MAX_CLAIMS`` times that still lost its worker (a task that kills
  its process) is marked FAILED with the reason, instead of being requeued again.

Delivery is at least once: a worker cut off from the database for longer than a lease (but alive) may
finish a task that another worker runs too. Every task's consumer is idempotent (decision 0031 lists them).
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from credstack import taskqueues

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_CLAIMS = 5
DEAD_WORKER_ERROR = "credstack.scheduler.leases.WorkerDied"
FORGET_WORKERS_AFTER = timedelta(days=1)

_beating: dict[str, object] = {"worker_id": None, "thread": None}
_beating_lock = threading.Lock()


def lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "CREDSTACK_TASK_LEASE_SECONDS", 120)))


def beat(worker_id: str) -> None:
    """Say that worker ``worker_id`` (this process) is alive, now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now, pid=os.getpid())
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": platform.node()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
            },
        )


def _beat_forever(worker_id: str, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            beat(worker_id)
        except Exception:  # a busy or unreachable database: say it, and try again next time
            logger.exception("task worker %s could not record its heartbeat", worker_id)
        finally:
            connection.close()  # this thread's own connection: no idle transaction held between beats


def start_heartbeat(worker_id: str) -> None:
    """Beat now, and keep beating from a daemon thread (once per process and worker id)."""
    with _beating_lock:
        if _beating["worker_id"] == worker_id:
            return
        beat(worker_id)
        previous = _beating.get("stop")
        if isinstance(previous, threading.Event):
            previous.set()
        stop = threading.Event()
        interval = max(lease().total_seconds() / 4, 0.5)
        thread = threading.Thread(
            target=_beat_forever, args=(worker_id, interval, stop), name="credstack-heartbeat", daemon=True
        )
        thread.start()
        _beating.update(worker_id=worker_id, thread=thread, stop=stop)


def on_task_started(sender, task_result, **kwargs) -> None:
    """``task_started`` receiver: a worker that starts a task keeps a heartbeat (the database queue's and
    RQ's alike: the RQ worker's name is the id, decision 0047)."""
    backend = sender if isinstance(sender, type) else type(sender)
    on_rq = backend.__module__.startswith("django_tasks_rq")
    if on_rq:
        close_old_connections()  # an RQ worker is a long-lived process: no connection broken or past its age
    if not (on_rq or issubclass(backend, DatabaseBackend)) or not task_result.worker_ids:
        return
    try:
        start_heartbeat(task_result.worker_ids[-1])
    except Exception:  # never stop the task for this: the sweep's lease only starts counting later
        logger.exception("could not start the heartbeat of task worker %s", task_result.worker_ids[-1])


def requeue_dead_tasks(now: datetime | None = None) -> dict[str, int]:
    """Put back to READY every RUNNING task whose worker died (idempotent); counts of what was done."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = failed = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by("started_at"):
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker in alive:
            continue
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= MAX_CLAIMS:
            reason = (
                f"{DEAD_WORKER_ERROR}: the worker running this task died {len(row.worker_ids)} times "
                f"(workers {', '.join(row.worker_ids)}); it is not run again\n"
            )
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=DEAD_WORKER_ERROR,
                traceback=reason,
                return_value=None,
            )
            failed += changed
            if changed:
                logger.error(
                    "task %s (%s) failed: its worker died %d times", row.pk, row.task_path, MAX_CLAIMS
                )
            continue
        changed = same.update(status=TaskResultStatus.READY, started_at=None)
        requeued += changed
        if changed:
            logger.warning(
                "task %s (%s) was RUNNING on worker %s, not heard from since %s: queued again",
                row.pk,
                row.task_path,
                worker or "(unknown)",
                row.started_at.isoformat(),
            )
    if taskqueues.on_redis():
        rq_requeued, rq_failed = requeue_dead_rq_jobs(now, alive)
        requeued, failed = requeued + rq_requeued, failed + rq_failed
    forgotten, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return {"requeued": requeued, "failed": failed, "workers_forgotten": forgotten}


def requeue_dead_rq_jobs(now: datetime, alive: set[str]) -> tuple[int, int]:
    """The same sweep for tasks in Redis (decision 0047): a job in a queue's started registry whose RQ
    worker has not been heard from for a lease goes back to the front of its queue, under the same id.
    Taking the registry entry (ZREM answers 1 once) is the compare-and-set: of two sweeps, one requeues.
    RQ's own clean-up would mark such a job failed ("abandoned"), minutes later; this runs first."""
    import django_rq  # only with REDIS_URL: the RQ backend's packages
    from django_tasks_rq.backend import Job  # only with REDIS_URL: the RQ backend's packages
    from rq.exceptions import NoSuchJobError  # only with REDIS_URL: the RQ backend's packages
    from rq.registry import FailedJobRegistry, StartedJobRegistry  # only with REDIS_URL: RQ's packages

    cutoff = (now - lease()).timestamp()
    requeued = failed = 0
    for name in taskqueues.ALL:
        queue = django_rq.get_queue(name, job_class=Job)
        registry = StartedJobRegistry(queue=queue)
        raw = cast("list[bytes | str]", queue.connection.zrange(registry.key, 0, -1))
        for entry in [e.decode() if isinstance(e, bytes) else e for e in raw]:
            try:
                job = Job.fetch(registry.parse_job_id(entry), connection=queue.connection)
            except NoSuchJobError:
                queue.connection.zrem(registry.key, entry)
                continue
            started = job.started_at.timestamp() if job.started_at else 0.0
            if (job.worker_name or "") in alive or started > cutoff:
                continue
            if not queue.connection.zrem(registry.key, entry):
                continue  # another sweep took it
            claims = int(job.meta.get("credstack_claims", 1))
            if claims >= MAX_CLAIMS:
                reason = (
                    f"{DEAD_WORKER_ERROR}: the worker running this task died {claims} times "
                    f"(last {job.worker_name}); it is not run again\n"
                )
                FailedJobRegistry(queue=queue).add(job, exc_string=reason)
                failed += 1
                logger.error("task %s (%s) failed: its worker died %d times", job.id, job.func_name, claims)
                continue
            job.meta["credstack_claims"] = claims + 1
            job.save_meta()
            queue.enqueue_job(job, at_front=True)
            requeued += 1
            logger.warning(
                "task %s (%s) was running on RQ worker %s, not heard from since %s: queued again",
                job.id,
                job.func_name,
                job.worker_name or "(unknown)",
                job.started_at.isoformat() if job.started_at else "?",
            )
    return requeued, failed
