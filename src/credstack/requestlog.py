"""Which request a log line belongs to, and log lines as JSON.

``RequestIdMiddleware`` gives every request an id: the ``X-Request-ID`` a trusted proxy
(``CREDSTACK_TRUSTED_PROXIES``) sent, when it is a sane token, or a new random one. The response echoes it
(``X-Request-ID``), and every log line written while the request runs carries it, with the organization
the request works in (``RequestContextFilter``).

``CREDSTACK_LOG_FORMAT=json`` writes each log record as one JSON object on one line (:class:`JsonFormatter`:
``time``, ``level``, ``logger``, ``message``, ``request_id``, ``org``, ``traceback``); the message and the
traceback are masked like every other line (``credstack.logmask``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from credstack.logmask import mask
from credstack.web.security import from_trusted_proxy

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "credstack_request", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id when a trusted proxy sent a well-formed one, else a new one."""
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    trusted = list(getattr(settings, "CREDSTACK_TRUSTED_PROXIES", []))
    if offered and trusted and _VALID.match(offered):
        if from_trusted_proxy(request.META.get("REMOTE_ADDR", ""), trusted):
            return offered
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request)  # type: ignore[attr-defined]
        # kept until the response is closed (request_finished): Django logs a 4xx/5xx response after the
        # middleware has returned it, and that line belongs to this request too
        current_request.set(request)
        response = self.get_response(request)
        response[HEADER] = request.request_id  # type: ignore[attr-defined]
        return response


@receiver(request_finished)
def _forget_request(sender, **kwargs) -> None:
    current_request.set(None)


def _org_slug(request: HttpRequest | None) -> str | None:
    org = getattr(request, "organization", None)
    return getattr(org, "slug", None)


class RequestContextFilter(logging.Filter):
    """Puts ``request_id`` and ``org`` on every record written while a request runs (``None`` outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", None)
        if not hasattr(record, "org"):
            record.org = _org_slug(request)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the traceback, when there is one, as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "org": getattr(record, "org", None),
        }
        if record.exc_info:
            entry["traceback"] = mask(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["traceback"] = mask(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
