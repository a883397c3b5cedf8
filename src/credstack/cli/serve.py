"""Running credstack: ``serve`` (the web app and a worker), ``worker`` (the task queues), ``mcp`` (the MCP
tools for an AI agent) and ``demo`` (the demo organization)."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from credstack import metrics, taskqueues

from .common import fail


def cmd_demo(args) -> int:

    from credstack.demo import seed_demo  # needs the models: after django.setup()

    call_command("migrate", verbosity=0, interactive=False)
    info = seed_demo()
    print(info)
    return 0


def cmd_worker(args) -> int:

    from credstack.organizations import signing  # needs the models: after django.setup()
    from credstack.outbox.actions import dispatch_due  # needs the models: after django.setup()
    from credstack.scheduler.actions import ensure_all  # needs the models: after django.setup()
    from credstack.scheduler.leases import requeue_dead_tasks  # needs the models: after django.setup()

    try:
        queues = taskqueues.parse(args.queues)
    except ValueError as exc:
        return fail(f"--queues: {exc}")
    print(requeue_dead_tasks(), flush=True)  # tasks left RUNNING by a worker that died go back to the queue
    dispatch_due()  # side effects whose committing process died before dispatching them (decision 0036)
    ensure_all()  # periodic jobs (expiry reminders...) queue their next run: no cron needed
    print(f"credstack worker: queues {', '.join(queues)} ({worker_kind()})", flush=True)
    try:
        _run_worker(queues)
    finally:
        signing.shutdown_pools()  # the bulk job's signing processes (decision 0066) end with the worker
    return 0


def _run_worker(queues: list[str]) -> None:
    if taskqueues.on_redis():
        # RQ takes from the queues in the order given; its scheduler moves deferred tasks (retries,
        # periodic jobs) onto their queue when due: one worker of the deployment holds its lock at a time
        # SimpleWorker: tasks run in the worker process itself, not in a process forked per task (a fork
        # per credential email costs more than the email; the lease sweep covers a worker that dies)
        connections.close_all()
        call_command(
            "rqworker",
            *queues,
            job_class="django_tasks_rq.Job",
            worker_class="rq.worker.SimpleWorker",
            with_scheduler=True,
            # a line per task at INFO (three per credential email): only when credstack logs at DEBUG
            verbosity=2 if os.environ.get("CREDSTACK_LOG_LEVEL", "").upper() == "DEBUG" else 0,
        )
    else:
        call_command("db_worker", queue_name=",".join(queues))


def cmd_mcp(args) -> int:
    from credstack.agents.server import build_server  # needs the models: after django.setup()
    from credstack.api.auth import ApiKeyAuth  # needs the models: after django.setup()

    key = os.environ.get("CREDSTACK_API_KEY", "").strip()
    if not key:
        return fail("set CREDSTACK_API_KEY to an organization's API key (credstack apikey create ...)")
    found = ApiKeyAuth().authenticate(argparse.Namespace(), key)
    if found is None:
        return fail("CREDSTACK_API_KEY is not a valid API key (revoked, or mistyped)")
    print(
        f"credstack MCP server for {found.organization.name}, as API key '{found.name}' "
        f"(scope {found.scope}), on standard input and output",
        file=sys.stderr,
    )
    build_server(key).run("stdio")
    return 0


def worker_kind() -> str:
    return "Redis through RQ" if taskqueues.on_redis() else "the database queue"


GRANIAN_LOG_CONFIG = Path(__file__).parents[1] / "web" / "granian_log.json"


def web_command(host: str, port: str | int, workers: str | int = 2) -> list[str]:
    """The web server ``credstack serve`` runs: granian, WSGI, one process a core, each running one
    request at a time while granian's Rust side holds the connections (keep-alive, slow clients).
    Chosen by measurement over gunicorn (sync and threaded) and ASGI servers: ``benchmarks/serve.py``,
    results in ``benchmarks/RESULTS.md``, decision 0038. The access log masks URL secrets (inbound webhook
    tokens...) through ``credstack.logmask`` (``web/granian_log.json``). Behind a TLS proxy,
    X-Forwarded-Proto is believed from ``CREDSTACK_TRUSTED_PROXIES`` only, by the app itself
    (``web.security.ForwardedProtoMiddleware``)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "credstack.config.wsgi:application",
        "--host",
        str(host),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        "1",
        "--respawn-failed-workers",
        "--access-log",
        "--log-config",
        str(GRANIAN_LOG_CONFIG),
    ]


def cmd_serve(args) -> int:

    port = os.environ.get("PORT", "8000")
    host = os.environ.get("CREDSTACK_BIND", "127.0.0.1")
    bind = f"{host}:{port}"
    web = web_command(host, port, os.environ.get("WEB_CONCURRENCY", "2"))
    # the web processes and the worker write their own metrics to one folder; a scrape sums them (0044)
    own_metrics_dir = ""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
            prefix="credstack-metrics-"
        )
    if not metrics.prepare_multiprocess_dir(os.environ["PROMETHEUS_MULTIPROC_DIR"]):
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]  # a full disk must not keep the pages from answering
    procs = [_start_child(web)]
    if not args.web_only:
        procs.append(_start_child([sys.executable, "-m", "credstack.cli", "worker"]))
    print(
        f"credstack is serving {settings.CREDSTACK_BASE_URL} (bound to {bind}); Ctrl-C stops it.", flush=True
    )

    stopping: list[int] = []

    def stop(*_):
        if stopping:  # once: a second SIGTERM is a second chance for granian's main process to hang
            return
        stopping.append(1)  # the loop below ends: the processes are waited for, and killed if they hang
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs):
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        wait_stopped(procs[0], procs[1:])
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
    return 0


def _start_child(command: list[str]) -> subprocess.Popen:
    """The web server or the worker, in a process group of its own: Ctrl-C in a terminal, or a SIGTERM
    to serve's process group, reaches serve alone, which passes one SIGTERM on. Granian stops its workers
    in order when its main process alone is told; told at the same moment as its workers, its main
    process or a worker sometimes hangs (3 of 6 Ctrl-Cs, 5 of 20 group stops), and RQ takes a second
    signal for "stop now, drop the task in hand". On Linux the child is sent SIGTERM should serve die
    without stopping it (killed with SIGKILL, say): nothing is left running in a group nobody stops."""
    return subprocess.Popen(
        command, process_group=0, preexec_fn=_stop_with_parent if sys.platform == "linux" else None
    )


def _stop_with_parent() -> None:
    """In the child, before it runs its program (Linux): SIGTERM when its parent dies (PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


STOP_GRACE = 25.0  # seconds for requests and tasks under way to finish: within Kubernetes' default 30 s
HUNG_AFTER = 1.0  # seconds granian's main process may live on once its last worker has gone


def child_pids(pid: int) -> set[int] | None:
    """The processes ``pid`` started that are still running (Linux ``/proc``); None where unknown."""
    found: set[int] = set()
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children") as fh:
                found.update(int(child) for child in fh.read().split())
    except (OSError, ValueError):
        return None
    return found


def wait_stopped(
    web: subprocess.Popen, others: list[subprocess.Popen], grace: float = STOP_GRACE, hung: float = HUNG_AFTER
) -> None:
    """Wait for the web server and the worker, sent SIGTERM, to finish what they are doing and exit; kill
    what is left after ``grace`` seconds, so that ``credstack serve`` never exits leaving a process behind.

    Granian's main process (2.8) sometimes never exits when SIGTERM reaches it and its workers at the same
    moment, as when a process group or a systemd unit is stopped: its worker stops, the log ends with
    "Unexpected exit from worker-1", and the main process waits on a lock for ever (5 of 20 such stops
    on a 2-core machine). One whose workers have all exited has nothing left to finish: after ``hung``
    seconds without one it is killed instead of waited for."""
    deadline = time.monotonic() + grace
    alone_since: float | None = None
    while time.monotonic() < deadline and any(p.poll() is None for p in (web, *others)):
        if web.poll() is None and child_pids(web.pid) == set():
            alone_since = alone_since or time.monotonic()
            if time.monotonic() - alone_since >= hung:
                web.kill()  # alone in its process group: nothing else to kill
        else:
            alone_since = None
        time.sleep(0.05)
    for proc in (web, *others):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # a child that leads no process group
                os.killpg(proc.pid, signal.SIGKILL)  # with its own children (granian's workers)
            proc.kill()
        proc.wait()


def add_parsers(sub) -> None:
    """The ``demo``, ``serve``, ``worker`` and ``mcp`` commands."""
    sub.add_parser("demo", help="migrate and seed the demo organization (idempotent)").set_defaults(
        func=cmd_demo
    )
    p = sub.add_parser(
        "serve",
        help="serve the web app (PORT, CREDSTACK_BIND, WEB_CONCURRENCY) and a task worker for every queue",
        description="Serve the web app with granian (WEB_CONCURRENCY processes on CREDSTACK_BIND:PORT) and, "
        "unless --web-only, one task worker in the same container working every queue: the whole of "
        "credstack on one machine.",
    )
    p.add_argument(
        "--web-only",
        "--no-worker",
        dest="web_only",
        action="store_true",
        help="serve the web app only, without the in-process task worker: a web node of a deployment "
        "whose workers run apart (`credstack worker`, tasks in Redis with REDIS_URL)",
    )
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser(
        "worker",
        help="run a task worker (tasks in Redis through RQ with REDIS_URL, else in the database)",
        description="Run tasks: from Redis through RQ when REDIS_URL is set, else from the database. "
        "Several workers, on several machines, may run at once; a task whose worker dies is taken back "
        "and run by another (decisions 0031, 0047).",
    )
    p.add_argument(
        "--queues",
        default="*",
        metavar="QUEUE,...",
        help=f"the queues to work, comma-separated, in order of preference: {', '.join(taskqueues.ALL)} "
        "(bulk: bulk issuance; email: credential emails and invitations; webhooks: webhooks, xAPI, LTI "
        "grades; pdfs: certificate PDFs; default: the rest). Default: every queue",
    )
    p.set_defaults(func=cmd_worker)
    sub.add_parser(
        "mcp",
        help="serve the MCP tools (issue, search, revoke, report) to an AI agent over standard input and "
        "output, as the API key in CREDSTACK_API_KEY (its organization, its scope)",
    ).set_defaults(func=cmd_mcp)
