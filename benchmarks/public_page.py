"""Latency of a credential's public links: the page, the PDF, the baked PNG/SVG, the JSON.

    .venv/bin/python benchmarks/public_page.py [--requests 300]

Requests go through the whole Django stack (middleware, URL routing, views, templates, the database)
with Django's test client in this process — no network, one core. The page runs the full verification
(proof + both status lists) on every view; files are rendered on every request. Runs in a temporary
CREDSTACK_HOME (SQLite) so it never touches real data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from credstack.achievements.actions import create_achievement
    from credstack.credentials import engagement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute", url="https://bench.example")
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Foundations of Data Analysis",
        description="Six lessons.",
        criteria_narrative="Pass every quiz.",
        tags=["data"],
        alignments=[{"name": "Data analysis", "url": "https://example.org/skills/data"}],
    )
    credentials = [
        issue_credential(achievement=achievement, recipient_name=name, recipient_email=f"l{i}@example.org")
        for i, name in enumerate(
            ["Amélie Dubois-Fontaine", "محمد عبد الرحمن الفارسي", "王小明", "Анастасия Кузнецова"]
        )
    ]
    client = Client()
    from django.core.cache import cache
    from django.core.files.storage import default_storage

    from credstack.credentials import pagecache

    def no_report_cache():
        cache.clear()  # the page and its verification report (credentials/pagecache.py)
        pagecache.clear_local()

    def no_pdf_cache():
        if not default_storage.exists("certificates"):
            return  # PDFs are kept only with CREDSTACK_KEEP_CERTIFICATES=1: every download renders
        for name in default_storage.listdir("certificates")[1]:
            default_storage.delete(f"certificates/{name}")

    cases = [
        ("page /c/{id}", "", None),
        ("page, first view (full verification)", "", no_report_cache),
        ("PDF {id}.pdf", ".pdf", None),
        ("PDF, first download (rendered)", ".pdf", no_pdf_cache),
        ("PNG {id}.png (baked)", ".png", None),
        ("SVG {id}.svg (baked)", ".svg", None),
        ("JSON {id}.json", ".json", None),
        ("OB 2.0 {id}/ob2", "/ob2", None),
    ]
    print(f"database: {connection.vendor}; {args.requests} requests per case, warm")
    print("| link | p50 ms | p95 ms | req/s (one core) |")
    print("|---|---:|---:|---:|")
    for label, suffix, before in cases:
        for c in credentials:  # warm up: badge cache, fonts, contexts
            assert client.get(f"/c/{c.public_id}{suffix}").status_code == 200
        times = []
        start = time.perf_counter()
        for i in range(args.requests):
            c = credentials[i % len(credentials)]
            if before:
                before()
            t0 = time.perf_counter()
            response = client.get(f"/c/{c.public_id}{suffix}")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        total = time.perf_counter() - start
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"| {label} | {statistics.median(times):.2f} | {p95:.2f} | {args.requests / total:.0f} |")
    engagement.flush()


if __name__ == "__main__":
    main()
