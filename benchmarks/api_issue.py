"""One credential through the API: ``POST /api/v1/credentials``, server time per request (issue 12 target:
p50 ≤ 10 ms).

    .venv/bin/python benchmarks/api_issue.py [--count 300] [--profile 100]

The requests go straight into Django's WSGI handler in this process (the whole middleware stack, the API
key check, the idempotency layer, the pipeline, the JSON answer), without a socket or an HTTP parser:
what is timed is the server's own time for the request, from the WSGI call to the last byte of the body.
Every request issues a new credential (a new recipient). Temporary CREDSTACK_HOME; SQLite unless
DATABASE_URL is set; the API rate limit lifted (but counted); tasks queued in the database as `credstack
serve` does without REDIS_URL (``--tasks dummy``: to a dummy backend), never run here: the email is queued,
not sent. ``--cache-entries N``: the file cache holds N entries first (public pages cached by earlier
views). ``--queries``: the SQL of one request. ``--profile N``: then N more requests under cProfile, the
top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--tasks", choices=["database", "dummy"], default="database")
    parser.add_argument("--cache-entries", type=int, default=0)
    parser.add_argument("--idempotency", action="store_true", help="send an Idempotency-Key on every request")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one more request")
    args = parser.parse_args()

    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = (
        "django_tasks.backends.dummy.DummyBackend"
        if args.tasks == "dummy"
        else "django_tasks_db.DatabaseBackend"
    )
    os.environ["CREDSTACK_API_RATE"] = "1000000/m"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    import logging

    logging.getLogger("credstack").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    from credstack.achievements.actions import create_achievement
    from credstack.api.actions import create_api_key
    from credstack.organizations.actions import create_organization

    call_command("migrate", verbosity=0)
    if args.cache_entries:
        from django.core.cache import cache

        cache.set_many({f"bench-page-{i}": "<html>" * 50 for i in range(args.cache_entries)}, 3600)
    org = create_organization(slug="bench", name="Benchmark Institute")
    create_achievement(
        organization=org,
        slug="python-basics",
        name="Python Basics",
        description="Six lessons.",
        criteria_narrative="Pass every quiz.",
    )
    token = create_api_key(org, name="bench", scope="admin").secret
    handler = WSGIHandler()
    counter = iter(range(10**9))

    def one() -> float:
        n = next(counter)
        body = json.dumps(
            {
                "achievement": "python-basics",
                "recipient": {"name": f"Learner Número {n}", "email": f"learner{n}@example.org"},
            }
        ).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/credentials",
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "HTTP_ACCEPT": "application/json",
            **({"HTTP_IDEMPOTENCY_KEY": f"bench-{n}"} if args.idempotency else {}),
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        started = time.perf_counter()
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        took = time.perf_counter() - started
        if not status[0].startswith("201"):
            raise SystemExit(f"request {n}: {status[0]}")
        return took

    for _ in range(args.warmup):
        one()
    cpu0 = time.process_time()
    times = sorted(one() for _ in range(args.count))
    cpu = time.process_time() - cpu0
    ms = [t * 1000 for t in times]

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    load = os.getloadavg()
    print(
        f"tasks: {args.tasks}; Idempotency-Key: {'yes' if args.idempotency else 'no'}; file cache entries before: {args.cache_entries}; "
        f"database: {connection.vendor}; requests: {args.count} (after {args.warmup} warm-up); cores: {os.cpu_count()}"
    )
    print(f"load average (1 min) at the end: {load[0]:.1f}")
    print(
        f"server time per request: p50 {statistics.median(ms):.2f} ms, p90 {pct(0.9):.2f} ms, "
        f"p99 {pct(0.99):.2f} ms, min {ms[0]:.2f} ms; CPU {cpu / args.count * 1000:.2f} ms per request"
    )
    if args.tasks == "database":
        # what the requests left to a worker (decision 0068): their outbox dispatch tasks, run here now
        from django_tasks_db.models import DBTaskResult

        from credstack.outbox import actions as outbox

        handed = list(
            DBTaskResult.objects.filter(task_path="credstack.outbox.actions.dispatch_emitted").values_list(
                "args_kwargs", flat=True
            )
        )
        if handed:
            cpu0 = time.process_time()
            done = sum(outbox.dispatch_emitted.call(*job["args"]) for job in handed)
            cpu = time.process_time() - cpu0
            print(
                f"worker: {len(handed)} dispatch tasks, {done} consumer rows delivered; "
                f"CPU {cpu / len(handed) * 1000:.2f} ms per task"
            )
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        one()
    print(f"queries per request: {len(captured.captured_queries)}")
    if args.queries:
        for q in captured.captured_queries:
            print(f"  {q['time']} {q['sql'][:220]}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        profiler.enable()
        for _ in range(args.profile):
            one()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()
