"""/livez, /readyz, /healthz: what a load balancer and an orchestrator ask (credstack.web.ops)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def probe_in_a_fresh_process(tmp_path, path: str, **env: str) -> tuple[int, str]:
    """GET ``path`` in a new process configured by ``env`` (the settings read the environment once)."""
    script = f"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
django.setup()
from django.test import Client
response = Client().get({path!r}, HTTP_HOST="127.0.0.1")
print(response.status_code)
print(response.content.decode())
"""
    environment = {
        **os.environ,
        "PYTHONPATH": SRC,
        "CREDSTACK_HOME": str(tmp_path),
        "CREDSTACK_SECRET_KEY": "probe-test-secret-" + "x" * 40,
        **env,
    }
    if "DATABASE_URL" not in env:  # SQLite in tmp_path, whatever the suite runs on
        environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=environment
    )
    assert done.returncode == 0, done.stderr
    status, _, body = done.stdout.partition("\n")
    return int(status), body


def closed_loopback_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ready_when_database_cache_and_storage_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("ready\n")
    assert "database: ok (reachable, migrated)" in body
    assert "cache: ok (reachable)" in body
    assert "storage: ok (writable)" in body
    assert "redis" not in body  # no REDIS_URL: nothing to check
    assert response["Cache-Control"] == "no-store"


def test_a_read_only_deployment_is_ready_and_says_so(client, settings, db):
    settings.CREDSTACK_READ_ONLY = True
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "storage: ok (read-only (declared))" in response.content.decode()


def test_not_ready_when_the_database_is_unreachable(tmp_path):
    url = f"postgres://credstack:x@127.0.0.1:{closed_loopback_port()}/credstack?connect_timeout=3"
    status, body = probe_in_a_fresh_process(tmp_path, "/readyz", DATABASE_URL=url)
    assert status == 503
    assert body.startswith("not ready\n")
    assert "database: FAILED (OperationalError" in body
    assert "cache: ok" in body  # the other checks still run and say so


def test_not_ready_before_the_migrations_are_applied(tmp_path):
    status, body = probe_in_a_fresh_process(tmp_path, "/readyz")
    assert status == 503
    assert "migration(s) not applied" in body


def test_not_ready_when_redis_is_set_and_unreachable(tmp_path):
    port = closed_loopback_port()
    status, body = probe_in_a_fresh_process(
        tmp_path, "/readyz", REDIS_URL=f"redis://127.0.0.1:{port}/0", CREDSTACK_READ_ONLY="1"
    )
    assert status == 503
    assert "redis: FAILED (ConnectionError" in body
    assert "cache: FAILED" in body  # the cache is Redis too


def test_alive_without_a_database(tmp_path):
    """Liveness never touches the database: an outage must not get every web process restarted."""
    url = f"postgres://x:y@127.0.0.1:{closed_loopback_port()}/db"
    status, body = probe_in_a_fresh_process(tmp_path, "/livez", DATABASE_URL=url)
    assert (status, body.strip()) == (200, "ok")


def test_healthz_is_unchanged(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
