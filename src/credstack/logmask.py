"""No secret in a log line: the secret parts of URLs are replaced by ``***`` before a line is written.

Secrets that travel in a URL: the inbound webhook token (``/hooks/in/<token>``: for an unsigned preset it
is the only secret), invitation, email-delivery and reminder tokens, the email-confirmation and
password-reset keys, and OAuth/LTI values in query strings (``code``, ``token``, ``id_token``...).

``mask`` is linear (no backtracking pattern) and used, through :class:`MaskSecretsFilter`, by the granian
access log of ``credstack serve`` (``credstack/web/granian_log.json``) and by Django's logging.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# A path segment that follows one of these prefixes is a secret.
_SECRET_PATHS = (
    "hooks/in",
    "w/invitations",
    "d",
    "learn/reminders/off",
    "reminders/off",
    "accounts/confirm-email",
    "accounts/password/reset/key",
)
_PATH = re.compile(r"(/(?:" + "|".join(re.escape(p) for p in _SECRET_PATHS) + r")/)([^/?#\s\"']+)")
_QUERY_NAMES = (
    "code",
    "token",
    "key",
    "secret",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "lti_message_hint",
    "login_hint",
)
_QUERY = re.compile(r"((?:^|[?&;\s])(?:" + "|".join(_QUERY_NAMES) + r")=)([^&#;\s\"']+)", re.IGNORECASE)


def mask(text: str) -> str:
    """``text`` with every URL secret replaced by ``***``."""
    if "/" not in text and "=" not in text:
        return text
    return _QUERY.sub(r"\1" + MASK, _PATH.sub(r"\1" + MASK, text))


class MaskSecretsFilter(logging.Filter):
    """A logging filter (on a handler) that masks URL secrets in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
