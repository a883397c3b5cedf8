"""``credstack serve`` stops when told, whatever its web server does (cli/serve.py ``wait_stopped``).

Granian's main process can hang for good when SIGTERM reaches it and its workers at once (a process
group's stop, a systemd unit's): its worker exits, and the main process waits for ever. ``credstack
serve`` then looped for ever too: its SIGTERM handler passed the signal on but its loop waited for a child
to exit. Real processes here: one that ignores SIGTERM and has no child left stands for that granian."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from credstack.cli import serve

# a process that ignores SIGTERM, says so by writing its pid to a file, then sleeps (a hung granian: no worker left)
IGNORES_SIGTERM = (
    "import os, pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "pathlib.Path(sys.argv[1]).write_text(str(os.getpid())); time.sleep(600)"
)
# the same with a child of its own that exits when told (a granian whose worker finishes its requests)
BUSY_WITH_CHILD = (
    "import pathlib, signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "pathlib.Path(sys.argv[1]).write_text('ready'); time.sleep(600)"
)


def _start(code: str, ready: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, str(ready)])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the stand-in process did not start"
        time.sleep(0.02)
    return proc


def test_a_web_server_left_without_workers_is_killed_soon_not_after_the_grace(tmp_path):
    hung = _start(IGNORES_SIGTERM, tmp_path / "ready")
    hung.terminate()  # ignored, as by a granian that hangs
    started = time.monotonic()
    serve.wait_stopped(hung, [], grace=60, hung=0.5)
    took = time.monotonic() - started
    assert hung.returncode == -signal.SIGKILL
    assert took < 30, f"waited {took:.1f} s for a process with nothing left to stop"


def test_a_web_server_still_finishing_requests_gets_its_grace_and_then_is_killed(tmp_path):
    busy = _start(BUSY_WITH_CHILD, tmp_path / "ready")
    [child] = serve.child_pids(busy.pid) or [None]
    assert child is not None
    busy.terminate()
    started = time.monotonic()
    serve.wait_stopped(busy, [], grace=1.5, hung=0.2)
    # it had a worker: not taken for hung, waited for the whole grace, then killed, nothing left behind
    assert time.monotonic() - started >= 1.5
    assert busy.returncode == -signal.SIGKILL
    os.kill(child, signal.SIGKILL)  # its orphaned stand-in worker (granian's own die with their parent)


def test_the_task_worker_is_given_its_grace_even_without_children(tmp_path):
    web = subprocess.Popen([sys.executable, "-c", "pass"])
    worker = _start(IGNORES_SIGTERM, tmp_path / "ready")  # finishing a task: no children, not hung
    worker.terminate()
    started = time.monotonic()
    serve.wait_stopped(web, [worker], grace=1, hung=0.2)
    assert time.monotonic() - started >= 1
    assert worker.returncode == -signal.SIGKILL and web.returncode == 0


@pytest.fixture
def sigterm_handler_restored():
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def test_serve_ends_on_sigterm_when_its_web_server_hangs(tmp_path, monkeypatch, sigterm_handler_restored):
    ready = tmp_path / "ready"
    monkeypatch.setattr(
        serve, "web_command", lambda *args: [sys.executable, "-c", IGNORES_SIGTERM, str(ready)]
    )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()

    def stop_when_ready():
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd or Kubernetes stops it
        # had serve not ended by the grace, it would wait for ever: its stand-in web server is killed,
        # which ends serve's loop and fails the test below instead of hanging the suite
        time.sleep(serve.STOP_GRACE + 5)
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(ready.read_text()), signal.SIGKILL)

    threading.Thread(target=stop_when_ready, daemon=True).start()
    started = time.monotonic()
    assert serve.cmd_serve(argparse.Namespace(web_only=True)) == 0
    assert time.monotonic() - started < serve.STOP_GRACE, "serve waited out the grace for a hung server"
