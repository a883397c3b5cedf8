"""Is this error the server's storage refusing a write (a full disk, a file-size limit, a read-only
home)? ``storage_failure(exc)`` answers with the sentence to show the user, or None for any other error.

Recognised along the exception's chain (``__cause__`` / ``__context__``): ``OSError`` with ENOSPC, EFBIG,
EDQUOT or EROFS; SQLite's "database or disk is full", "disk I/O error" and "readonly database";
PostgreSQL's ``disk_full`` (SQLSTATE 53100) and "No space left on device".
"""

from __future__ import annotations

import errno

FULL = "the server's disk is full"
READ_ONLY = "the server's storage is read-only"
FAILING = "the server could not write to its disk (full or failing)"

_ERRNOS = {
    errno.ENOSPC: FULL,
    errno.EFBIG: FULL,
    errno.EDQUOT: FULL,
    errno.EROFS: READ_ONLY,
    # the home not ours to write (a read-only home for a server that is not root: chmod, not a mount)
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
}
_TEXTS = (
    ("database or disk is full", FULL),
    ("no space left on device", FULL),
    ("could not extend file", FULL),
    ("file too large", FULL),
    ("readonly database", READ_ONLY),
    ("read-only file system", READ_ONLY),
    ("unable to open database file", READ_ONLY),
    ("read-only", READ_ONLY),
    ("disk i/o error", FAILING),
    ("could not write", FAILING),
)


def storage_failure(exc: BaseException | None) -> str | None:
    """What the storage refused, in words for the user; None when ``exc`` is not a storage failure."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _ERRNOS:
            return _ERRNOS[exc.errno]
        if getattr(exc, "sqlstate", None) == "53100" or getattr(exc, "pgcode", None) == "53100":
            return FULL
        text = str(exc).lower()
        for needle, why in _TEXTS:
            if needle in text:
                return why
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
