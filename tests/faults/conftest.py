"""The fault harness's template homes, made once per test process: on the suite's database (SQLite by
default; PostgreSQL when DATABASE_URL is set, as under scripts/with-postgres.sh), and on SQLite."""

from __future__ import annotations

import os

import pytest

from .harness import Receiver, Template


@pytest.fixture(scope="session")
def template(tmp_path_factory, django_db_setup):
    # django_db_setup: the run's migrated database is made (or waited for) first (tests/migrated.py)
    receiver = Receiver()
    made = Template(tmp_path_factory.mktemp("faults"), receiver, os.environ.get("DATABASE_URL") or None)
    yield made
    made.drop()
    receiver.close()


@pytest.fixture(scope="session")
def sqlite_template(request, tmp_path_factory):
    """A home whose database is a file in it (SQLite), whatever database the suite runs on: a full
    home disk is then a database that cannot write."""
    if not os.environ.get("DATABASE_URL"):
        yield request.getfixturevalue("template")
        return
    receiver = Receiver()
    yield Template(tmp_path_factory.mktemp("faults-sqlite"), receiver, None)
    receiver.close()
