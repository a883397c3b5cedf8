"""Tasks survive their worker (decision 0031): a task left RUNNING by a worker that died goes back to
the queue and runs once more, to completion; a task whose worker is alive is never taken from it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from credstack.scheduler import leases, registry
from credstack.scheduler.models import WorkerHeartbeat
from tests import migrated

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2.0  # seconds, for the real worker processes below (120 by default)


def _running(task_path: str, worker_ids: list[str], started: timedelta) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started,
        worker_ids=worker_ids,
    )


@pytest.mark.django_db
def test_the_sweep_takes_back_only_the_tasks_of_dead_workers(settings):
    settings.CREDSTACK_TASK_LEASE_SECONDS = 60
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=now, seen_at=now - timedelta(seconds=10))
    WorkerHeartbeat.objects.create(worker_id="dead", started_at=now, seen_at=now - timedelta(minutes=5))
    email = _running("credstack.delivery.tasks.send_email", ["dead"], timedelta(minutes=6))
    long_but_alive = _running("credstack.workspace.tasks.run_bulk_job", ["alive"], timedelta(hours=3))
    unknown_worker = _running(
        "credstack.webhooks.tasks.deliver", ["gone-before-heartbeats"], timedelta(hours=2)
    )
    just_claimed = _running("credstack.xapi.tasks.send_statement", ["not-yet-beating"], timedelta(seconds=1))
    crashes_its_worker = _running(
        "credstack.lti.tasks.send_lti_grade", [f"w{i}" for i in range(5)], timedelta(hours=1)
    )

    assert leases.requeue_dead_tasks() == {"requeued": 2, "failed": 1, "workers_forgotten": 0}
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[email.pk] == statuses[unknown_worker.pk] == TaskResultStatus.READY
    assert statuses[long_but_alive.pk] == statuses[just_claimed.pk] == TaskResultStatus.RUNNING
    assert statuses[crashes_its_worker.pk] == TaskResultStatus.FAILED
    failed = DBTaskResult.objects.get(pk=crashes_its_worker.pk)
    assert failed.exception_class_path == leases.DEAD_WORKER_ERROR and "died 5 times" in failed.traceback
    # requeued work is ready to be claimed at once, by any worker
    assert set(DBTaskResult.objects.ready().values_list("pk", flat=True)) == {email.pk, unknown_worker.pk}

    # idempotent: a second sweep changes nothing
    assert leases.requeue_dead_tasks() == {"requeued": 0, "failed": 0, "workers_forgotten": 0}
    # a worker not seen for a day is forgotten
    later = timezone.now() + timedelta(days=2)
    assert leases.requeue_dead_tasks(now=later)["workers_forgotten"] == 2
    assert "scheduler.requeue_dead_tasks" in {job.name for job in registry.jobs()}


# --- real worker processes on a throw-away SQLite database ------------------------------------------


def _env(home: Path) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        "CREDSTACK_HOME": str(home),
        "CREDSTACK_SECRET_KEY": "lease-test-secret-key-not-for-production-" + "x" * 20,
        "CREDSTACK_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "CREDSTACK_TASK_LEASE_SECONDS": str(LEASE),
    }


def _django(home: Path, code: str):
    script = f"import django, json\ndjango.setup()\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script], env=_env(home), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _worker(home: Path, worker_id: str) -> subprocess.Popen:
    args = ["db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload", "--worker-id", worker_id]
    return subprocess.Popen(
        [sys.executable, "-m", "django", *args],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


# Generous limits: they only stop a test that hangs; on a loaded machine a migrate alone took over 60 s.
def _wait_for(condition, what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _status(home: Path, task_id: str) -> list:
    """The task row's status and worker ids, read straight from the worker's SQLite file."""
    with closing(sqlite3.connect(home / "credstack.sqlite3", timeout=60)) as db:
        status, workers = db.execute(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?",
            [uuid.UUID(task_id).hex],
        ).fetchone()
    return [status, json.loads(workers)]


def _sweep(home: Path) -> dict:
    return _django(
        home,
        "from credstack.scheduler.leases import requeue_dead_tasks\nprint(json.dumps(requeue_dead_tasks()))",
    )


def test_a_task_whose_worker_is_killed_runs_again_to_completion_exactly_once(tmp_path):
    home, marks = tmp_path / "home", tmp_path / "marks"
    home.mkdir()
    marks.mkdir()
    migrated.copy_into(home)  # the migrate below finds it done (tests/migrated.py)
    _django(
        home,
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)\nprint(1)",
    )
    first = _worker(home, "worker-a")
    second = None
    try:
        task_id = _django(
            home,
            "from tests.scheduler.blocking_task import block_until_released\n"
            f"print(json.dumps(str(block_until_released.enqueue({str(marks)!r}).id)))",
        )
        _wait_for(lambda: len(_lines(marks / "started")) == 1, "the first worker to start the task")

        # the worker is alive: however long the task runs past its lease, the sweep leaves it alone
        time.sleep(LEASE * 1.5)
        assert _sweep(home)["requeued"] == 0
        assert _status(home, task_id) == ["RUNNING", ["worker-a"]]

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
        time.sleep(LEASE + 0.5)  # its heartbeat goes stale
        assert _sweep(home)["requeued"] == 1
        assert _sweep(home)["requeued"] == 0  # a second sweep (or a racing one) changes nothing
        assert _status(home, task_id) == ["READY", ["worker-a"]]

        (marks / "release").touch()
        second = _worker(home, "worker-b")
        _wait_for(lambda: _lines(marks / "done"), "the second worker to finish the task")
        _wait_for(lambda: _status(home, task_id)[0] == "SUCCESSFUL", "the task to be recorded as done")
        time.sleep(0.5)  # had it been queued twice, the worker would pick up the copy now

        assert _status(home, task_id) == ["SUCCESSFUL", ["worker-a", "worker-b"]]
        assert _lines(marks / "done") == [str(second.pid)]  # finished once, by the second worker
        assert _lines(marks / "started") == [str(first.pid), str(second.pid)]
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
