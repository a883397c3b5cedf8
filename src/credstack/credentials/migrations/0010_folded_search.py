"""Search that ignores accents and also finds a piece of the email address (decision 0061):

- PostgreSQL: the ``unaccent`` extension, an immutable ``credstack_fold(text)`` over it, and pg_trgm GIN
  indexes on the folded name and address (the plain name index of 0005 goes);
- SQLite: the name-only FTS5 table of 0005 becomes a contentless one over the folded name and address.
"""

from django.db import migrations

from credstack.credentials import search

TABLE = "credentials_credential"
OLD_FTS = "credential_name_fts"


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        with conn.cursor() as cursor:  # the function names the extension's schema: it runs in any search_path
            cursor.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'unaccent'"
            )
            schema = cursor.fetchone()[0]
        quoted = conn.ops.quote_name(schema)
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {search.FOLD_FUNCTION}(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
            f"SELECT lower(regexp_replace({quoted}.unaccent('{quoted}.unaccent'::regdictionary, $1), "
            f"'{search.PG_MARKS}', '', 'g')) $$"
        )
        schema_editor.execute("DROP INDEX IF EXISTS credential_name_trgm")
        for column in ("name", "email"):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS credential_{column}_fold_trgm ON {TABLE} "
                f"USING gin ({search.FOLD_FUNCTION}(recipient_{column}) gin_trgm_ops)"
            )
    elif conn.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD_FTS}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {OLD_FTS}")
        schema_editor.execute(search.SQLITE_CREATE)
        for sql in search.SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)
        for sql in search.SQLITE_REBUILD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        for column in ("name", "email"):
            schema_editor.execute(f"DROP INDEX IF EXISTS credential_{column}_fold_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS credential_name_trgm ON {TABLE} "
            "USING gin (UPPER(recipient_name::text) gin_trgm_ops)"
        )
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {search.FOLD_FUNCTION}(text)")
    elif conn.vendor == "sqlite":
        for name in search.SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {search.FTS_TABLE}")
        # 0005's objects come back by migrating forwards again from there


class Migration(migrations.Migration):
    dependencies = [("credentials", "0009_custom_domain")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
