"""A real Redis server for the tests that need one (decision 0047; no stand-in).

Under ``scripts/with-redis.sh`` (``make test``) the server it started is used (``REDIS_URL``), one logical
database per pytest-xdist process, emptied before each test. Without it (a single test run by hand) the
fixture starts its own throw-away ``redis-server`` on a free loopback port, as with-redis.sh does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_server() -> Iterator[str]:
    """A redis-server of its own on loopback, no persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("no redis-server: run scripts/system-deps.sh (apt-get install redis-server)")
    folder, port = tempfile.mkdtemp(prefix="credstack-redis-"), free_port()
    options = ["--save", "", "--appendonly", "no", "--loglevel", "warning"]
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", folder, *options],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def database_for_this_process(url: str) -> str:
    """``url`` with a logical database of this pytest-xdist process (gw0: 1, gw1: 2...), emptied."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    number = 1 + (int(worker) if worker.isdigit() else 0) % 15
    own = urlunsplit(urlsplit(url)._replace(path=f"/{number}"))
    redis.Redis.from_url(own).flushdb()
    return own
