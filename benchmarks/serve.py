"""Requests per second and p99 latency of the public credential page under each web server setup, beside a
bare Django view measured in the same run (the machine is shared: the ratio is what compares runs).

    PYTHONPATH=src .venv/bin/python benchmarks/serve.py [--seconds 10] [--connections 32] [--setups a,b]

Needs ``wrk`` (apt ``wrk``) and, for the ASGI/granian setups, ``uvicorn`` and ``granian``. Each setup is
started with 2 processes (2 cores) on a loopback port over one temporary CREDSTACK_HOME (SQLite) holding a
few credentials; ``wrk -t2 -c32`` runs for each URL after a warm-up, keep-alive on. The page is fetched as
a stranger (no cookie), like most of its visitors: from the page cache (``credentials/pagecache.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = Path(os.environ.get("CREDSTACK_BENCH_SRC", HERE.parent / "src"))  # another checkout: a "before"
PY = sys.executable

SETUPS = {
    # what `credstack serve` ran before this benchmark: 2 workers x 4 threads
    "gunicorn-gthread": lambda port: [
        PY, "-m", "gunicorn", "credstack.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--threads", "4",
    ],
    "gunicorn-sync": lambda port: [
        PY, "-m", "gunicorn", "credstack.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2",
    ],
    "uvicorn-asgi": lambda port: [
        PY, "-m", "uvicorn", "credstack.config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2", "--no-access-log", "--log-level", "warning",
    ],
    "granian-wsgi": lambda port: [
        PY, "-m", "granian", "--interface", "wsgi", "credstack.config.wsgi:application", "--host",
        "127.0.0.1", "--port", str(port), "--workers", "2", "--blocking-threads", "1", "--log-level", "warning",
    ],
    "granian-wsgi-4threads": lambda port: [
        PY, "-m", "granian", "--interface", "wsgi", "credstack.config.wsgi:application", "--host",
        "127.0.0.1", "--port", str(port), "--workers", "2", "--blocking-threads", "4", "--log-level", "warning",
    ],
    "granian-asgi": lambda port: [
        PY, "-m", "granian", "--interface", "asgi", "credstack.config.asgi:application", "--host",
        "127.0.0.1", "--port", str(port), "--workers", "2", "--log-level", "warning",
    ],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(home: str) -> list[str]:
    """Migrate a fresh home and issue a few credentials; returns their public ids."""
    code = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import issue_credential
from credstack.organizations.actions import create_organization
org = create_organization(slug="bench", name="Benchmark Institute", url="https://bench.example")
a = create_achievement(organization=org, slug="a", name="Foundations of Data Analysis",
    description="Six lessons.", criteria_narrative="Pass every quiz.", tags=["data"])
for i in range(4):
    print(issue_credential(achievement=a, recipient_name=f"Learner {i}", recipient_email=f"l{i}@example.org").public_id)
"""
    out = subprocess.run([PY, "-c", code], env=env(home), check=True, capture_output=True, text=True).stdout
    return out.split()


def env(home: str) -> dict:
    return {
        **os.environ,
        "CREDSTACK_HOME": home,
        "CREDSTACK_LOG_LEVEL": "WARNING",
        "CREDSTACK_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{SRC}{os.pathsep}{HERE}",
        "CREDSTACK_BASE_URL": "http://127.0.0.1",
    }


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx count) from wrk's --latency output."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--setups", default=",".join(SETUPS))
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="credstack-serve-bench-")
    ids = prepare(home)
    print(
        f"{os.cpu_count()} cores; load: {os.getloadavg()[0]:.1f}; wrk -t2 -c{args.connections} -d{args.seconds}s"
    )
    print("| setup | /bare req/s | p99 ms | /c/{id} req/s | p99 ms | page / bare |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.setups.split(","):
        port = free_port()
        proc = subprocess.Popen(
            SETUPS[name](port), env=env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(f"{base}/bare", proc)
            page = f"{base}/c/{ids[0]}"
            for url in (f"{base}/bare", page):  # warm-up: imports, templates, the page cache
                wrk(url, 2, args.connections)
            bare_rps, bare_p99, bare_bad = wrk(f"{base}/bare", args.seconds, args.connections)
            page_rps, page_p99, page_bad = wrk(page, args.seconds, args.connections)
            assert not bare_bad and not page_bad, (bare_bad, page_bad)
            print(
                f"| {name} | {bare_rps:,.0f} | {bare_p99:.1f} | {page_rps:,.0f} | {page_p99:.1f} |"
                f" {page_rps / bare_rps:.0%} |",
                flush=True,
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
