"""Which tests run on which database (docs/CONTRIBUTING.md, "Tests").

`make test` runs the suite twice: on SQLite, everything; on PostgreSQL, only the tests that reach the
database. A test that asks for none of pytest-django's database fixtures cannot open a connection
(pytest-django's blocker refuses it: tests/test_databases.py proves it), so on PostgreSQL it would run the
same code a second time to the same result. Browser tests are the other exception: what a browser adds to
a server-side test (scripts, layout, fonts, the content security policy) does not depend on the database,
and every request they make is made by the Django-client tests of the same pages, which run on both.
"""

from __future__ import annotations

import os

import pytest

# The fixtures through which a test reaches the database (pytest-django's), directly or through others.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
)
# Everything on PostgreSQL too, e.g. to look for a difference between the databases.
EVERYTHING = "CREDSTACK_TEST_EVERYTHING"


def uses_database(item: pytest.Item) -> bool:
    """The test can open a database connection: it has the django_db marker, asks for a database fixture, or
    says it reaches the database another way (``@pytest.mark.database``: a subprocess given DATABASE_URL)."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("database"):
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def hide_database_url(item: pytest.Item, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that does not reach the database does not hand DATABASE_URL to a process it starts either."""
    if not uses_database(item):
        monkeypatch.delenv("DATABASE_URL", raising=False)


def uses_browser(item: pytest.Item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


def runs_on_postgresql(item: pytest.Item) -> bool:
    if item.get_closest_marker("database"):
        return True
    return uses_database(item) and not uses_browser(item)


def on_postgresql() -> bool:
    from django.conf import settings  # Django is configured by pytest-django before collection ends

    # django_prometheus wraps the engine (django_prometheus.db.backends.postgresql): the name ends the same
    return settings.DATABASES["default"]["ENGINE"].endswith(".postgresql")


def select(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgresql():
        # several processes writing one database at once (tests/multinode): SQLite is not that deployment
        apart = [item for item in items if item.get_closest_marker("postgresql_only")]
        if apart:
            config.hook.pytest_deselected(items=apart)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]
        return
    if os.environ.get(EVERYTHING):
        return
    keep = [item for item in items if runs_on_postgresql(item)]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not runs_on_postgresql(item)])
        items[:] = keep
