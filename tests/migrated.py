"""A migrated SQLite database for the processes a test starts in a home of its own (decision 0046's
companion: issue 10's suite time).

Such a child runs ``migrate`` before it serves or works: 69 migrations, ~5 s of CPU each time (minutes on a
busy machine). ``copy_into(home)`` puts a copy of a database migrated once per test run into the home first,
so the child's own ``migrate`` (which still runs: the code path a deployment takes) finds nothing to do.
Tests whose subject is migrating or creating the database file (tests/security/test_state_files.py,
the migration tests) do not use it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "credstack.sqlite3"  # the default database of a home (credstack.config.settings)


def template() -> Path:
    """The migrated database, made by the first process that asks (under a lock): the test run's home
    is shared by pytest-xdist's processes, so one migration serves them all."""
    base = Path(os.environ.get("CREDSTACK_HOME") or tempfile.gettempdir()) / "migrated-template"
    base.mkdir(exist_ok=True)
    database = base / NAME
    with (base / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / "done").exists():
            home = base / "home"
            home.mkdir(exist_ok=True)
            env = {
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": str(ROOT / "src"),
                "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
                "CREDSTACK_HOME": str(home),
            }
            done = subprocess.run(
                [sys.executable, "-m", "credstack.cli", "manage", "migrate", "-v0"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,  # a hang limit: on a machine at load 20 a migrate took over 120 s
            )
            assert done.returncode == 0, done.stderr
            with closing(sqlite3.connect(home / NAME)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the one file
            shutil.copyfile(home / NAME, database)
            (base / "done").touch()
    return database


def copy_into(home: Path) -> None:
    shutil.copyfile(template(), home / NAME)
