"""The 1EdTech Open Badges 2.0 validator in a virtualenv of its own (``.venv-openbadges``).

Created on first use with ``pip install openbadges==1.1.2`` (its pinned pycryptodome is upgraded: the
old one does not build on Python 3.11). Fails, never skips, when that is impossible."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-openbadges"
PY = VENV / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "run_validator.py"


def _ready() -> bool:
    return (
        PY.exists()
        and subprocess.run([str(PY), str(RUNNER), "--check"], capture_output=True, timeout=60).returncode == 0
    )


@pytest.fixture(scope="session")
def ob2_validator() -> Path:
    with open(REPO / ".venv-openbadges.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _ready():
            steps = [
                [sys.executable, "-m", "venv", str(VENV)],
                [str(PY), "-m", "pip", "install", "--quiet", "openbadges==1.1.2"],
                [str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pycryptodome>=3.20"],
            ]
            for step in steps:
                proc = subprocess.run(step, capture_output=True, text=True, timeout=900)
                if proc.returncode != 0 and "pycryptodome" not in " ".join(step):
                    pytest.fail(
                        f"cannot install the OB 2.0 validator: {' '.join(step)}\n{proc.stderr[-3000:]}"
                    )
            if not _ready():
                pytest.fail("the openbadges validator does not import in .venv-openbadges")
    return PY
