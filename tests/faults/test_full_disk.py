"""A full disk (issue 11): writes past a size fail with EFBIG in the process under test (RLIMIT_FSIZE, no
root needed), on a home whose SQLite database lives in it.

- a bulk run on a disk that fills up part way stops with a clear message; no committed row is reported
  failed; run again once there is space, every learner has one credential, emailed;
- the web server on a full disk answers a write with a clear 507 (the API: a problem document) and logs
  the traceback; no partial PDF is served, then or later; the same request once space is freed issues
  the credential once;
- after the sweeps every guarantee of the kill runs holds (``chaos.check``).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .chaos import Seen, check
from .harness import ORG, ROOT, Run, bulk_csv, full_disk, http, wait_for

ROWS = 30

# the processes it starts reach the suite's database (DATABASE_URL): on PostgreSQL too (tests/databases.py)
pytestmark = pytest.mark.database


def _pdf(run: Run, cid: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"{run.base_url}/c/{cid}.pdf", timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _whole_pdf(body: bytes) -> bool:
    return body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


def test_a_full_disk_fails_writes_clearly_and_loses_nothing(sqlite_template):
    run = Run(sqlite_template, "disk")
    run.env["CREDSTACK_BULK_CHUNK"] = "3"  # batches small enough for the disk to fill between two of them
    sqlite_template.receiver.take()
    learners = bulk_csv(
        run.dir / "learners.csv", [(f"Disk {i}", f"disk{i}@example.org") for i in range(ROWS)]
    )
    bulk = [sys.executable, "-m", "credstack.cli", "bulk-issue", "--org", ORG, "--achievement", "course"]
    database = run.home / "credstack.sqlite3"
    try:
        # 1. a bulk run while the disk fills up: the database (and its write-ahead log) may grow ~1.2 MB
        full = subprocess.run(
            [*bulk, str(learners)],
            env=run.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=full_disk(database.stat().st_size + 1_200_000),
        )
        said = full.stderr.strip().splitlines()[-1]
        assert full.returncode == 1, full.stderr[-3000:]
        assert said.startswith("credstack: bulk job ") and "disk" in said and "Resume" in said, full.stderr[
            -3000:
        ]
        stored = run.probe("collect")
        issued_before = [c for c in stored["credentials"] if c["source"] == "bulk"]
        assert 0 < len(issued_before) < ROWS, f"the disk did not fill part way: {len(issued_before)} issued"
        held = {c["recipient_email"] for c in stored["credentials"]}
        reported_failed = [r for r in stored["bulk_rows"] if r["outcome"] == "failed" and r["email"] in held]
        assert not reported_failed, f"committed rows reported failed: {reported_failed}"

        # 2. the web server on a full disk (nothing can be written): a write is refused clearly
        run.worker.start()
        run.start_web(file_size_limit=4096)  # room for a temporary-folder probe, not for a page of data
        headers = {
            "Authorization": f"Bearer {sqlite_template.info['api_key']}",
            "Content-Type": "application/json",
            "Idempotency-Key": "disk-full-1",
        }
        body = json.dumps(
            {"achievement": "course", "recipient": {"name": "Api Disk", "email": "api.disk@example.org"}}
        )
        status, answer = http("POST", run.base_url + "/api/v1/credentials", body.encode(), headers)
        assert status == 507, (status, answer)
        assert answer["title"] == "Insufficient storage" and "disk" in answer["detail"], answer
        # the log reaches its file through a pipe and a copying thread: the answer can come back first
        try:
            wait_for(
                lambda: "Traceback" in (log := run.web.log.read_text()) and "/api/v1/credentials" in log,
                "the traceback of the refused write in the web server's log",
                timeout=30,
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}:\n{run.web.log.read_text()[-3000:]}") from None
        some = issued_before[0]["public_id"]
        status, pdf = _pdf(run, some)
        assert (status == 200 and _whole_pdf(pdf)) or status >= 500, (status, pdf[:200], pdf[-50:])
        run.web.stop()

        # 3. space freed: the same request issues once; the PDF is whole; the bulk run is run again
        run.start_web()
        status, answer = http("POST", run.base_url + "/api/v1/credentials", body.encode(), headers)
        assert status == 201, (status, answer)
        seen = Seen(api={"disk-full-1": answer["id"]})
        seen.api_answers["disk-full-1"].add(answer["id"])
        status, pdf = _pdf(run, some)
        assert status == 200 and _whole_pdf(pdf), (status, pdf[:200], pdf[-50:])
        results = run.dir / "results.csv"
        again = subprocess.run(
            [*bulk, str(learners), "--results", str(results)],
            env=run.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert again.returncode == 0, again.stderr[-3000:]
        with open(results, newline="") as fh:
            seen.bulk_results = list(csv.DictReader(fh))

        # the sweeps, then a fresh worker drains the queue
        run.worker.kill()
        run.probe("sweep")
        run.worker.start()
        state = run.probe("settle", "120")
        emails, hooks = run.emails(), sqlite_template.receiver.take()
    finally:
        run.web.stop()
        run.worker.stop()
    failures = check(seen, state, emails, hooks, state["left"], [[("disk-full-1", "", "")]], [])
    course = {c["recipient_email"] for c in state["credentials"] if c["achievement__slug"] == "course"}
    failures += [
        f"disk{i}@example.org has no credential" for i in range(ROWS) if f"disk{i}@example.org" not in course
    ]
    run.close()
    assert not failures, "after a full disk:\n  " + "\n  ".join(failures[:60])
