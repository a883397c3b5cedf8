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


def acme():
    """The organization the ``org`` fixture gives (tests/conftest.py), for fixtures of a wider scope."""
    from credstack.organizations.actions import create_organization  # the models: after Django's set-up

    return create_organization(
        slug="acme", name="Acme Training", url="https://acme.example", email="certs@acme.example"
    )


def python_basics(org):
    """The achievement the ``achievement`` fixture gives (tests/conftest.py)."""
    from credstack.achievements.actions import create_achievement  # the models: after Django's set-up

    return create_achievement(
        organization=org,
        slug="python-basics",
        name="Python Basics",
        description="Six lessons on Python.",
        criteria_narrative="Pass every quiz.",
        tags=["python"],
        alignments=[{"name": "Programming", "url": "https://example.org/s"}],
    )
