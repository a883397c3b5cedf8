"""With REDIS_URL: tasks wait in Redis (RQ), each on the queue of its kind of work; `credstack worker --queues`
works the queues it is given (on Redis and on the database alike); /metrics and /readyz read Redis; rate
limits are shared through Redis by separate processes (decision 0047). A real redis-server throughout."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import redis
from prometheus_client.parser import text_string_to_metric_families

from tests import migrated
from tests.redisserver import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "redis-queues-metrics-token-0123456789"

# Run in a child with the home's environment: one credential issued (its email goes to the email queue)
# and one bulk job confirmed (the bulk queue). Prints the task backend and the credential's delivery id.
QUEUE_WORK = """
import json, django
django.setup()
from django.conf import settings
from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import issue_credential
from credstack.organizations.actions import create_organization
from credstack.organizations.actors import Actor
from credstack.outbox.actions import dispatch_due
from credstack.workspace import bulk
org = create_organization(slug="rq", name="RQ Academy", url="https://rq.example", email="c@rq.example")
ach = create_achievement(organization=org, slug="a", name="A", description="d", criteria_narrative="c")
actor = Actor.command_line("test")
cred = issue_credential(achievement=ach, recipient_name="Ada", recipient_email="ada@example.org", actor=actor)
dispatch_due()
job = bulk.prepare_job(organization=org, achievement=ach, filename="a.csv",
                       data=b"name,email\\r\\nBo,bo@example.org\\r\\n", kind="text/csv", actor=actor)
bulk.start_job(job, actor=actor)
print(json.dumps({"backend": settings.TASKS["default"]["BACKEND"], "job": job.public_id}))
"""


def environment(home: Path, redis_url: str | None, port: int = 8000) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        "CREDSTACK_HOME": str(home),
        "CREDSTACK_SECRET_KEY": "redis-queues-secret-" + "x" * 40,
        "CREDSTACK_BASE_URL": f"http://127.0.0.1:{port}",
        "CREDSTACK_METRICS_TOKEN": TOKEN,
        "CREDSTACK_LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run(env: dict, *argv: str, code: str | None = None) -> str:
    args = [sys.executable, "-c", code] if code else [sys.executable, "-m", "credstack.cli", *argv]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def prepared_home(tmp_path: Path, redis_url: str | None, port: int = 8000, **extra: str) -> tuple[dict, dict]:
    home = tmp_path / "home"
    home.mkdir()
    env = {**environment(home, redis_url, port), **extra}
    migrated.copy_into(home)  # the migrate below finds it done (tests/migrated.py)
    run(env, "manage", "migrate", "-v0")
    info = json.loads(run(env, code=QUEUE_WORK).strip().splitlines()[-1])
    return env, info


def state(env: dict) -> dict:
    """The emails' and bulk jobs' states, read straight from the home's SQLite database: polled every
    0.3 s while a worker runs, where a Django process per look cost ~1 s of CPU each."""
    database = Path(env["CREDSTACK_HOME"]) / migrated.NAME
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as db:
        return {
            "emails": sorted(row[0] for row in db.execute("SELECT state FROM delivery_delivery")),
            "jobs": sorted(row[0] for row in db.execute("SELECT state FROM workspace_bulkjob")),
        }


def start(env: dict, log: Path, *argv: str) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "credstack.cli", *argv],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def wait_until(condition, what: str, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)
    return value


def lengths(redis_url: str) -> dict[str, int]:
    client = redis.Redis.from_url(redis_url)
    return {
        name: client.llen(f"rq:queue:{name}") for name in ("default", "bulk", "email", "webhooks", "pdfs")
    }


def test_each_kind_of_work_waits_in_redis_on_its_own_queue_and_a_worker_takes_only_its_queues(
    tmp_path, redis_url
):
    env, info = prepared_home(tmp_path, redis_url, CREDSTACK_PDFS_AHEAD="1")
    assert info["backend"] == "django_tasks_rq.RQBackend"
    queued = lengths(redis_url)
    assert (queued["email"], queued["bulk"], queued["pdfs"], queued["webhooks"]) == (1, 1, 1, 0), queued
    assert state(env) == {"emails": ["queued"], "jobs": ["queued"]}

    log = tmp_path / "worker.log"
    worker = start(env, log, "worker", "--queues", "email")
    try:
        wait_until(lambda: state(env)["emails"] == ["sent"], "the email worker to send the email", log)
        mail = list((tmp_path / "home" / "mail").glob("*.log"))
        assert mail and "ada@example.org" in mail[0].read_text()
        time.sleep(1)  # had it taken the bulk job too, it would have started it by now
        assert state(env)["jobs"] == ["queued"]  # not its queue: still waiting
        assert lengths(redis_url)["bulk"] == 1
    finally:
        stop(worker)
    assert "queues email (Redis through RQ)" in log.read_text()

    bulk_log = tmp_path / "bulk-worker.log"
    bulk_worker = start(env, bulk_log, "worker", "--queues", "bulk,default")
    try:
        wait_until(lambda: state(env)["jobs"] == ["done"], "the bulk worker to run the job", bulk_log)
        # the job's own credential email went to the email queue, which no worker is working now
        wait_until(
            lambda: lengths(redis_url)["email"] == 1, "the bulk job's email on the email queue", bulk_log
        )
    finally:
        stop(bulk_worker)


def test_the_database_queue_keeps_the_queues_apart_too(tmp_path):
    env, info = prepared_home(tmp_path, None)
    assert info["backend"] == "django_tasks_db.DatabaseBackend"
    log = tmp_path / "worker.log"
    worker = start(env, log, "worker", "--queues", "email")
    try:
        wait_until(lambda: state(env)["emails"] == ["sent"], "the email worker to send the email", log)
        time.sleep(1.5)  # had it taken the bulk job too, it would have started it by now
        assert state(env)["jobs"] == ["queued"]
    finally:
        stop(worker)
    assert "queues email (the database queue)" in log.read_text()


def test_a_worker_refuses_a_queue_that_does_not_exist(tmp_path, redis_url):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "worker", "--queues", "bulk,pdf"],
        env=environment(home, redis_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--queues: no queue 'pdf': the queues are default, bulk, email, webhooks, pdfs" in done.stderr


def test_help_says_what_each_role_runs():
    serve = run(environment(Path("/nonexistent"), None), "serve", "--help")
    assert "--web-only" in serve and "without the in-process task worker" in " ".join(serve.split())
    worker = " ".join(run(environment(Path("/nonexistent"), None), "worker", "--help").split())
    assert "--queues QUEUE,..." in worker and "bulk: bulk issuance" in worker


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def queue_lengths(body: str) -> dict[str, float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "credstack_queue_length":
                found[sample.labels["queue"]] = sample.value
                assert sample.labels["backend"] == "redis"
    return found


def test_a_web_only_node_reports_the_redis_queues_and_checks_redis(tmp_path, redis_url):
    port = free_port()
    env, _ = prepared_home(tmp_path, redis_url, port)
    log = tmp_path / "serve.log"
    web = start(env, log, "serve", "--web-only")
    try:
        wait_until(lambda: _answers(port), "the web node", log)
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and "redis: ok (reachable)" in body, body
        status, body = get(f"http://127.0.0.1:{port}/metrics", TOKEN)
        assert status == 200, body
        # web only: nobody takes the tasks, and every queue is reported (0 when empty)
        assert queue_lengths(body) == {"bulk": 1, "default": 0, "email": 1, "pdfs": 0, "webhooks": 0}
        assert "credstack_queue_workers" in body
        redis.Redis.from_url(redis_url).delete("rq:queue:email")  # what /metrics says follows Redis
        assert queue_lengths(get(f"http://127.0.0.1:{port}/metrics", TOKEN)[1])["email"] == 0
    finally:
        stop(web)
    assert "rq.worker" not in log.read_text()  # no worker was started beside it


def _answers(port: int) -> bool:
    try:
        return get(f"http://127.0.0.1:{port}/livez")[0] == 200
    except OSError:
        return False


RATE = """
import json, sys, django
django.setup()
from credstack import ratelimit
limit = ratelimit.Limit("test-shared", 3, 600)
out = []
for _ in range(int(sys.argv[1])):
    try:
        ratelimit.hit(limit, "198.51.100.7")
        out.append("ok")
    except ratelimit.Limited as exc:
        out.append("limited " + exc.wait)
print(json.dumps(out))
"""


def test_rate_limits_are_counted_in_redis_across_processes(tmp_path, redis_url):
    home = tmp_path / "home"
    home.mkdir()
    env = environment(home, redis_url)

    def hits(n: int) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", RATE, str(n)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert hits(2) == ["ok", "ok"]
    # another process (another node) sees the first one's two hits: one left, then refused
    assert hits(2) == ["ok", "limited in 10 minutes"]
    assert any(key.startswith(b"credstack:") for key in redis.Redis.from_url(redis_url).keys("*rl*"))
