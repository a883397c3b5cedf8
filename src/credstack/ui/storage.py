"""Is this error the server's storage refusing a write (a full disk, a file-size limit, a read-only
home)? ``storage_failure(exc)`` answers with the sentence to show the user, or None for any other error.

Recognised along the exception's chain (``__cause__`` / ``__context__``): ``OSError`` with ENOSPC, EFBIG,
EDQUOT or EROFS; SQLite's "database or disk is full", "disk I/O error" and "readonly database";
PostgreSQL's ``disk_full`` (SQLSTATE 53100) and "No space left on device"; and object storage (S3, when
``CREDSTACK_STORAGE_URL`` is set, decision 0048): the endpoint down or timing out, the bucket missing, access
denied or the credentials refused, the service slowing down, a quota reached. botocore is not imported here
(it is optional): its errors are known by class name and by the error code of the response.
"""

from __future__ import annotations

import errno


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalogues (makemessages knows the name) without Django's: this module
    is imported by ``credstack verify``, which runs with no settings at all."""
    return message


FULL = gettext_noop("the server's disk is full")
READ_ONLY = gettext_noop("the server's storage is read-only")
FAILING = gettext_noop("the server could not write to its disk (full or failing)")
S3_DOWN = gettext_noop("the file storage (S3) cannot be reached: its endpoint is down or does not answer")
S3_NO_BUCKET = gettext_noop("the file storage's bucket does not exist (check CREDSTACK_STORAGE_URL)")
S3_DENIED = gettext_noop(
    "the file storage (S3) refused access: check its credentials and the bucket's permissions"
)
S3_BUSY = gettext_noop("the file storage (S3) is overloaded or failing at the moment")
S3_FULL = gettext_noop("the file storage (S3) is full: its quota is reached")
# (every sentence is marked for translation and translated where shown: they stay plain str here)
# the storage is there but cannot be used now: 503 Service Unavailable; the others (full, failing): 507
UNAVAILABLE = frozenset({READ_ONLY, S3_DOWN, S3_NO_BUCKET, S3_DENIED, S3_BUSY})
S3_FAILURES = frozenset({S3_DOWN, S3_NO_BUCKET, S3_DENIED, S3_BUSY, S3_FULL})

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


# botocore's exceptions (by class name, along the MRO) and S3's error codes
_S3_CLASSES = {
    "EndpointConnectionError": S3_DOWN,
    "ConnectTimeoutError": S3_DOWN,
    "ReadTimeoutError": S3_DOWN,
    "ConnectionClosedError": S3_DOWN,
    "NoCredentialsError": S3_DENIED,
    "PartialCredentialsError": S3_DENIED,
    "NoSuchBucket": S3_NO_BUCKET,
}
_S3_CODES = {
    "NoSuchBucket": S3_NO_BUCKET,
    "AccessDenied": S3_DENIED,
    "AllAccessDisabled": S3_DENIED,
    "InvalidAccessKeyId": S3_DENIED,
    "SignatureDoesNotMatch": S3_DENIED,
    "ExpiredToken": S3_DENIED,
    "InvalidToken": S3_DENIED,
    "AccountProblem": S3_DENIED,
    "403": S3_DENIED,
    "SlowDown": S3_BUSY,
    "ServiceUnavailable": S3_BUSY,
    "InternalError": S3_BUSY,
    "503": S3_BUSY,
    "500": S3_BUSY,
    "QuotaExceeded": S3_FULL,
    "XMinioStorageFull": S3_FULL,
    "XMinioAdminBucketQuotaExceeded": S3_FULL,
}


def _s3_failure(exc: BaseException) -> str | None:
    for cls in type(exc).__mro__:
        if cls.__name__ in _S3_CLASSES and cls.__module__.startswith("botocore"):
            return _S3_CLASSES[cls.__name__]
    response = getattr(exc, "response", None)
    if type(exc).__module__.startswith("botocore") and isinstance(response, dict):
        code = str((response.get("Error") or {}).get("Code", ""))
        return _S3_CODES.get(code)
    return None


def storage_failure(exc: BaseException | None) -> str | None:
    """What the storage refused, in words for the user; None when ``exc`` is not a storage failure."""
    seen = 0
    while exc is not None and seen < 10:
        s3 = _s3_failure(exc)
        if s3:
            return s3
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
