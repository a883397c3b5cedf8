"""``credstack serve`` as an operator runs it: the web server chosen by benchmarks/serve.py (granian), on a
loopback port, over a real home; and the same with that home read-only (issue 11: issued credentials
still verify online, writes fail with a clear message, errors are logged with their traceback)."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests import migrated
from tests.faults.harness import descendants

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import issue_credential
from credstack.organizations.actions import create_organization
org = create_organization(slug="acme", name="Acme Academy", url="https://acme.example")
a = create_achievement(organization=org, slug="data", name="Data Basics", description="d", criteria_narrative="c")
c = issue_credential(achievement=a, recipient_name="Ada Lovelace", recipient_email="ada@example.org")
get_user_model().objects.create_user("ops", "ops@acme.example", "a-long-password-1234")
print(json.dumps({"id": c.public_id, "list": c.status_list.public_id, "document": c.document}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, port: int) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        "CREDSTACK_HOME": str(home),
        "CREDSTACK_BASE_URL": f"http://127.0.0.1:{port}",
        "CREDSTACK_EMAIL_VERIFICATION": "none",
        "PORT": str(port),
    }


def _prepare(home: Path, port: int) -> dict:
    # a migrating child: the limit is for a hang (on a machine at load 20 a migrate took over 120 s)
    home.mkdir()
    migrated.copy_into(home)  # SETUP's migrate finds it done (tests/migrated.py)
    done = subprocess.run(
        [sys.executable, "-c", SETUP], env=_env(home, port), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _start(command: list[str], home: Path, port: int, log: Path, session: bool = False) -> subprocess.Popen:
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, env=_env(home, port), stdout=out, stderr=subprocess.STDOUT, start_new_session=session
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("credstack serve did not answer:\n" + log.read_text())


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _get(url: str, opener=None) -> tuple[int, dict, str]:
    """Status, headers (lower-case names) and the body as text (bytes that are not UTF-8 replaced)."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=30) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    return status, {k.lower(): v for k, v in headers.items()}, body.decode(errors="replace")


def _state(html: str) -> str:
    return html.split('data-state="', 1)[1].split('"', 1)[0]


SERVE = [sys.executable, "-m", "credstack.cli", "serve", "--no-worker"]


def test_credstack_serve_runs_granian_and_answers_the_credential_page(tmp_path):
    port = _free_port()
    made = _prepare(tmp_path / "home", port)
    proc = _start(SERVE, tmp_path / "home", port, tmp_path / "serve.log")
    try:
        _get(f"http://127.0.0.1:{port}/c/{made['id']}")  # starts the credential's cache generation
        status, headers, html = _get(f"http://127.0.0.1:{port}/c/{made['id']}")
        assert status == 200 and _state(html) == "valid" and "Ada Lovelace" in html
        assert headers.get("server") == "granian"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/c/{made['id']}", headers={"If-None-Match": headers["etag"]}
        )
        assert _get_status(request) == 304
    finally:
        _stop(proc)
    log = (tmp_path / "serve.log").read_text()
    assert f'"GET /c/{made["id"]} HTTP/1.1" 200' in log  # granian's access log


def _get_status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _read_only(home: Path) -> list[str]:
    """The command that serves ``home`` read-only. As root, permissions do not stop a write: the home is
    bind-mounted read-only over itself in a private mount namespace (a real read-only file system, EROFS).
    Otherwise its files and folders lose their write permission (EACCES)."""
    if os.geteuid() == 0:
        mount = f"mount --bind {home} {home} && mount -o remount,bind,ro {home}"
        return ["unshare", "-m", "sh", "-c", f"{mount} && exec {' '.join(SERVE)}"]
    for path in [home, *home.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    return SERVE


def test_a_read_only_home_still_verifies_online_and_refuses_writes_clearly(tmp_path):
    port = _free_port()
    home = tmp_path / "home"
    made = _prepare(home, port)
    database = home / "credstack.sqlite3"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    command = _read_only(home)
    proc = _start(command, home, port, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(2):  # the second time too: nothing of the first (cache, view counts) breaks it
            status, _, html = _get(f"{base}/c/{made['id']}")
            assert status == 200 and _state(html) == "valid" and "Ada Lovelace" in html
        status, _, body = _get(f"{base}/c/{made['id']}.json")
        assert status == 200 and body == made["document"]
        status, _, body = _get(f"{base}/status/{made['list']}/revocation")
        assert status == 200 and json.loads(body)["type"][-1] == "BitstringStatusListCredential"
        status, _, body = _get(f"{base}/orgs/acme/did.json")
        assert status == 200 and json.loads(body)["id"].endswith(":orgs:acme")
        assert _get(f"{base}/c/{made['id']}.pdf")[0] == 200

        # signing in writes (the session, the last login, a rate-limit counter): a clear 503
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, _, html = _get(f"{base}/accounts/login/", opener)
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": "ops@acme.example", "password": "a-long-password-1234"}
        ).encode()
        try:
            with opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form), timeout=30) as r:
                status, html = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, html, retry = e.code, e.read().decode(), e.headers.get("Retry-After")
        assert status == 503 and retry
        assert "Read-only for now" in html and "Issued credentials can still be viewed and verified" in html
        # a JSON client is told the same in a problem document
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Accept": "application/json"}
        )
        try:
            opener.open(request, timeout=30)
            raise AssertionError("the sign-in was not refused")
        except urllib.error.HTTPError as e:
            assert e.code == 503 and json.loads(e.read())["title"] == "Read-only for now"
    finally:
        _stop(proc)
    log = (tmp_path / "serve.log").read_text()
    assert "cannot write: POST /accounts/login/ answered: the server's storage is read-only" in log
    assert "Traceback (most recent call last)" in log
    assert " 500" not in re.sub(r"\d+\.\d+$", "", log, flags=re.M)  # no request answered 500
    if os.geteuid() != 0:
        for path in [home, *home.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before  # nothing was written
    shutil.rmtree(home, ignore_errors=True)


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] != "Z":  # a zombie has ended
                    alive.add(pid)
        except FileNotFoundError:
            pass
    return alive


def test_ctrl_c_stops_serve_and_everything_it_started_and_so_does_its_death(tmp_path):
    """``make run``'s Ctrl-C (SIGINT to the terminal's process group): serve, granian and the worker end
    within seconds (granian's main process or a worker hung in 3 of 6 before they got a process group of
    their own), nothing left running; and serve killed outright (SIGKILL) takes them with it."""
    port = _free_port()
    home = tmp_path / "home"
    _prepare(home, port)
    command = [sys.executable, "-m", "credstack.cli", "serve"]  # with its worker
    for how in ("Ctrl-C", "SIGKILL"):
        proc = _start(command, home, port, tmp_path / "serve.log", session=True)
        started = descendants(proc.pid)
        assert len(started) >= 3, started  # granian's main process, its worker(s), the task worker
        began = time.monotonic()
        if how == "SIGKILL":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
        while _alive(started) and time.monotonic() - began < 20:
            time.sleep(0.1)
        left = _alive(started)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"{how}: still running after 20 s: {left}\n" + (tmp_path / "serve.log").read_text()
        assert how == "SIGKILL" or time.monotonic() - began < 10, (
            f"{how}: took {time.monotonic() - began:.1f} s"
        )
