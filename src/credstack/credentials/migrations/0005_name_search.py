"""Indexes for the workspace's name search (see credstack.credentials.search and decision 0024):
a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table with sync triggers on SQLite."""

from django.db import migrations

PG_INDEX = "credential_name_trgm"

SQLITE_FTS = "credential_name_fts"
SQLITE_TABLE = "credentials_credential"


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {SQLITE_TABLE} "
            "USING gin (UPPER(recipient_name::text) gin_trgm_ops)"
        )
    elif conn.vendor == "sqlite":
        # as it was then; credentials/0010 replaces it with the folded name-and-email index
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_FTS} USING fts5(recipient_name, "
            f"content='{SQLITE_TABLE}', content_rowid='id', tokenize='trigram')"
        )
        schema_editor.execute(f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_FTS}_ai
AFTER INSERT ON {SQLITE_TABLE} BEGIN
  INSERT INTO {SQLITE_FTS}(rowid, recipient_name) VALUES (new.id, new.recipient_name);
END""")
        schema_editor.execute(f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_FTS}_ad
AFTER DELETE ON {SQLITE_TABLE} BEGIN
  INSERT INTO {SQLITE_FTS}({SQLITE_FTS}, rowid, recipient_name) VALUES ('delete', old.id, old.recipient_name);
END""")
        schema_editor.execute(f"""CREATE TRIGGER IF NOT EXISTS {SQLITE_FTS}_au
AFTER UPDATE OF recipient_name ON {SQLITE_TABLE} BEGIN
  INSERT INTO {SQLITE_FTS}({SQLITE_FTS}, rowid, recipient_name) VALUES ('delete', old.id, old.recipient_name);
  INSERT INTO {SQLITE_FTS}(rowid, recipient_name) VALUES (new.id, new.recipient_name);
END""")
        schema_editor.execute(f"INSERT INTO {SQLITE_FTS}({SQLITE_FTS}) VALUES ('rebuild')")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif conn.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {SQLITE_FTS}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_FTS}")


class Migration(migrations.Migration):
    dependencies = [("credentials", "0004_email_lower_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
