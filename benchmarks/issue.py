"""End-to-end issuance through the Django pipeline, on the configured database (SQLite by default).

    .venv/bin/python benchmarks/issue.py [--count 500]

Each credential goes through the whole pipeline: validate, reserve a status slot, compose, sign,
verify what was signed, insert the row and its event (the email task is queued, not run).
Runs in a temporary CREDSTACK_HOME so it never touches real data.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()

    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Python Basics",
        description="Six lessons.",
        criteria_narrative="Pass every quiz.",
    )
    issue_credential(achievement=achievement, recipient_name="Warm Up", recipient_email="w@example.org")

    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(args.count):
        issue_credential(
            achievement=achievement,
            recipient_name=f"Learner Número {i}",
            recipient_email=f"learner{i}@example.org",
        )
    elapsed = time.perf_counter() - start
    cpu = (
        time.process_time() - cpu_start
    )  # this process's CPU time: steadier than the clock on a busy machine
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {connection.vendor}")
    print(
        f"issued {args.count} credentials one by one in {elapsed:.2f} s: "
        f"{args.count / elapsed:.0f}/s, {elapsed / args.count * 1000:.2f} ms each "
        f"(CPU {cpu / args.count * 1000:.2f} ms each); peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
