"""The fault harness: real credstack processes on loopback, a throw-away home, clients, and kill -9.

A ``Template`` is a migrated home with an organization (``probe setup``), made once per database; every
run copies it (SQLite: the folder; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``) and starts from there.
A ``Run`` starts ``credstack serve --no-worker`` (gunicorn) and ``credstack worker`` in their own process
groups, so ``kill -9`` of a group is the death of that web server or worker with everything it runs.
"""

from __future__ import annotations

import contextlib
import csv
import email
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from http.client import HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from credstack.cli.serve import child_pids
from tests import migrated

ROOT = Path(__file__).resolve().parents[2]
ORG = "faults"
SECRET = "fault-harness-secret-key-not-for-production-" + "x" * 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str, timeout: float) -> object:
    """Poll ``condition`` until it returns something true; a clear message after a generous timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


# ------------------------------------------------------------------ the webhook receiver


class Receiver:
    """A loopback HTTP server that records every webhook delivery (``webhook-id``, type, credential)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {}
                with receiver.lock:
                    receiver.seen.append(
                        {
                            "id": self.headers.get("webhook-id"),
                            "type": data.get("type"),
                            "credential": (data.get("data") or {}).get("id"),
                        }
                    )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()

    def take(self) -> list[dict]:
        with self.lock:
            seen, self.seen = self.seen, []
        return seen

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ homes


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _pg(admin_url: str, sql: str) -> None:
    import psycopg  # PostgreSQL runs only: the driver is loaded when one is used

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


class Template:
    """A migrated home with the organization, API key, endpoints and pathway (``probe setup``)."""

    def __init__(self, base: Path, receiver: Receiver, admin_url: str | None) -> None:
        self.base, self.receiver, self.admin_url = base, receiver, admin_url
        self.port = free_port()  # one base URL for every run of this template: credentials carry it
        self.home = base / "template-home"
        self.home.mkdir(parents=True)
        self.database = f"faults_tpl_{uuid.uuid4().hex[:10]}" if admin_url else None
        # a copy of the run's migrated database: setup's migrate finds it done (tests/migrated.py)
        if admin_url:
            migrated.postgres_database(admin_url, self.database)
        else:
            migrated.copy_into(self.home)
        self.info = probe(self.env(self.home, self.database), "setup", receiver.url)

    def env(self, home: Path, database: str | None) -> dict:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home.parent),  # gunicorn's control socket goes under $HOME: one per run
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            # a child whose file writes are capped (full_disk) would leave truncated .pyc files behind
            # (CPython writes them with one unchecked write, then renames), breaking every later import
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "CREDSTACK_HOME": str(home),
            "CREDSTACK_SECRET_KEY": SECRET,
            "PORT": str(self.port),
            "CREDSTACK_BASE_URL": f"http://127.0.0.1:{self.port}",
            "CREDSTACK_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "CREDSTACK_TASK_LEASE_SECONDS": "4",
            "CREDSTACK_WEBHOOKS_ALLOW_PRIVATE": "1",
            "CREDSTACK_API_RATE": "1000000/m",
            "CREDSTACK_LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "2",
        }
        if self.admin_url and database:
            env["DATABASE_URL"] = _with_database(self.admin_url, database)
            env["CONN_MAX_AGE"] = "0"
        return env

    def drop(self) -> None:
        if self.admin_url:
            _pg(self.admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def probe(env: dict, command: str, *args: str, timeout: float = 300) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.probe", command, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"probe {command} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ processes


def full_disk(limit: int) -> Callable[[], None]:
    """A ``preexec_fn``: in the child, writes past ``limit`` bytes of a file fail with EFBIG."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death by signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def _copy(pipe, log: Path) -> None:
    with open(log, "ab") as out:
        for line in pipe:
            out.write(line)
            out.flush()


def descendants(pid: int) -> set[int]:
    """Every process under ``pid``: its children, theirs, and so on (Linux ``/proc``)."""
    found, todo = set(), [pid]
    while todo:
        for child in child_pids(todo.pop()) or ():
            found.add(child)
            todo.append(child)
    return found


class Proc:
    """One of credstack's commands in its own process group (its log appended to ``log``)."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen | None = None
        self.kills = 0

    def start(self, file_size_limit: int | None = None) -> Proc:
        """Start it; with ``file_size_limit`` every write past that many bytes of any file fails with
        EFBIG in it (RLIMIT_FSIZE, SIGXFSZ ignored): a full disk, without root. Its output then goes
        through a pipe (the log file is a file too)."""
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "credstack.cli", *self.argv],
                env=self.env,
                cwd=ROOT,
                stdout=out if file_size_limit is None else subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 reaches gunicorn's workers too
                preexec_fn=None if file_size_limit is None else full_disk(file_size_limit),
            )
        if file_size_limit is not None:
            threading.Thread(target=_copy, args=(self.popen.stdout, self.log), daemon=True).start()
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """kill -9 of everything the command runs, as a crash of its machine would: the process group this
        harness started (its id is the child's pid) and every process under it (``credstack serve`` starts
        granian and its worker in process groups of their own)."""
        if self.popen is None:
            return
        under = descendants(self.popen.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        for pid in under:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(timeout=60)
        self.kills += 1

    def stop(self) -> None:
        if self.running:
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=30)


class Run:
    """One throw-away home copied from the template, with its web server and worker."""

    def __init__(self, template: Template, name: str) -> None:
        self.template = template
        self.dir = template.base / name
        self.home = self.dir / "home"
        shutil.copytree(template.home, self.home)
        self.database = None
        if template.admin_url:
            self.database = f"faults_{name}_{uuid.uuid4().hex[:8]}".lower()
            _pg(template.admin_url, f'CREATE DATABASE "{self.database}" TEMPLATE "{template.database}"')
        self.env = template.env(self.home, self.database)
        self.base_url = self.env["CREDSTACK_BASE_URL"]
        self.web = Proc("web", ["serve", "--no-worker"], self.env, self.dir / "web.log")
        self.worker = Proc("worker", ["worker"], self.env, self.dir / "worker.log")

    def start_web(self, file_size_limit: int | None = None) -> None:
        self.web.start(file_size_limit)
        wait_for(self.healthy, f"the web server on {self.base_url} (log: {self.web.log})", timeout=120)

    def healthy(self) -> bool:
        if not self.web.running:
            raise AssertionError(
                f"the web server exited (log: {self.web.log}):\n{self.web.log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(self.base_url + "/healthz", timeout=5) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def probe(self, command: str, *args: str) -> dict:
        return probe(self.env, command, *args)

    def emails(self) -> list[str]:
        """The ``X-Credstack-Delivery`` token of every email written by the file backend."""
        tokens = []
        for path in sorted((self.home / "mail").glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    tokens.append(email.message_from_bytes(chunk).get("X-Credstack-Delivery"))
        return tokens

    def close(self) -> None:
        self.web.stop()
        self.worker.stop()
        if self.database:
            _pg(self.template.admin_url or "", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


# ------------------------------------------------------------------ clients


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    """(status, parsed JSON or text); raises OSError when there is no answer (the server died)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except HTTPException as exc:  # the server died half-way through its answer
        raise OSError(f"broken answer: {exc!r}") from exc
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def bulk_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "email"])
        writer.writerows(rows)
    return path
