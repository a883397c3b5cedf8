"""Bytes stored per credential, beyond the shared design assets (issue 12 target: ≤ 10 KB).

    .venv/bin/python benchmarks/stored_bytes.py [--count 2000] [--download] [--endorsed]

Issues ``--count`` credentials through the pipeline (a batch per 200, as bulk issuance does; delivery,
webhooks and pathways' outbox consumers run), then measures what the database and the file storage grew
by, per credential, table by table: every table and its indexes (SQLite: the ``dbstat`` table of pages
in use; PostgreSQL: ``pg_total_relation_size``, after VACUUM), and every file written (the local media
folder, or the S3 bucket through Django's storage). ``--download``: also fetch each credential's PDF and
PNG once, as a visitor would (files a first download leaves behind count). Temporary CREDSTACK_HOME;
SQLite unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import os
import tempfile


def _sqlite_sizes(connection) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute("SELECT name, SUM(pgsize - unused) FROM dbstat GROUP BY name")
        rows = cur.fetchall()
        cur.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('index', 'table') AND tbl_name != name"
        )
        owner = dict(cur.fetchall())
    sizes: dict[str, int] = {}
    for name, used in rows:
        table = owner.get(name, name)
        sizes[table] = sizes.get(table, 0) + int(used or 0)
    return sizes


def _postgres_sizes(connection) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        return {name: int(size) for name, size in cur.fetchall()}


def _files(storage, folder: str = "") -> dict[str, int]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return {}
    sizes = {f"{folder}{f}": storage.size(f"{folder}{f}") for f in files}
    for sub in folders:
        sizes.update(_files(storage, f"{folder}{sub}/"))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--download", action="store_true")
    parser.add_argument(
        "--endorsed",
        action="store_true",
        help="endorse the achievement and the issuer first: every credential carries both (decision 0062)",
    )
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    import logging

    logging.getLogger("credstack").setLevel(logging.WARNING)
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import IssueRequest, issue_credentials
    from credstack.credentials.models import Credential
    from credstack.organizations.actions import create_organization

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute", url="https://bench.example")
    achievement = create_achievement(
        organization=org,
        slug="python-basics",
        name="Python Basics",
        description="Six lessons on Python, from variables to classes.",
        criteria_narrative="Pass every quiz with 80% or more.",
    )
    if args.endorsed:
        from credstack.endorsements.actions import endorse, request_endorsement  # only with --endorsed

        for target in ("achievement", "issuer"):
            asked = request_endorsement(org, target=target, achievement=achievement, actor="benchmark")
            endorse(
                asked.token,
                name="Institute of Data Engineers",
                url="https://ide.example",
                comment="A rigorous course: every learner we hired with this badge could write Python on day one.",
            )
    issue_credentials(
        [IssueRequest(achievement=achievement, recipient_name="Warm Up", recipient_email="w@x.org")]
    )
    sizes = _sqlite_sizes if connection.vendor == "sqlite" else _postgres_sizes
    db0, files0 = sizes(connection), _files(default_storage)
    done = 0
    while done < args.count:
        batch = min(200, args.count - done)
        issue_credentials(
            [
                IssueRequest(
                    achievement=achievement,
                    recipient_name=f"Learner Número {done + i}",
                    recipient_email=f"learner{done + i}@example.org",
                    merge_fields={"score": str(60 + i % 40), "cohort": "Spring 2026"},
                )
                for i in range(batch)
            ]
        )
        done += batch
    if args.download:
        client = Client()
        for public_id in Credential.objects.values_list("public_id", flat=True)[1:]:
            for ext in ("pdf", "png"):
                response = client.get(f"/c/{public_id}.{ext}", HTTP_HOST="127.0.0.1")
                assert response.status_code == 200, (public_id, ext, response.status_code)
    db1, files1 = sizes(connection), _files(default_storage)
    grew = {t: db1.get(t, 0) - db0.get(t, 0) for t in db1}
    new_files = {name: size for name, size in files1.items() if name not in files0}
    per = args.count
    print(
        f"database: {connection.vendor}; credentials: {args.count:,}; downloads: {args.download}; "
        f"endorsed: {args.endorsed}"
    )
    print("per credential, by table (bytes, tables and their indexes):")
    for table, grown in sorted(grew.items(), key=lambda kv: -kv[1]):
        if grown > 0:
            print(f"  {table:45} {grown / per:8.0f}")
    db_total = sum(g for g in grew.values() if g > 0) / per
    file_total = sum(new_files.values()) / per
    by_folder: dict[str, int] = {}
    for name, size in new_files.items():
        by_folder[name.split("/")[0]] = by_folder.get(name.split("/")[0], 0) + size
    print(f"database: {db_total:.0f} bytes per credential")
    print(
        f"files: {file_total:.0f} bytes per credential ({len(new_files)} files"
        + "".join(f"; {k}/ {v / per:.0f}" for k, v in sorted(by_folder.items()))
        + ")"
    )
    print(
        f"total: {db_total + file_total:.0f} bytes = {(db_total + file_total) / 1024:.1f} KB per credential"
    )
    sample = Credential.objects.order_by("-id").first()
    print(f"one signed document: {len(sample.document.encode()):,} bytes")


if __name__ == "__main__":
    main()
