"""The workspace's credential list at 1,000,000 rows: first page, a deep keyset page, filters, search.

    .venv/bin/python benchmarks/credential_list.py [--rows 1000000]

Fake rows are bulk-inserted straight into the table (they are not signed: the list never reads the
document); other organizations' rows are mixed in so every query must use the organization's indexes.
Times are medians of 20 runs of the same query the view makes (ORM, including model construction).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from credstack.achievements.actions import create_achievement
    from credstack.credentials import status_lists
    from credstack.credentials.models import Credential
    from credstack.organizations.actions import create_organization
    from credstack.workspace.queries import credential_page

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")
    other = create_organization(slug="other", name="Other")
    achievements = [
        create_achievement(
            organization=org, slug=f"a{i}", name=f"Course {i}", description="d", criteria_narrative="c"
        )
        for i in range(10)
    ]
    other_a = create_achievement(
        organization=other, slug="x", name="X", description="d", criteria_narrative="c"
    )
    [(sl, _)] = status_lists.allocate_slots(org, 1)
    [(osl, _)] = status_lists.allocate_slots(other, 1)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    batch, n = [], 0
    names = ["Ada Lovelace", "Grace Hopper", "محمد الفارسي", "王小明", "Ольга Петрова", "Alan Turing"]
    total = args.rows + args.rows // 10
    with transaction.atomic():
        for i in range(total):
            mine = i < args.rows
            batch.append(
                Credential(
                    organization=org if mine else other,
                    achievement=achievements[i % 10] if mine else other_a,
                    public_id=f"bench{i:012d}",
                    recipient_name=f"{names[i % len(names)]} {i}",
                    recipient_email=f"learner{i}@example.org",
                    document="{}",
                    state="revoked" if i % 97 == 0 else "suspended" if i % 89 == 0 else "active",
                    status_list=sl if mine else osl,
                    status_index=i,
                    issued_at=start + timedelta(seconds=i * 60),
                )
            )
            if len(batch) == 5000:
                Credential.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        Credential.objects.bulk_create(batch)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    load = time.perf_counter() - t0

    def timed(label, params):
        times = []
        for _ in range(20):
            s = time.perf_counter()
            page = credential_page(org, params)
            times.append(time.perf_counter() - s)
        print(f"  {label:<48} {statistics.median(times) * 1000:8.2f} ms  ({len(page.items)} rows)")
        return page

    print(
        f"database: {connection.vendor}; {args.rows:,} credentials in the organization (+{args.rows // 10:,} in another); loaded in {load:.0f} s"
    )
    first = timed("first page (newest first)", {})
    cursor = first
    for _ in range(200):
        cursor = credential_page(org, {"after": cursor.next_cursor})
    timed("page 201 (keyset cursor)", {"after": cursor.next_cursor})
    timed("oldest first", {"sort": "oldest"})
    timed("filter: achievement", {"achievement": achievements[3].public_id})
    timed("filter: state revoked", {"state": "revoked"})
    timed("filter: date range (one week)", {"from": "2024-01-10", "to": "2024-01-16"})
    timed("search: exact email", {"q": f"learner{args.rows // 2}@example.org"})
    timed("search: public id", {"q": f"bench{args.rows // 3:012d}"})
    timed("search: name fragment (common)", {"q": "hopper"})
    rare = args.rows - 7
    timed("search: name fragment (rare: one row)", {"q": f"{names[rare % len(names)].split()[-1]} {rare}"})
    whole = timed(
        "search: a whole name (its holder first)", {"q": f"{names[rare % len(names)]} {rare}".upper()}
    )
    assert len(whole.exact) == 1, whole.exact
    timed("search: a whole name's first word (common)", {"q": names[rare % len(names)].split()[0]})
    timed("search: name fragment matching nothing", {"q": "zzqx"})
    timed("search: 2 characters, common (no trigram)", {"q": "ол"})
    timed("search: 2 characters matching nothing (scan)", {"q": "zq"})
    timed("sort by name", {"sort": "name"})


if __name__ == "__main__":
    main()
