"""Text search over an organization's credentials: the holder's name or email address contains the term,
ignoring case and accents ("tomas" finds "Tomás", "lukasz" finds "Łukasz"), fast at millions of rows
(decisions 0024 and 0061).

- PostgreSQL: ``credstack_fold(text)``, an immutable SQL function (``unaccent`` then ``lower``, Arabic
  and Hebrew vowel marks removed), and pg_trgm GIN indexes on ``credstack_fold(recipient_name)`` and
  ``credstack_fold(recipient_email)`` (migration ``credentials/0010``). The term is folded by the
  same function, so both sides always agree.
- SQLite: a contentless FTS5 table with the trigram tokenizer holding the folded name and address,
  kept in sync by triggers that call ``credstack_fold`` (``fold`` below, registered on every
  connection). A term of 3+ characters is a phrase query on it (trigram phrases are substrings).
  Shorter terms have no trigram: they keep a scan with the same per-row test (decision 0024).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Q, TextField, Value

FTS_TABLE = "credential_search_fts"
TABLE = "credentials_credential"
FOLD_FUNCTION = "credstack_fold"
SQLITE_FUNCTION = "credstack_finds"

# The SQLite objects, by name; also used to repair them after a table remake (see ensure_sqlite_index).
# (Written out in full: the names above, no string building in SQL.)
SQLITE_TRIGGERS = {
    "credential_search_fts_ai": """CREATE TRIGGER IF NOT EXISTS credential_search_fts_ai
AFTER INSERT ON credentials_credential BEGIN
  INSERT INTO credential_search_fts(rowid, name, email)
  VALUES (new.id, credstack_fold(new.recipient_name), credstack_fold(new.recipient_email));
END""",
    "credential_search_fts_ad": """CREATE TRIGGER IF NOT EXISTS credential_search_fts_ad
AFTER DELETE ON credentials_credential BEGIN
  INSERT INTO credential_search_fts(credential_search_fts, rowid, name, email)
  VALUES ('delete', old.id, credstack_fold(old.recipient_name), credstack_fold(old.recipient_email));
END""",
    "credential_search_fts_au": """CREATE TRIGGER IF NOT EXISTS credential_search_fts_au
AFTER UPDATE OF recipient_name, recipient_email ON credentials_credential BEGIN
  INSERT INTO credential_search_fts(credential_search_fts, rowid, name, email)
  VALUES ('delete', old.id, credstack_fold(old.recipient_name), credstack_fold(old.recipient_email));
  INSERT INTO credential_search_fts(rowid, name, email)
  VALUES (new.id, credstack_fold(new.recipient_name), credstack_fold(new.recipient_email));
END""",
}
# contentless (content=''): the folded text is indexed, never stored
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS credential_search_fts "
    "USING fts5(name, email, content='', tokenize='trigram')"
)
SQLITE_REBUILD = (
    "INSERT INTO credential_search_fts(credential_search_fts) VALUES ('delete-all')",
    "INSERT INTO credential_search_fts(rowid, name, email) "
    "SELECT id, credstack_fold(recipient_name), credstack_fold(recipient_email) FROM credentials_credential",
)
MATCH_SQL = "SELECT rowid FROM credential_search_fts WHERE credential_search_fts MATCH %s"

# PostgreSQL: "[[:mark:]]" is not in its regular expressions; the marks unaccent leaves are Arabic and
# Hebrew vowel signs (Latin, Greek and Cyrillic accents are in unaccent's own rules).
PG_MARKS = "[\u0591-\u05c7\u064b-\u065f\u0670]"

MIN_TRIGRAM = 3
# A term with more matches than this is common: walking the list's own index (newest first, say) and
# testing each row finds a page of matches sooner than sorting every match.
FEW = 2000

# Letters that carry their mark inside them (no Unicode decomposition): what unaccent makes of them.
_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h", "ı": "i"}
    | {"æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ŀ": "l", "Ŀ": "l"}
)
_SPECIAL = re.compile("[" + "".join(chr(c) for c in _LETTERS) + "]")
# marks a person may leave out when typing a name: those of Latin, Greek and Cyrillic letters (whose
# code points are below U+0530 or in the Latin and Greek extended blocks), and Arabic and Hebrew vowel
# marks. Devanagari's vowel signs, by contrast, are letters: they stay.
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u064b-\u065f\u0670\u1dc0-\u1dff\u20d0-\u20ff]")
_VOWEL_MARKS = re.compile("[\u0591-\u05c7\u064b-\u065f\u0670]")


def _accented_base(code: int) -> bool:
    return code < 0x0530 or 0x1E00 <= code <= 0x1FFF or 0x2C60 <= code <= 0x2C7F or 0xA720 <= code <= 0xA7FF


def fold(text: str | None) -> str | None:
    """``text`` as the search compares it: without case, accents, Arabic and Hebrew vowel marks, and
    compatibility forms (``"Zoë Müller-Łukasz"`` → ``"zoe muller-lukasz"``); other scripts untouched."""
    if text is None:
        return None
    if text.isascii():  # most names and addresses: nothing to decompose (a per-row test at 1M rows)
        return text.lower()
    special = _SPECIAL.search(text)
    if not special and unicodedata.is_normalized("NFKD", text) and not _MARKS.search(text):
        return text.casefold()  # "Ольга Петрова", "王小明": nothing to take away (C-speed checks only)
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS) if special else text)
    if not _MARKS.search(decomposed):  # compatibility forms only ("ﬁ", full-width letters, Hangul)
        return unicodedata.normalize("NFC", decomposed).casefold()
    out: list[str] = []
    base_accented = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if base_accented or _VOWEL_MARKS.match(ch):
                continue
        else:
            base_accented = _accented_base(ord(ch))
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


@functools.lru_cache(maxsize=64)
def _folded_term(term: str) -> str:
    return fold(term) or ""


def finds(name: str | None, email: str | None, term: str | None) -> bool:
    """The per-row test: the name contains the term, or (one word of 3+ characters) the address does,
    both folded."""
    if term is None:
        return False
    term = _folded_term(term)
    if term in (fold(name) or ""):
        return True
    return " " not in term and len(term) >= MIN_TRIGRAM and term in (fold(email) or "")


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created: give every SQLite connection ``credstack_fold(text)`` (the triggers call it)
    and ``credstack_finds(name, email, term)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
        connection.connection.create_function(SQLITE_FUNCTION, 3, finds, deterministic=True)


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
            return False  # not migrated that far yet; migration 0010 creates everything
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        if missing:
            for sql in SQLITE_REBUILD:
                cursor.execute(sql)
    return bool(missing)


def _pg_filter(qs, term: str):
    with connection.cursor() as cursor:  # the term folded by the very function the indexes hold
        cursor.execute(f"SELECT {FOLD_FUNCTION}(%s)", [term])
        folded = cursor.fetchone()[0]
    match = Q(_fold_name__contains=folded)
    if " " not in folded and len(folded) >= MIN_TRIGRAM:
        match |= Q(_fold_email__contains=folded)
    return qs.alias(
        _fold_name=Func(F("recipient_name"), function=FOLD_FUNCTION, output_field=TextField()),
        _fold_email=Func(F("recipient_email"), function=FOLD_FUNCTION, output_field=TextField()),
    ).filter(match)


def exact_filter(qs, term: str):
    """Narrow ``qs`` to credentials whose holder's name *is* ``term``, ignoring case and accents ("lukasz"
    is "Łukasz"), through the same indexes as ``text_filter``; None when that would mean testing every
    row (SQLite: a term too short for trigrams, or one found in more than ``FEW`` names)."""
    name = Func(F("recipient_name"), function=FOLD_FUNCTION, output_field=TextField())
    if connection.vendor != "sqlite":
        # the term folded in the same query by the very function the index holds (immutable: folded once,
        # when the query is planned, so the B-tree of migration 0011 answers it)
        term_folded = Func(Value(term), function=FOLD_FUNCTION, output_field=TextField())
        return qs.alias(_exact_name=name).filter(_exact_name=term_folded)
    folded = fold(term) or ""
    if len(folded) < MIN_TRIGRAM:
        return None
    phrase = '"' + folded.replace('"', '""') + '"'
    with connection.cursor() as cursor:
        cursor.execute(MATCH_SQL + f" LIMIT {FEW + 1}", [phrase])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) > FEW:
        return None
    return qs.filter(id__in=ids).alias(_exact_name=name).filter(_exact_name=folded)


def text_filter(qs, term: str):
    """Filter ``qs`` to credentials whose holder's name (or, for one word of 3+ characters, email
    address) contains ``term``, ignoring case and accents."""
    if connection.vendor != "sqlite":
        return _pg_filter(qs, term)
    test = Func(
        F("recipient_name"),
        F("recipient_email"),
        Value(term),
        function=SQLITE_FUNCTION,
        output_field=BooleanField(),
    )
    folded = fold(term) or ""
    if len(folded) >= MIN_TRIGRAM:
        # the term is a bound parameter, quoted as one FTS5 phrase: its operators are plain text
        phrase = '"' + folded.replace('"', '""') + '"'
        with connection.cursor() as cursor:
            cursor.execute(MATCH_SQL + f" LIMIT {FEW + 1}", [phrase])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= FEW:  # rare: fetch exactly those rows (the test re-checks the FTS candidates)
            return qs.filter(id__in=ids).alias(_m=test).filter(_m=True)
    # common, or too short for trigrams: scan in the list's order, testing each row
    return qs.alias(_m=test).filter(_m=True)
