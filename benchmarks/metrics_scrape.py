"""Cost of one ``/metrics`` scrape's database figures (``credstack.web.ops.DatabaseCollector``) by table size.

SQLite in a fresh home (or ``DATABASE_URL``): N credentials bulk-inserted (sources spread over six values),
N/10 outbox rows (half pending), N/10 email deliveries, N/10 task results; then the collector runs 10 times.
Run: ``PYTHONPATH=src python benchmarks/metrics_scrape.py 100000``; results in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main(n: int) -> None:
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp())
    os.environ.setdefault("CREDSTACK_SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django  # after the environment above: the settings read it once

    django.setup()
    from django.core.management import call_command  # after django.setup()
    from django.utils import timezone  # after django.setup()
    from django_tasks_db.models import DBTaskResult  # needs the models: after django.setup()
    from prometheus_client import CollectorRegistry, generate_latest  # with the collector below

    from credstack.achievements.actions import create_achievement  # needs the models: after django.setup()
    from credstack.credentials import status_lists  # needs the models: after django.setup()
    from credstack.credentials.models import Credential  # needs the models: after django.setup()
    from credstack.delivery.models import Delivery  # needs the models: after django.setup()
    from credstack.organizations.actions import create_organization  # needs the models: after setup
    from credstack.outbox.models import OutboxEntry  # needs the models: after django.setup()
    from credstack.web.ops import DatabaseCollector  # needs the models: after django.setup()

    call_command("migrate", verbosity=0)
    org = create_organization(slug="acme", name="Acme", url="https://acme.example", email="c@acme.example")
    ach = create_achievement(organization=org, slug="p", name="P", description="d", criteria_narrative="c")
    [(status_list, _)] = status_lists.allocate_slots(org, 1)
    now = timezone.now()
    sources = ["api", "bulk", "course", "cli", "form", "webhook"]
    started = time.perf_counter()
    for start in range(0, n, 5000):
        rows = [
            Credential(
                organization=org,
                achievement=ach,
                recipient_name="A",
                recipient_email=f"a{i}@example.org",
                document="{}",
                status_list=status_list,
                status_index=i + 1,
                issued_at=now,
                source=sources[i % len(sources)],
            )
            for i in range(start, min(n, start + 5000))
        ]
        Credential.objects.bulk_create(rows)
    first = Credential.objects.order_by("id").first()
    OutboxEntry.objects.bulk_create(
        OutboxEntry(
            kind="credential.issued",
            consumer=f"c{i % 4}",
            key=f"k{i}",
            next_attempt_at=now,
            state="pending" if i % 2 else "done",
        )
        for i in range(n // 10)
    )
    Delivery.objects.bulk_create(
        Delivery(organization=org, credential=first, to="a@example.org", state=["sent", "failed"][i % 2])
        for i in range(n // 10)
    )
    DBTaskResult.objects.bulk_create(
        DBTaskResult(
            task_path="x.y",
            args_kwargs={},
            backend_name="default",
            queue_name="default",
            run_after=now,
            status=["READY", "FAILED", "SUCCESSFUL"][i % 3],
        )
        for i in range(n // 10)
    )
    print(f"loaded {n} credentials in {time.perf_counter() - started:.1f} s")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    runs = []
    for _ in range(10):
        started = time.perf_counter()
        body = generate_latest(registry)
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    print(f"{n} credentials: scrape median {runs[5]:.1f} ms, worst {runs[-1]:.1f} ms, {len(body)} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
