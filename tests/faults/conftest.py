"""The fault harness's template home: one per database and test process (SQLite by default; PostgreSQL
when DATABASE_URL is set, as under scripts/with-postgres.sh)."""

from __future__ import annotations

import os

import pytest

from .harness import Receiver, Template


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    receiver = Receiver()
    made = Template(tmp_path_factory.mktemp("faults"), receiver, os.environ.get("DATABASE_URL") or None)
    yield made
    made.drop()
    receiver.close()
