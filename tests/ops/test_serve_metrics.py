"""/metrics under ``credstack serve``: granian's two worker processes, one figure (decision 0044)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests import migrated

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "serve-metrics-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(home: Path, port: int) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        "CREDSTACK_HOME": str(home),
        "CREDSTACK_SECRET_KEY": "serve-metrics-secret-" + "x" * 40,
        "CREDSTACK_BASE_URL": f"http://127.0.0.1:{port}",
        "CREDSTACK_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(home / "metrics"),
        "WEB_CONCURRENCY": "2",
        "PORT": str(port),
    }


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def healthz_count(port: int) -> float:
    status, body = get(f"http://127.0.0.1:{port}/metrics", TOKEN)
    assert status == 200, body
    total = 0.0
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "django_http_responses_total_by_status_view_method_total" and (
                sample.labels.get("view") == "healthz"
            ):
                total += sample.value
    return total


def test_every_scrape_sums_the_samples_of_both_web_processes(tmp_path):
    home, port = tmp_path / "home", free_port()
    home.mkdir()
    (home / "metrics").mkdir()
    (home / "metrics" / "counter_999999.db").write_bytes(b"left over from a previous run")
    env = environment(home, port)
    migrated.copy_into(home)  # the migrate below finds it done (tests/migrated.py)
    done = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "manage", "migrate", "-v0"],
        env=env,
        capture_output=True,
        timeout=600,  # a hang limit: a migrate on a machine as busy as load 20 took over 120 s
    )
    assert done.returncode == 0, done.stderr
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "credstack.cli", "serve", "--no-worker"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if get(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert not (home / "metrics" / "counter_999999.db").exists()  # a previous run's samples are gone

        before = healthz_count(port)
        for _ in range(40):  # a new connection each: granian hands them to either process
            assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        pids = {
            name.rsplit("_", 1)[-1] for name in os.listdir(home / "metrics") if name.startswith("counter_")
        }
        # whichever process answers the scrape, it reports all forty
        assert [healthz_count(port) - before for _ in range(10)] == [40.0] * 10
        assert len(pids) == 2, f"one process answered all forty: {pids}"  # both kept samples
        assert get(f"http://127.0.0.1:{port}/metrics")[0] == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
