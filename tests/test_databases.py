"""The rule of tests/databases.py (decision 0046): which tests run on PostgreSQL as well as SQLite, and why
that is safe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.databases import (
    ENGINE,
    fail_if_unclassified,
    hide_database_url,
    listed,
    on_postgresql,
    runs_on_postgresql,
    unclassified,
    uses_database,
)

ENGINE_MODULE = "tests/credentials/test_issue.py"  # the issuance pipeline: row locks, status lists
SAME_MODULE = "tests/workspace/test_roles.py"  # pages and permissions


class Item:
    """What the rule reads of a collected test: its module, its markers and the fixtures it asks for."""

    def __init__(self, *fixtures: str, markers: tuple[str, ...] = (), module: str = ENGINE_MODULE):
        self.nodeid = f"{module}::test_something"
        self.fixturenames = ["_empty_cache", "settings", *fixtures]
        self.markers = markers

    def get_closest_marker(self, name: str):
        return pytest.mark.__getattr__(name) if name in self.markers else None


def test_a_test_that_asks_for_no_database_cannot_open_a_connection():
    # pytest-django's blocker: a database-free test that tried would fail on SQLite, so none does.
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        connection.ensure_connection()


def test_nor_hand_the_database_to_a_process_it_starts(request, monkeypatch):
    # what the autouse fixture _no_database_url_without_the_database does before every test
    monkeypatch.setenv("DATABASE_URL", "postgres://credstack@127.0.0.1:5432/postgres")
    hide_database_url(request.node, monkeypatch)
    code = "import os, sys; sys.exit(1 if os.environ.get('DATABASE_URL') else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.django_db
def test_a_database_test_keeps_it(request):
    assert uses_database(request.node) and runs_on_postgresql(request.node)
    connection.ensure_connection()


@pytest.mark.parametrize(
    ("item", "database", "postgresql"),
    [
        (Item(), False, False),  # a pure core's test: runs once, on SQLite
        (Item("client"), False, False),  # the test client alone reaches no table
        (Item("db"), True, True),
        (Item("org", "db"), True, True),  # through another fixture (pytest lists the whole closure)
        (Item(markers=("django_db",)), True, True),
        (Item("transactional_db", "live_server"), True, True),
        (Item("transactional_db", "live_server", "browser", "page"), True, False),  # a browser test
        (Item(markers=("database",)), True, True),  # a subprocess that is given DATABASE_URL, say
        (Item("browser", markers=("database", "django_db")), True, True),  # a browser test kept on both
        # a database test outside the modules whose result can depend on the engine: SQLite only ...
        (Item("db", module=SAME_MODULE), True, False),
        (Item("db", module="tests/e2e/test_public_page.py"), True, False),
        # ... unless it says it depends on the engine
        (Item("db", module=SAME_MODULE, markers=("engine",)), True, True),
        (Item("db", module="tests/faults/test_kill.py"), True, True),  # a listed folder
        (Item(module=SAME_MODULE, markers=("postgresql_only",)), False, True),
    ],
)
def test_which_tests_run_on_postgresql(item, database, postgresql):
    assert uses_database(item) is database
    assert runs_on_postgresql(item) is postgresql


def test_postgresql_is_recognised_behind_the_metrics_wrapper(settings):
    """django_prometheus wraps the engine; the selection must still know it is PostgreSQL (it ran the
    whole suite twice when it did not)."""

    databases = {"default": {**settings.DATABASES["default"]}}
    for engine, expected in (
        ("django_prometheus.db.backends.postgresql", True),
        ("django.db.backends.postgresql", True),
        ("django_prometheus.db.backends.sqlite3", False),
    ):
        databases["default"]["ENGINE"] = engine
        settings.DATABASES = databases
        assert on_postgresql() is expected, engine


def test_a_database_module_that_neither_list_names_is_found():
    """Decision 0046: a new module with database tests cannot be left off PostgreSQL without a reason."""
    new = "tests/credentials/test_something_new.py"
    assert unclassified([Item("db", module=new), Item("db"), Item("db", module=SAME_MODULE)]) == [new]
    assert unclassified([Item(module=new)]) == []  # no database: nothing to decide
    assert unclassified([Item("db", "browser", module=new)]) == []  # browser tests stay on SQLite


def test_a_test_of_such_a_module_fails_saying_what_to_do():
    new = "tests/credentials/test_something_new.py"
    with pytest.raises(pytest.fail.Exception, match=r"decision 0046.*test_something_new\.py.*ENGINE"):
        fail_if_unclassified(Item("db", module=new))  # type: ignore[arg-type]
    fail_if_unclassified(Item("db"))  # type: ignore[arg-type]  # a listed module: nothing happens


# Where the product's code locks rows or writes its own SQL (decision 0046), and the ENGINE module that runs it
# on PostgreSQL when it is not under tests/<app>/.
ENGINE_SQL = re.compile(
    r"select_for_update\(|connection\.cursor\(|\.objects\.raw\(|RunSQL\(|connection\.vendor"
)
TESTED_ELSEWHERE = {
    "accounts": "tests/workspace/test_languages.py",  # a person's language preference
    "web": "tests/ops/test_metrics.py",  # /metrics' database figures
    "backup": "tests/cli/test_backup.py",
}


def test_every_app_that_locks_rows_or_writes_sql_has_tests_on_postgresql():
    """A new row lock or raw query in an app whose tests all run on SQLite only fails here: decide which of
    its tests check it and list their module in tests/databases.py's ENGINE."""
    src = Path(__file__).resolve().parents[1] / "src" / "credstack"
    apps = set()
    for path in src.rglob("*.py"):
        relative = path.relative_to(src)
        if "migrations" not in relative.parts and ENGINE_SQL.search(path.read_text()):
            apps.add(relative.parts[0].removesuffix(".py"))
    assert apps >= {"credentials", "organizations", "workspace", "scheduler"}  # the search sees them
    missing = {
        app
        for app in apps
        if not listed(TESTED_ELSEWHERE.get(app, ""), ENGINE)
        and not any(key.startswith(f"tests/{app}/") for key in ENGINE)
    }
    assert not missing, f"no tests/databases.py ENGINE module tests the locks or SQL of: {sorted(missing)}"
