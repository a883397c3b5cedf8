"""Checks on what a person types before it goes into a signed credential."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_NAME = 500
_SPACES = re.compile(r"\s+")


def clean_name(value: str, field: str = "name") -> str:
    """NFC-normalise, trim, fold runs of white space; refuse other control characters."""
    if not isinstance(value, str):
        raise ValidationError({field: "must be text"})
    value = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not value:
        raise ValidationError({field: "is required"})
    if len(value) > MAX_NAME:
        raise ValidationError({field: f"is {len(value)} characters long; at most {MAX_NAME} are allowed"})
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in ("Cc", "Cs", "Cn") or char in "\u2028\u2029":
            raise ValidationError(
                {field: f"contains the control character U+{ord(char):04X} at position {position}"}
            )
    return value


def clean_email(value: str, field: str = "email") -> str:
    """Trim and lower-case the domain; refuse what is not an email address."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: "is required"})
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: f"{value!r} is not a valid email address"})
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def expiry_date(raw: str, field: str = "valid_until") -> datetime | None:
    """A new expiry as people type it (the workspace's date field, the ``credstack expiry`` command):
    ``YYYY-MM-DD`` means the end of that day (UTC); empty or "never" means it never expires."""
    raw = (raw or "").strip()
    if not raw or raw.lower() == "never":
        return None
    try:
        return datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=UTC)
    except ValueError:
        raise ValidationError({field: f"{raw!r} is not a date (YYYY-MM-DD)"})


def error_text(exc: ValidationError) -> str:
    """An action's ValidationError in words, "field: message; field: message": the workspace's flash
    message, the command line's error and the API's problem ``detail`` all read the same."""
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
