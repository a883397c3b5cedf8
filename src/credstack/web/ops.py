"""What an operator's machines ask of a running credstack: ``/livez``, ``/readyz`` and ``/metrics``.

``OpsMiddleware`` answers them near the top of the middleware list, before the ``Host`` header is checked
(a load balancer or Kubernetes probes the pod's address, which ``ALLOWED_HOSTS`` does not name), before
sessions, users and the page cache. ``/healthz`` stays what it was (a plain "ok" from the URL map).

- ``/livez``: the process answers. No database, no cache: a database outage must not make an orchestrator
  restart every web process.
- ``/readyz``: this process can serve: the database answers and has every migration applied, the cache
  answers, files can be written (or the deployment is read-only, ``CREDSTACK_READ_ONLY``), and Redis answers
  when ``REDIS_URL`` is set. 200 with one line a check, or 503 naming what failed.
- ``/metrics``: Prometheus text (``credstack_queue_length{queue}``: tasks waiting per queue, from Redis with
  ``REDIS_URL``, else from the database). Never public: allowed with ``Authorization: Bearer $CREDSTACK_METRICS_TOKEN``
  or from a client address in ``CREDSTACK_METRICS_NETWORKS`` (the real client: behind a trusted proxy, the
  address it forwards); with neither set, nobody (404). Decision 0044.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4  # what every Prometheus reads

from credstack import metrics, ratelimit, taskqueues
from credstack.credentials.models import Credential
from credstack.delivery.models import Delivery
from credstack.outbox.models import OutboxEntry
from credstack.ui.storage import storage_failure
from credstack.webhooks.models import WebhookDelivery

log = logging.getLogger(__name__)

PATHS = ("/livez", "/readyz", "/metrics")


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        _allowed_networks()  # a malformed CREDSTACK_METRICS_NETWORKS fails at start-up, not on a scrape

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == "/livez":
            return livez(request)
        if path == "/readyz":
            return readyz(request)
        if path == "/metrics":
            return metrics_view(request)
        return self.get_response(request)


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


def livez(request: HttpRequest) -> HttpResponse:
    return _text("ok\n")


# ---------------------------------------------------------------------------------------------- readiness

_migrated: set[str] = set()  # once every migration is applied it stays so until new code (a new process)


def check_database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if DEFAULT_DB_ALIAS not in _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise RuntimeError(f"{len(plan)} migration(s) not applied (run `credstack manage migrate`)")
        _migrated.add(DEFAULT_DB_ALIAS)
    return "reachable, migrated"


def check_cache() -> str:
    key = f"credstack:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)
    return "reachable"


def check_storage() -> str:
    if getattr(settings, "CREDSTACK_READ_ONLY", False):
        return "read-only (declared)"
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    bucket = getattr(default_storage, "bucket_name", None)
    return f"S3 bucket {bucket}, writable" if bucket else "writable"


def check_redis() -> str:
    import redis  # optional: installed with the Redis cache (`pip install credstack[redis]`)

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "reachable"


def readiness() -> list[tuple[str, bool, str]]:
    checks = [("database", check_database), ("cache", check_cache), ("storage", check_storage)]
    if getattr(settings, "REDIS_URL", ""):
        checks.append(("redis", check_redis))
    results = []
    for name, check in checks:
        try:
            results.append((name, True, check()))
        except Exception as exc:  # a failed check is the answer, not an error of this view
            log.warning("readiness: %s failed: %s", name, exc)
            why = storage_failure(exc)  # a storage failure in words (S3: endpoint down, no bucket, denied)
            detail = f"{why}; {type(exc).__name__}: {exc}" if why else f"{type(exc).__name__}: {exc}"
            results.append((name, False, detail.splitlines()[0][:300]))
    return results


def readyz(request: HttpRequest) -> HttpResponse:
    results = readiness()
    ready = all(ok for _, ok, _ in results)
    lines = [f"{name}: {'ok' if ok else 'FAILED'} ({detail})" for name, ok, detail in results]
    return _text(("ready\n" if ready else "not ready\n") + "\n".join(lines) + "\n", 200 if ready else 503)


# ------------------------------------------------------------------------------------------------ metrics


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    entries = getattr(settings, "CREDSTACK_METRICS_NETWORKS", [])
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def metrics_allowed(request: HttpRequest) -> bool | None:
    """True: may scrape; False: refused; None: metrics are not enabled at all (no token, no networks)."""
    token = getattr(settings, "CREDSTACK_METRICS_TOKEN", "")
    networks = _allowed_networks()
    if not token and not networks:
        return None
    if token:
        offered = request.META.get("HTTP_AUTHORIZATION", "")
        if offered.startswith("Bearer ") and hmac.compare_digest(
            offered.removeprefix("Bearer ").strip().encode(), token.encode()
        ):
            return True
    if networks:
        client = ratelimit.client_ip(request)
        if client is not None:
            address = ipaddress.ip_address(client)
            if any(address.version == net.version and address in net for net in networks):
                return True
    return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed = metrics_allowed(request)
    if allowed is None:
        return _text("Not Found\n", 404)
    if not allowed:
        response = _text("metrics need the bearer token or an allowed network\n", 401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(metrics.process_registry()) + queue_figures() + database_figures()
    response = HttpResponse(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response


def queue_figures() -> bytes:
    """``credstack_queue_length`` and friends, per queue, counted at every scrape (they are what an
    autoscaler reads, and cheap: one LLEN per queue on Redis, one GROUP BY on the database queue)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector())
    return generate_latest(registry)


class QueueCollector:
    """Tasks waiting per queue (every configured queue, 0 when empty), from Redis when tasks go there
    (decision 0047), else from the database queue. The same on every node: aggregate with ``max()``."""

    def describe(self):
        return []

    def collect(self):
        length = GaugeMetricFamily(
            "credstack_queue_length",
            "Tasks waiting for a worker, by queue (bulk, email, webhooks, pdfs, default): what an "
            "autoscaler reads to size each worker pool.",
            labels=["queue", "backend"],
        )
        if taskqueues.on_redis():
            yield from self._redis(length)
            return
        counts = dict(
            DBTaskResult.objects.ready().values_list("queue_name").annotate(n=Count("id")).order_by()
        )
        for name in _configured_queues():
            length.add_metric([name, "database"], counts.get(name, 0))
        yield length

    def _redis(self, length):
        import django_rq  # only with REDIS_URL: the RQ backend's packages
        from rq import Worker  # only with REDIS_URL: the RQ backend's packages

        running = GaugeMetricFamily(
            "credstack_queue_running", "Tasks a worker is running, by queue (Redis).", labels=["queue"]
        )
        failed = GaugeMetricFamily(
            "credstack_queue_failed", "Tasks kept as failed, by queue (Redis).", labels=["queue"]
        )
        deferred = GaugeMetricFamily(
            "credstack_queue_scheduled",
            "Tasks waiting for their time (retries, periodic jobs), by queue (Redis).",
            labels=["queue"],
        )
        workers = GaugeMetricFamily(
            "credstack_queue_workers", "Workers listening on the queue (Redis).", labels=["queue"]
        )
        for name in _configured_queues():
            queue = django_rq.get_queue(name)
            length.add_metric([name, "redis"], queue.count)
            running.add_metric([name], queue.started_job_registry.count)
            failed.add_metric([name], queue.failed_job_registry.count)
            deferred.add_metric([name], queue.scheduled_job_registry.count)
            workers.add_metric([name], Worker.count(queue=queue))
        yield from (length, running, deferred, failed, workers)


def _configured_queues() -> list[str]:
    return sorted(settings.TASKS.get("default", {}).get("QUEUES") or taskqueues.ALL)


DATABASE_FIGURES_KEY = "credstack:metrics:database"


def database_figures() -> bytes:
    """The database figures as Prometheus text, counted at most once every
    ``CREDSTACK_METRICS_DATABASE_SECONDS`` (default 10) for all the nodes sharing the cache: a scrape of
    every web node at the same moment counts once (about 160 ms at 100,000 credentials on SQLite,
    ``benchmarks/metrics_scrape.py``)."""
    seconds = float(getattr(settings, "CREDSTACK_METRICS_DATABASE_SECONDS", 10))
    if seconds > 0 and (cached := cache.get(DATABASE_FIGURES_KEY)) is not None:
        return cached
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    figures = generate_latest(registry)
    if seconds > 0:
        cache.set(DATABASE_FIGURES_KEY, figures, timeout=seconds)
    return figures


class DatabaseCollector:
    """Figures counted from the database at scrape time: the same on every node, right with any number of
    web processes, workers and machines (decision 0044). Use ``max()`` across nodes, not ``sum()``."""

    def describe(self):
        return []

    def collect(self):
        now = timezone.now()
        per_org = getattr(settings, "CREDSTACK_METRICS_PER_ORG", False)

        labels = ["organization", "source"] if per_org else ["source"]
        issued = CounterMetricFamily(
            "credstack_credentials_issued", "Credentials issued, by how they were asked for.", labels=labels
        )
        fields = ["organization__slug", "source"] if per_org else ["source"]
        for row in Credential.objects.values(*fields).annotate(n=Count("id")).order_by(*fields):
            issued.add_metric([str(row[f]) for f in fields], row["n"])
        yield issued

        queued = GaugeMetricFamily(
            "credstack_tasks_queued",
            "Tasks waiting for a worker (ready to run now), by queue and task: what an autoscaler reads.",
            labels=["queue", "task"],
        )
        failed = GaugeMetricFamily(
            "credstack_tasks_failed",
            "Task results recorded as failed, by queue and task.",
            labels=["queue", "task"],
        )
        running = GaugeMetricFamily(
            "credstack_tasks_running", "Tasks a worker is running, by queue.", labels=["queue"]
        )
        oldest_task = GaugeMetricFamily(
            "credstack_tasks_oldest_queued_seconds",
            "Age of the oldest task ready to run, by queue.",
            labels=["queue"],
        )
        ready = DBTaskResult.objects.ready()
        for row in ready.values("queue_name", "task_path").annotate(n=Count("id")).order_by():
            queued.add_metric([row["queue_name"], row["task_path"]], row["n"])
        for row in ready.values("queue_name").annotate(oldest=Min("enqueued_at")).order_by():
            oldest_task.add_metric([row["queue_name"]], max(0.0, (now - row["oldest"]).total_seconds()))
        for row in (
            DBTaskResult.objects.failed().values("queue_name", "task_path").annotate(n=Count("id")).order_by()
        ):
            failed.add_metric([row["queue_name"], row["task_path"]], row["n"])
        for row in DBTaskResult.objects.running().values("queue_name").annotate(n=Count("id")).order_by():
            running.add_metric([row["queue_name"]], row["n"])
        yield from (queued, oldest_task, running, failed)

        backlog = GaugeMetricFamily(
            "credstack_outbox_pending",
            "Side effects committed and not yet done, by kind and consumer.",
            labels=["kind", "consumer"],
        )
        oldest = GaugeMetricFamily(
            "credstack_outbox_oldest_pending_seconds",
            "Age of the oldest pending side effect, by kind and consumer.",
            labels=["kind", "consumer"],
        )
        gave_up = GaugeMetricFamily(
            "credstack_outbox_failed",
            "Side effects whose retries are over, by kind and consumer.",
            labels=["kind", "consumer"],
        )
        pending = OutboxEntry.objects.filter(state=OutboxEntry.State.PENDING)
        for row in (
            pending.values("kind", "consumer").annotate(n=Count("id"), first=Min("created_at")).order_by()
        ):
            backlog.add_metric([row["kind"], row["consumer"]], row["n"])
            oldest.add_metric([row["kind"], row["consumer"]], max(0.0, (now - row["first"]).total_seconds()))
        outbox_failed = OutboxEntry.objects.filter(state=OutboxEntry.State.FAILED)
        for row in outbox_failed.values("kind", "consumer").annotate(n=Count("id")).order_by():
            gave_up.add_metric([row["kind"], row["consumer"]], row["n"])
        yield from (backlog, oldest, gave_up)

        webhooks = GaugeMetricFamily(
            "credstack_webhook_deliveries",
            "Outbound webhook deliveries by state (pending, succeeded, failed: gave up).",
            labels=["state"],
        )
        for row in WebhookDelivery.objects.values("state").annotate(n=Count("id")).order_by():
            webhooks.add_metric([row["state"]], row["n"])
        yield webhooks

        emails = GaugeMetricFamily(
            "credstack_emails",
            "Credential emails by state (queued, retrying, sent, opened, clicked, failed) and kind.",
            labels=["state", "kind"],
        )
        for row in Delivery.objects.values("state", "kind").annotate(n=Count("id")).order_by():
            emails.add_metric([row["state"], row["kind"]], row["n"])
        yield emails

        scrape = GaugeMetricFamily(
            "credstack_metrics_scrape_timestamp_seconds", "When these database figures were counted."
        )
        scrape.add_metric([], time.time())
        yield scrape
