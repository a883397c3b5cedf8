"""Changes nothing, checked on every table: the row count and a checksum of every row of every model.

A refused request must leave the database as it found it. Counting the rows of the one table a test thinks
of misses a write to any other (an audit row, a delivery, a half-made endpoint), so the tests that refuse
bad input compare the whole database before and after:

    with changes_nothing():
        response = client.post(...)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, models

# What a refused request may write without changing anything a user owns: the visitor's session (the messages
# framework and sign-in keep it there), when an API key or a person was last seen.
NOT_DATA = frozenset({"sessions.session"})
BOOKKEEPING = {"api.apikey": {"last_used_at"}, "auth.user": {"last_login"}}


def _models() -> Iterator[type[models.Model]]:
    # include_auto_created: the many-to-many tables too
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            yield model


def database_state(ignore: Iterable[str] = ()) -> dict[str, tuple[int, str]]:
    """{"app.model": (row count, checksum of every row)} for every model.

    Read with plain SQL, the columns as the database stores them: any change of a value the ORM shows is a
    change of what is stored, and a snapshot costs a query per table without building a queryset or
    converting a value (the role matrix takes thousands of them)."""
    skip = NOT_DATA | set(ignore)
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in _models():
            label = model._meta.label_lower
            if label in skip:
                continue
            columns = [
                quote(field.column)
                for field in model._meta.concrete_fields
                if field.attname not in BOOKKEEPING.get(label, ())
            ]
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} "  # noqa: S608 (names from the models, quoted)
                f"ORDER BY {quote(model._meta.pk.column)}"
            )
            digest = hashlib.sha256()
            rows = cursor.fetchall()
            for row in rows:
                # bytes, not a memoryview (whose repr is its address), from a driver that returns one
                digest.update(repr([bytes(v) if isinstance(v, memoryview) else v for v in row]).encode())
            state[label] = (len(rows), digest.hexdigest()[:16])
    return state


@contextmanager
def changes_nothing(ignore: Iterable[str] = ()) -> Iterator[None]:
    """Fails, naming each table, when the block adds, removes or changes any row of any model."""
    before = database_state(ignore)
    yield
    after = database_state(ignore)
    changed = {
        label: f"{before[label][0]} -> {after[label][0]} rows"
        if before[label][0] != after[label][0]
        else "a row changed"
        for label in before
        if before[label] != after[label]
    }
    assert not changed, f"a refused request changed the database: {changed}"
