"""Throughput of a scaled-out credstack beside the single-node default, in one run (issue 12, decision 0047).

- **multi-node**: two web nodes (`credstack serve --web-only`) and two workers (`credstack worker`) on
  PostgreSQL + Redis (tasks through RQ, a queue per kind), each process with a home of its own;
  `CREDSTACK_STORAGE_URL` is passed through when set (S3).
- **single node**: `make run`'s default: one `credstack serve` (web + its worker), SQLite, the database queue.

Each uploads the same CSV through the workspace like a person (sign in, upload, confirm) and reports the
seconds until the job's page says done (every row signed, its status entry, events, email queued) and
until the credential emails are sent (the email queue empty), as credentials a second.

    scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python benchmarks/multinode.py [--rows 10000]

(PostgreSQL and Redis come from DATABASE_URL and REDIS_URL; without them only the single node runs.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.multinode.cluster import Cluster, recipients_csv


def emails_left(cluster: Cluster) -> int:
    if cluster.redis_url:
        from redis import Redis  # Redis runs only: loaded when used
        from rq.registry import StartedJobRegistry  # Redis runs only: loaded when used

        connection = Redis.from_url(cluster.redis_url)
        running = StartedJobRegistry("email", connection=connection).count
        return int(connection.llen("rq:queue:email")) + running
    return int(cluster.probe("emails_left")["left"])


def run(name: str, cluster: Cluster, rows: int, start) -> dict:
    start(cluster)
    port = cluster.webs[0][1]
    client = cluster.client(port)
    data = recipients_csv(rows)
    began = time.monotonic()
    job = client.upload_csv(data)
    uploaded = time.monotonic() - began
    issued = client.wait_done(job, timeout=3600) + uploaded
    deadline = time.monotonic() + 1800
    while emails_left(cluster) and time.monotonic() < deadline:
        time.sleep(0.5)
    emailed = time.monotonic() - began
    load = os.getloadavg()[0]
    for proc in cluster.procs:
        proc.stop()
    return {
        "setup": name,
        "rows": rows,
        "upload_and_dry_run_s": round(uploaded, 1),
        "issued_s": round(issued, 1),
        "issued_per_s": round(rows / issued, 1),
        "emails_sent_s": round(emailed, 1),
        "load_average": round(load, 1),
    }


def multi(cluster: Cluster) -> None:
    cluster.start_web(2)
    cluster.start_worker()
    cluster.start_worker()


def single(cluster: Cluster) -> None:
    cluster.start_single()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("CREDSTACK_MULTINODE_ROWS", "10000")))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="credstack-multinode-") as tmp:
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            cluster = Cluster(
                Path(tmp) / "multi", os.environ["DATABASE_URL"], os.environ["REDIS_URL"], lease=120
            )
            try:
                results.append(run("2 web + 2 workers, PostgreSQL + Redis", cluster, args.rows, multi))
            finally:
                cluster.close()
        cluster = Cluster(Path(tmp) / "single", None, None, lease=120)
        try:
            results.append(run("1 node (serve), SQLite + database queue", cluster, args.rows, single))
        finally:
            cluster.close()
    for result in results:
        print(json.dumps(result))
    print(f"machine: {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
