"""A credstack deployment of several nodes on one machine, for the multi-node test and its benchmark
(``benchmarks/multinode.py``): web nodes (``credstack serve --web-only``) and workers (``credstack worker``),
each a real process with a home of its own, on one PostgreSQL database and one Redis. The storage setting
(``CREDSTACK_STORAGE_URL``, S3) is passed through when it is set; without it the nodes' media folders are
one shared folder (a network file system's stand-in), the only thing they share on disk.

A client signs in to the workspace like a person, uploads a CSV and confirms it (``upload_csv``), and follows
the job's progress; ``bulk_worker`` names the worker running the bulk job (from Redis, as ``rq info`` does).
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests import migrated
from tests.faults.harness import Proc, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SECRET = "multinode-secret-key-not-for-production-" + "x" * 20
PASSED_THROUGH = ("CREDSTACK_STORAGE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")


def pg(admin_url: str, sql: str) -> None:
    import psycopg  # PostgreSQL only: the driver is loaded when one is used

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def recipients_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email"])
    for n in range(rows):
        writer.writerow([f"Learner {n:05d}", f"learner{n:05d}@multinode.example"])
    return out.getvalue().encode()


class Cluster:
    def __init__(
        self,
        base: Path,
        admin_url: str | None,
        redis_url: str | None,
        lease: float = 3,
        extra: dict | None = None,
    ) -> None:
        self.base, self.admin_url, self.redis_url, self.extra = base, admin_url, redis_url, extra or {}
        self.database = f"multinode_{uuid.uuid4().hex[:10]}" if admin_url else None
        if admin_url:  # a copy of the run's migrated database: setup's migrate finds it done
            migrated.postgres_database(admin_url, self.database or "")
        self.lease = lease
        self.public_port = free_port()  # the base URL credentials carry (a load balancer's, in production)
        self.procs: list[Proc] = []
        self.webs: list[tuple[Proc, int]] = []
        self.workers: list[Proc] = []
        self.info = self.probe("setup")

    def env(self, name: str, port: int | None = None) -> dict:
        # nothing shared on local disk between nodes of the scaled-out shape; the single node (SQLite) is
        # one home, its database a file in it
        home = self.base / (name if self.admin_url else "single") / "home"
        home.mkdir(parents=True, exist_ok=True)
        in_s3 = os.environ.get("CREDSTACK_STORAGE_URL") or os.environ.get("CREDSTACK_TEST_STORAGE_URL")
        if self.admin_url and not in_s3 and not (home / "media").exists():
            # files on local disk (no object storage configured): the nodes share one folder, as they would
            # share a network file system; with CREDSTACK_STORAGE_URL (S3) nothing is shared on disk
            (self.base / "shared-media").mkdir(exist_ok=True)
            (home / "media").symlink_to(self.base / "shared-media")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home.parent),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
            "CREDSTACK_HOME": str(home),
            "CREDSTACK_SECRET_KEY": SECRET,
            "CREDSTACK_BASE_URL": f"http://127.0.0.1:{self.public_port}",
            "CREDSTACK_TASK_LEASE_SECONDS": str(self.lease),
            "CREDSTACK_LOG_LEVEL": "WARNING",
            "CREDSTACK_EMAIL_VERIFICATION": "none",
            "CREDSTACK_API_RATE": "1000000/m",
            "CONN_MAX_AGE": "60",
            "WEB_CONCURRENCY": "1",
            "PORT": str(port or 0),
        }
        if self.admin_url and self.database:
            parts = urlsplit(self.admin_url)
            env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.database))
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update({k: os.environ[k] for k in PASSED_THROUGH if os.environ.get(k)})
        if os.environ.get("CREDSTACK_TEST_STORAGE_URL") and self.admin_url:
            # the suite's bucket (scripts/with-s3.sh; tests/settings.py keeps it from the other tests), under
            # a folder of this cluster's own: every file of every node in object storage, none on disk
            parts = urlsplit(os.environ["CREDSTACK_TEST_STORAGE_URL"])
            folder = parts.path.rstrip("/") + "/" + (self.database or "single")
            env["CREDSTACK_STORAGE_URL"] = urlunsplit(parts._replace(path=folder))
        env.update(self.extra)
        return env

    def probe(self, command: str, *args: str, timeout: float = 1800) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "tests.multinode.probe", command, *args],
            env=self.env("probe"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"probe {command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    # ------------------------------------------------------------------ processes

    def start_web(self, count: int) -> None:
        for _ in range(count):
            name, port = f"web{len(self.webs) + 1}", free_port()
            proc = Proc(
                name, ["serve", "--web-only"], self.env(name, port), self.base / f"{name}.log"
            ).start()
            self.procs.append(proc)
            self.webs.append((proc, port))
        for proc, port in self.webs:
            wait_for(
                lambda p=port: self._ready(p), f"{proc.name} on port {port} (log {proc.log})", timeout=180
            )

    def _ready(self, port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as r:
                return r.status == 200
        except OSError:
            return False

    def start_single(self) -> None:
        """`make run`'s shape: one `credstack serve`, the web processes and a worker beside them."""
        port = free_port()
        proc = Proc("single", ["serve"], self.env("single", port), self.base / "single.log").start()
        self.procs.append(proc)
        self.webs.append((proc, port))
        wait_for(lambda: self._ready(port), f"credstack serve on port {port} (log {proc.log})", timeout=180)

    def start_worker(self, queues: str = "*") -> Proc:
        name = f"worker{len(self.workers) + 1}"
        proc = Proc(name, ["worker", "--queues", queues], self.env(name), self.base / f"{name}.log").start()
        self.procs.append(proc)
        self.workers.append(proc)
        return proc

    def queues_empty(self, *names: str) -> bool:
        """No task of these queues waiting or running (Redis)."""
        from redis import Redis  # Redis runs only: loaded when used
        from rq.registry import StartedJobRegistry  # Redis runs only: loaded when used

        connection = Redis.from_url(self.redis_url or "")
        return not any(
            connection.llen(f"rq:queue:{name}") or StartedJobRegistry(name, connection=connection).count
            for name in names
        )

    def close(self) -> None:
        for proc in self.procs:
            proc.stop()
        if self.admin_url:
            pg(self.admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log.read_text()[-2500:]}" for p in self.procs if p.log.exists())

    # ------------------------------------------------------------------ a person at the workspace

    def client(self, port: int) -> Client:
        return Client(f"http://127.0.0.1:{port}", self.info)

    def bulk_worker(self) -> Proc | None:
        """The worker running the bulk job now (RQ's worker registry in Redis: its pid and current job)."""
        from redis import Redis  # Redis runs only: loaded when used
        from rq import Worker  # Redis runs only: loaded when used
        from rq.registry import StartedJobRegistry  # Redis runs only: loaded when used

        connection = Redis.from_url(self.redis_url or "")
        running = set(StartedJobRegistry("bulk", connection=connection).get_job_ids())
        for worker in Worker.all(connection=connection):
            if worker.get_current_job_id() in running:
                return next((p for p in self.workers if p.popen and p.popen.pid == worker.pid), None)
        return None


class Client:
    """A signed-in owner's browser, without the browser: cookies, CSRF tokens, forms."""

    def __init__(self, base: str, info: dict) -> None:
        self.base, self.info = base, info
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/accounts/login/")
        self.post("/accounts/login/", {"login": info["email"], "password": info["password"]}, page)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as r:
            return r.read().decode()

    def _token(self, html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found, "no CSRF token in the page"
        return found.group(1)

    def post(self, path: str, fields: dict, page: str, files: dict | None = None) -> tuple[str, str]:
        """Submit a form of ``page``; (the final URL after redirects, its HTML)."""
        fields = {**fields, "csrfmiddlewaretoken": self._token(page)}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for key, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
                )
            body = "".join(parts).encode()
            for key, (filename, data, kind) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                        f"Content-Type: {kind}\r\n\r\n"
                    ).encode()
                    + data
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers={"Content-Type": content_type})
        with self.opener.open(request, timeout=600) as r:
            return r.geturl(), r.read().decode()

    def upload_csv(self, data: bytes) -> str:
        """Upload the CSV on the bulk page and confirm the dry run; the job's public id."""
        org = self.info["org"]
        page = self.get(f"/w/{org}/bulk/")
        url, html = self.post(
            f"/w/{org}/bulk/",
            {"achievement": self.info["achievement"]},
            page,
            files={"file": ("recipients.csv", data, "text/csv")},
        )
        job = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        assert f"/w/{org}/bulk/{job}" in url, f"the upload did not lead to its job: {url}\n{html[-2000:]}"
        self.post(f"/w/{org}/bulk/{job}/confirm", {}, html)
        return job

    def progress(self, job: str) -> tuple[str, int, int]:
        """(state, issued, to issue) as the job's page shows them."""
        html = self.get(f"/w/{self.info['org']}/bulk/{job}/progress")
        state = re.search(r"pill-(\w+)", html)
        counts = re.search(r"([\d,]+) of ([\d,]+) issued", html)
        assert state and counts, html[-1500:]
        return state.group(1), int(counts.group(1).replace(",", "")), int(counts.group(2).replace(",", ""))

    def wait_done(self, job: str, timeout: float) -> float:
        """Seconds until the job is done (its page says so)."""
        start = time.monotonic()
        wait_for(lambda: self.progress(job)[0] == "done", f"bulk job {job} to finish", timeout=timeout)
        return time.monotonic() - start
