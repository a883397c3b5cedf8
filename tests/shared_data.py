"""Rows built once for many tests: a module's (or class's) fixture data, as Django's ``setUpTestData``.

A fixture of a wider scope opens a transaction, builds its rows, and hands the tests their ids; each test
then runs in a savepoint inside it (pytest-django's ``db``), so what a test writes is undone before the next
one and every test meets the rows as they were built. The transaction is rolled back when the scope ends:
nothing is ever committed, as with ``db``. Hand the tests ids and plain values, never model instances (a
test that changes an instance in memory would pass the change on to the next test).

    @pytest.fixture(scope="module")
    def ctx(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield build()

Not for tests that need real commits (``transaction=True``): they cannot run inside an open transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def shared_rows(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
