"""Bulk issuance from a 10,000-row CSV, as the workspace and `credstack bulk-issue` do it: parse, dry run
(every row validated, duplicates and existing holders checked), then issue in chunks with status slots
reserved a block at a time. Temporary CREDSTACK_HOME; SQLite unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bulk.py [--rows 10000]

Reports credentials/s for the issuing phase and the whole job, and peak memory (RSS, and the Python
heap peak measured with tracemalloc in a separate pass over the dry run).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time


def make_csv(rows: int) -> bytes:
    names = [
        "Ada Lovelace",
        "محمد الفارسي",
        "王小明",
        "Ольга Петрова",
        "प्रिया शर्मा",
        "אביגיל בן-דוד",
        "Zoë O'Brien",
    ]
    lines = ["name,email,score,cohort"]
    for i in range(rows):
        lines.append(f"{names[i % len(names)]} {i},learner{i}@example.org,{60 + i % 40},Spring 2026")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    import logging

    logging.getLogger("credstack").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from credstack.achievements.actions import create_achievement
    from credstack.credentials.models import Credential
    from credstack.organizations.actions import create_organization
    from credstack.workspace import bulk
    from credstack.workspace.models import BulkJob

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Python Basics",
        description="Six lessons.",
        criteria_narrative="Pass.",
    )
    data = make_csv(args.rows)
    t0 = time.perf_counter()
    job = bulk.prepare_job(
        organization=org, achievement=achievement, filename="bench.csv", data=data, kind="text/csv"
    )
    t1 = time.perf_counter()
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.QUEUED)
    job = bulk.run_job(job.pk)
    t2 = time.perf_counter()
    assert job.issued == args.rows == Credential.objects.count(), (job.issued, job.failed)
    # the same file again: nothing issued twice
    again = bulk.prepare_job(
        organization=org, achievement=achievement, filename="bench.csv", data=data, kind="text/csv"
    )
    t3 = time.perf_counter()
    assert again.valid == 0 and Credential.objects.count() == args.rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {connection.vendor}; rows: {args.rows:,} ({len(data) / 1024:.0f} KB CSV)")
    print(f"dry run (parse + validate + store rows): {t1 - t0:.2f} s ({args.rows / (t1 - t0):,.0f} rows/s)")
    print(
        f"issuing: {t2 - t1:.2f} s = {job.issued / (t2 - t1):.0f} credentials/s ({(t2 - t1) / job.issued * 1000:.2f} ms each)"
    )
    print(f"whole job: {t2 - t0:.2f} s = {job.issued / (t2 - t0):.0f} credentials/s")
    print(f"re-upload of the same file (dry run finds all {args.rows:,} already issued): {t3 - t2:.2f} s")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
