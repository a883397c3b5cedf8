"""The JSON API, version 1: ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``).

This module assembles the API: authentication, throttling, problem details and one router per area
(``*_api.py``); the scope check is ``auth.require``, path lookups are in ``lookups``, the JSON in ``schemas``.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from django.conf import settings
from ninja import NinjaAPI
from ninja.throttling import BaseThrottle

from credstack import ratelimit

from . import (
    achievements_api,
    batch_api,
    credentials_api,
    hooks_api,
    inbound_api,
    learning_api,
    problems,
    webhooks_api,
)
from .auth import ApiKeyAuth


class KeyRateThrottle(BaseThrottle):
    """Per API key (a request without one: per client address); the rate (``CREDSTACK_API_RATE``, e.g.
    "600/m": any 60 seconds) is read on every request. Counted by ``ratelimit.take``: in Redis with
    ``REDIS_URL``, else in a locked file shared by the machine's processes (decision 0068)."""

    def __init__(self) -> None:
        # one instance serves every request: what ``wait`` reports belongs to this thread's request
        self.refused = threading.local()

    def allow_request(self, request) -> bool:
        auth = getattr(request, "auth", None)
        key = str(auth) if auth is not None else ratelimit.client_key(request)
        if key is None:
            return True
        self.refused.retry_after = ratelimit.take("api", key, _rate(settings.CREDSTACK_API_RATE))
        return self.refused.retry_after is None

    def wait(self) -> float | None:
        return getattr(self.refused, "retry_after", None)


@lru_cache(maxsize=8)
def _rate(text: str) -> ratelimit.Rate:
    return ratelimit.Rate.parse(text)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


class CredstackAPI(NinjaAPI):
    """Documents every error response as ``application/problem+json`` with the Problem schema."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400:
                        response["content"] = problem
        return schema


api = CredstackAPI(
    title="credstack API",
    version="1",
    description="Issue, manage and look up verifiable credentials (Open Badges 3.0). Authenticate with "
    "`Authorization: Bearer <API key>`; send `Idempotency-Key` on POSTs; errors are RFC 9457 problem details.",
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    throttle=[KeyRateThrottle()],
    docs_url="/docs",
)
problems.install(api)

api.add_router("/achievements", achievements_api.router)
api.add_router("/credentials/batches", batch_api.batches)
api.add_router("/credentials", credentials_api.router)
api.add_router("/credentials", batch_api.credential_extras)
api.add_router("/designs", batch_api.designs)
api.add_router("/webhooks", webhooks_api.router)
api.add_router("/hooks", hooks_api.router)  # REST Hooks for Zapier, Make, n8n
api.add_router("/courses", learning_api.courses)
api.add_router("/pathways", learning_api.pathways)
api.add_router("/recipients", learning_api.recipients)
api.add_router("/inbound", inbound_api.router)  # issue 6: inbound completion webhooks
