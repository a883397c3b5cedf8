"""One migration per test run: a migrated database that every other database of the run is a copy of
(issue 10's suite time; decision 0070).

A ``migrate`` of the whole graph costs ~10 s of CPU (Django renders the model states of ~130 migrations;
minutes on a busy machine), and a test run made six or more: each pytest-xdist process's test database,
a home for the processes some tests start, the fault harness's and the multi-node test's databases. Now:

- The first pytest process to set up its test database migrates it as before (pytest-django, Django's
  ``create_test_db``), and it becomes the run's template (``template_from_database``): on SQLite a copy of
  the file, on PostgreSQL ``CREATE DATABASE … TEMPLATE`` of it. The other processes wait for it and start
  from a copy (``database_from_template``); Django's ``migrate`` still runs on every copy and finds nothing
  to do, so a migration missing from the template would still be applied, and ``makemigrations --check``,
  the migration tests and the children below keep migrating for real.
- ``copy_into(home)`` puts a copy into the home of a process a test starts (SQLite), and
  ``postgres_database(admin_url, name)`` makes a PostgreSQL database from it: the child's own ``migrate``
  (the code path a deployment takes) finds nothing to do.

The template has no content type or permission rows (tests/conftest.py leaves them out of the test
databases); a child's ``migrate`` creates them, as it does on a database migrated by an older version.
Tests whose subject is migrating or creating the database file (tests/security/test_state_files.py, the
migration tests) do not use it. Nothing here is kept between runs: the files live in the run's
``CREDSTACK_HOME`` and the PostgreSQL template is dropped when the run ends (``end_run``). ``make test``
alone hands its SQLite run's template to its PostgreSQL run (``HANDED_OVER``: a path in a folder it
makes for the one command and removes at its end), for the SQLite homes of that run.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
NAME = "credstack.sqlite3"  # the default database of a home (credstack.config.settings)
# `make test` only (a fresh path for each make test, removed at its end): the SQLite run copies its
# template there, and the PostgreSQL run's SQLite homes (the full-disk run's) start from it: the same
# checkout, one migration fewer.
HANDED_OVER = "CREDSTACK_TEST_SQLITE_TEMPLATE"


def _base() -> Path:
    """This run's folder, shared by its processes: pytest-xdist's processes inherit the controller's
    CREDSTACK_HOME (tests/settings.py) and CREDSTACK_TEST_RUN (``start_run``)."""
    run = os.environ.get("CREDSTACK_TEST_RUN", "")
    return Path(os.environ.get("CREDSTACK_HOME") or tempfile.gettempdir()) / f"migrated-template{run}"


def start_run() -> None:
    """In the controller, before its processes start: a folder of this run's own (a CREDSTACK_HOME set by
    hand outlives the run; a template left there by an earlier run would be of an older migration graph)."""
    os.environ.setdefault("CREDSTACK_TEST_RUN", "-" + uuid.uuid4().hex[:12])


def _pg(url: str, sql: str) -> None:
    import psycopg  # PostgreSQL runs only: the driver is loaded when one is used

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _sqlite_copy(source: Path | str, target: Path) -> None:
    """A consistent copy of a SQLite database (its write-ahead log included), written then renamed."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
    for extra in ("-wal", "-shm"):
        Path(f"{target}{extra}").unlink(missing_ok=True)
    os.replace(partial, target)


# ------------------------------------------------------------------ the pytest processes' test databases

_making: IO[str] | None = None  # the lock, held by the process making the template until it is made


def _is_sqlite(database: dict) -> bool:
    return str(database["ENGINE"]).endswith("sqlite3")


def database_from_template() -> bool:
    """Before pytest-django sets up this process's test database (the names already given their xdist
    suffix). When another process has made the template, this one's test database is made from it:
    SQLite, the file copied (True: pytest-django keeps it as it is and Django's ``migrate`` finds it
    done); PostgreSQL, ``TEST["TEMPLATE"]`` (Django's own ``CREATE DATABASE … TEMPLATE``). Otherwise this
    process migrates its test database as usual and makes the template of it: the others wait (False)."""
    global _making
    from django.conf import settings  # the test settings: after pytest-django configured Django

    database = settings.DATABASES["default"]
    base = _base()
    base.mkdir(exist_ok=True)
    lock = (base / "testdb.lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    made = (base / "testdb.done").read_text() if (base / "testdb.done").exists() else ""
    if not made:
        _making = lock  # released by template_from_database, or by this process's end if it fails first
        return False
    lock.close()
    if made == "sqlite" and _is_sqlite(database):
        _sqlite_copy(base / "testdb.sqlite3", Path(database["TEST"]["NAME"]))
        return True
    if made != "sqlite" and not _is_sqlite(database):
        database.setdefault("TEST", {})["TEMPLATE"] = made
    return False


def template_from_database() -> None:
    """After pytest-django set up the test database of the process that holds the lock: the template."""
    global _making
    if _making is None:
        return
    from django.conf import settings  # the test settings: after pytest-django configured Django
    from django.db import connection  # the test database's connection

    try:
        database = settings.DATABASES["default"]
        base = _base()
        test_name = database.get("TEST", {}).get("NAME")
        set_up = (
            str(database["NAME"]) == str(test_name) if test_name else database["NAME"].startswith("test_")
        )
        if not set_up:
            return  # no test database was set up (no test of this process reaches one): no template
        if _is_sqlite(database):
            _sqlite_copy(database["NAME"], base / "testdb.sqlite3")
            if os.environ.get(HANDED_OVER):
                _sqlite_copy(database["NAME"], Path(os.environ[HANDED_OVER]))
            (base / "testdb.done").write_text("sqlite")
        else:
            connection.close()  # a database with a connection open cannot be a template
            name = "credstack_migrated_" + hashlib.sha256(str(base).encode()).hexdigest()[:12]
            admin = os.environ["DATABASE_URL"]
            _pg(admin, f'DROP DATABASE IF EXISTS "{name}"')
            _pg(admin, f'CREATE DATABASE "{name}" TEMPLATE "{database["NAME"]}"')
            (base / "testdb.done").write_text(name)
    finally:
        _making.close()
        _making = None


def kept_copy() -> Path | None:
    """The SQLite copy this process was given (pytest-django leaves a kept database in place)."""
    from django.conf import settings  # the test settings: after pytest-django configured Django

    database = settings.DATABASES["default"]
    return Path(database["NAME"]) if _is_sqlite(database) else None


def end_run() -> None:
    """At the end of the run (the controller, once every process has finished): the templates go."""
    base = _base()
    made = (base / "testdb.done").read_text() if (base / "testdb.done").exists() else ""
    if made and made != "sqlite" and os.environ.get("DATABASE_URL"):
        _pg(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)')
    shutil.rmtree(base, ignore_errors=True)


# ------------------------------------------------------------------ the homes of processes tests start


def template() -> Path:
    """The migrated SQLite database: the test databases' template when the run is on SQLite, else made by
    the first process that asks (under a lock): a copy of the template the SQLite run handed over (``make
    test``), or a ``migrate`` of its own."""
    base = _base()
    base.mkdir(exist_ok=True)
    with (base / "testdb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a pytest process making the test databases' template: wait for it
    if (base / "testdb.done").exists() and (base / "testdb.done").read_text() == "sqlite":
        return base / "testdb.sqlite3"
    database = base / NAME
    with (base / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        handed_over = Path(os.environ.get(HANDED_OVER) or "/nonexistent")
        if not (base / "done").exists() and handed_over.is_file():
            _sqlite_copy(handed_over, database)  # the SQLite run's template (make test): no migrate here
            (base / "done").touch()
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
            _sqlite_copy(home / NAME, database)
            (base / "done").touch()
    return database


def copy_into(home: Path) -> None:
    shutil.copyfile(template(), home / NAME)


def postgres_database(admin_url: str, name: str) -> None:
    """A new PostgreSQL database for processes a test starts: a copy of the run's migrated template when
    the run is on PostgreSQL, else empty (its processes migrate it)."""
    base = _base()
    base.mkdir(exist_ok=True)
    with (base / "testdb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a pytest process making the test databases' template: wait for it
    made = (base / "testdb.done").read_text() if (base / "testdb.done").exists() else ""
    template = f' TEMPLATE "{made}"' if made and made != "sqlite" else ""
    _pg(admin_url, f'CREATE DATABASE "{name}"{template}')
