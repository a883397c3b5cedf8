"""Fixtures for the interop tests: a session-wide Node verifier (Digital Bazaar).

The ``node_verifier`` fixture installs ``interop/node_modules`` with ``npm ci`` when it is
missing or older than ``interop/package-lock.json``, and fails loudly (never skips) when
Node or npm are missing or the install fails: an interop test that silently does not run
proves nothing.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .verifier import INTEROP_DIR, NodeVerifier

DATA = Path(__file__).resolve().parent / "data"


def _node_modules_current() -> bool:
    installed = INTEROP_DIR / "node_modules" / ".package-lock.json"  # written by npm ci
    lock = INTEROP_DIR / "package-lock.json"
    return installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime


def ensure_node_modules() -> None:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the interop tests need Node 20+ (apt-get install nodejs npm)")
    if _node_modules_current():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH: cannot install interop/node_modules (npm ci)")
    # pytest-xdist workers share the folder: one `npm ci` at a time, and only if still needed.
    with open(INTEROP_DIR / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _node_modules_current():
            return
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=INTEROP_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if proc.returncode != 0:
        pytest.fail(
            f"`npm ci` in {INTEROP_DIR} failed (exit {proc.returncode}):\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def node_verifier() -> Iterator[NodeVerifier]:
    ensure_node_modules()
    verifier = NodeVerifier()
    try:
        yield verifier
    finally:
        verifier.close()


def load_json(relative: str) -> Any:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))
