"""Name search over an organization's credentials: case-insensitive substring, fast at millions of rows.

- PostgreSQL: a pg_trgm GIN index on ``UPPER(recipient_name::text)``, the very expression Django's
  ``icontains`` compares, so the ordinary lookup uses it (migration ``credentials/0005``).
- SQLite: an FTS5 table with the trigram tokenizer (external content: the credential table itself),
  kept in sync by triggers. A term of 3+ characters is a phrase query on it (trigram phrases are
  substrings; the tokenizer folds case in every script). Shorter terms have no trigram: they keep the
  plain substring scan (decision 0024).
"""

from __future__ import annotations

from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Value

FTS_TABLE = "credential_name_fts"
TABLE = "credentials_credential"

# The SQLite objects, by name; also used to repair them after a table remake (see ensure_sqlite_index).
SQLITE_TRIGGERS = {
    "credential_name_fts_ai": """CREATE TRIGGER IF NOT EXISTS credential_name_fts_ai
AFTER INSERT ON credentials_credential BEGIN
  INSERT INTO credential_name_fts(rowid, recipient_name) VALUES (new.id, new.recipient_name);
END""",
    "credential_name_fts_ad": """CREATE TRIGGER IF NOT EXISTS credential_name_fts_ad
AFTER DELETE ON credentials_credential BEGIN
  INSERT INTO credential_name_fts(credential_name_fts, rowid, recipient_name)
  VALUES ('delete', old.id, old.recipient_name);
END""",
    "credential_name_fts_au": """CREATE TRIGGER IF NOT EXISTS credential_name_fts_au
AFTER UPDATE OF recipient_name ON credentials_credential BEGIN
  INSERT INTO credential_name_fts(credential_name_fts, rowid, recipient_name)
  VALUES ('delete', old.id, old.recipient_name);
  INSERT INTO credential_name_fts(rowid, recipient_name) VALUES (new.id, new.recipient_name);
END""",
}
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS credential_name_fts USING fts5("
    "recipient_name, content='credentials_credential', content_rowid='id', tokenize='trigram')"
)
SQLITE_REBUILD = "INSERT INTO credential_name_fts(credential_name_fts) VALUES ('rebuild')"
MATCH_SQL = "SELECT rowid FROM credential_name_fts WHERE credential_name_fts MATCH %s"

MIN_TRIGRAM = 3
# A term with more matches than this is common: walking the list's own index (newest first, say) and
# testing each row finds a page of matches sooner than sorting every match.
FEW = 2000
SQLITE_FUNCTION = "credstack_icontains"


def icontains(haystack, needle) -> bool:
    """Unicode case-insensitive substring (SQLite's LIKE folds ASCII only)."""
    if haystack is None or needle is None:
        return False
    return needle.lower() in haystack.lower()


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created: give every SQLite connection ``credstack_icontains(text, term)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 2, icontains, deterministic=True)


def ensure_sqlite_index(using=None, **kwargs) -> bool:
    """Recreate the SQLite triggers (and rebuild the index) if a migration remade the credential table:
    SQLite's ALTER TABLE emulation copies the table and drops the old one, and its triggers with it.
    Connected to post_migrate; returns True when it had to repair something."""

    conn = connections[using or "default"]
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if TABLE not in present or FTS_TABLE not in present:
            return False  # not migrated that far yet; migration 0005 creates everything
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        if missing:
            cursor.execute(SQLITE_REBUILD)
    return bool(missing)


def name_filter(qs, term: str):
    """Filter ``qs`` to credentials whose recipient name contains ``term``, ignoring case."""
    if connection.vendor != "sqlite":
        return qs.filter(recipient_name__icontains=term)  # UPPER(...) LIKE: served by the trigram index
    test = Func(F("recipient_name"), Value(term), function=SQLITE_FUNCTION, output_field=BooleanField())
    if len(term) >= MIN_TRIGRAM:
        # the term is a bound parameter, quoted as one FTS5 phrase: its operators are plain text
        phrase = '"' + term.replace('"', '""') + '"'
        with connection.cursor() as cursor:
            cursor.execute(MATCH_SQL + f" LIMIT {FEW + 1}", [phrase])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= FEW:  # rare: fetch exactly those rows (the test re-checks the FTS candidates)
            return qs.filter(id__in=ids).alias(_m=test).filter(_m=True)
    # common, or too short for trigrams: scan in the list's order, testing each row
    return qs.alias(_m=test).filter(_m=True)
