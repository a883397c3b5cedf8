"""Public identifiers: random, URL-safe, never a sequential row id."""

import secrets


def new_public_id() -> str:
    """A 128-bit random id in URL-safe base64 (22 characters) that starts with a letter or digit.

    An id that began with ``-`` would read as an option on the command line (``credstack revoke -X3V…``
    fails with "the following arguments are required: id"), and one that began with ``_`` is easy to
    lose when copied from a page. Drawing again costs 2 ids in 64 of one more call.
    """
    while True:
        value = secrets.token_urlsafe(16)
        if value[0] not in "-_":
            return value
