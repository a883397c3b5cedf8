"""Public identifiers: random, URL-safe, never a sequential row id."""

import secrets


def new_public_id() -> str:
    """A 128-bit random id in URL-safe base64 (22 characters)."""
    return secrets.token_urlsafe(16)
