"""Checks on what a person types before it goes into a signed credential."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MAX_NAME = 500
_SPACES = re.compile(r"\s+")

# What is wrong with a value, by code. The text is in the language of whoever reads it (the form's and the
# API's error in the request's language); a bulk upload stores the code and its values with each row, so its
# page shows them in the reader's language too (``PROBLEMS`` of workspace/bulk/check.py adds the file's own).
MESSAGES = {
    "text": _("must be text"),
    "required": _("is required"),
    "too_long": _("is %(length)d characters long; at most %(limit)d are allowed"),
    "control": _("contains the control character %(char)s at position %(position)d"),
    "email": _("%(value)s is not a valid email address"),
    "date": _("%(value)s is not a date (YYYY-MM-DD)"),
}


def problem(field: str, code: str, **params: object) -> ValidationError:
    """A ValidationError of one field, with its code and values kept (``ValidationError.error_dict``)."""
    return ValidationError({field: ValidationError(MESSAGES[code], code=code, params=params or None)})


def clean_name(value: str, field: str = "name") -> str:
    """NFC-normalise, trim, fold runs of white space; refuse other control characters."""
    if not isinstance(value, str):
        raise problem(field, "text")
    value = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not value:
        raise problem(field, "required")
    if len(value) > MAX_NAME:
        raise problem(field, "too_long", length=len(value), limit=MAX_NAME)
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in ("Cc", "Cs", "Cn") or char in "\u2028\u2029":
            raise problem(field, "control", char=f"U+{ord(char):04X}", position=position)
    return value


def clean_email(value: str, field: str = "email") -> str:
    """Trim and lower-case the domain; refuse what is not an email address."""
    if not isinstance(value, str) or not value.strip():
        raise problem(field, "required")
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise problem(field, "email", value=repr(value))
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
        raise problem(field, "date", value=repr(raw))


def error_text(exc: ValidationError) -> str:
    """An action's ValidationError in words, "field: message; field: message": the workspace's flash
    message, the command line's error and the API's problem ``detail`` all read the same."""
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
