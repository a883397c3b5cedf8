"""``Idempotency-Key`` for every POST under /api/v1/: a repeat gets the first response, not a new effect.

Done as middleware so it covers every POST the same way. The record is inserted before the request
runs (unique per API key and key), so two simultaneous requests with one key cannot both run: the
second gets 409 until the first finishes, then the stored response.

A request whose process died (killed, out of memory) leaves its record "in progress" for good; after
``CREDSTACK_IDEMPOTENCY_STALE_SECONDS`` (default 60, twice the web server's request timeout) a retry
takes the key over and runs again. What the first run committed is found, not made twice: issuing a
credential carries a key derived from the API key and the Idempotency-Key
(``request.credstack_idempotency_key``), so the retry answers with the credential issued before the
crash, or issues it once if none was.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from credstack.ui.problems import problem_response

from .auth import ApiKeyAuth
from .models import IdempotencyRecord

PREFIX = "/api/v1/"
MAX_KEY = 255


def _request_hash(request) -> str:
    return hashlib.sha256(
        request.method.encode() + b" " + request.get_full_path().encode() + b"\n" + request.body
    ).hexdigest()


def issue_key(api_key, key: str) -> str:
    """The idempotency key of what a request issues: one per API key and Idempotency-Key."""
    return f"api:{api_key.pk}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CREDSTACK_IDEMPOTENCY_STALE_SECONDS", 60)))


def _take_over(record: IdempotencyRecord) -> bool:
    """Claim a record whose request has been "in progress" longer than any request can run: its
    process died. Exactly one retry wins the claim (compare-and-set on the start time)."""
    now = timezone.now()
    if record.created_at > now - stale_after():
        return False
    claimed = IdempotencyRecord.objects.filter(
        pk=record.pk, status_code=None, created_at=record.created_at
    ).update(created_at=now)
    return claimed == 1


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY:
            return problem_response(
                400, "Idempotency-Key is too long", f"at most {MAX_KEY} characters", slug="idempotency-key"
            )
        auth = request.headers.get("Authorization", "")
        api_key = (
            ApiKeyAuth().authenticate(request, auth.split(" ", 1)[-1])
            if auth.lower().startswith("bearer ")
            else None
        )
        if api_key is None:
            return self.get_response(request)  # the API answers 401 itself
        digest = _request_hash(request)
        request.credstack_idempotency_key = issue_key(api_key, key)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(api_key=api_key, key=key, request_hash=digest)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(api_key=api_key, key=key)
            if record.request_hash != digest:
                return problem_response(
                    422,
                    "Idempotency-Key reused",
                    "this key was used with a different request; use a new key for a new request",
                    slug="idempotency-key",
                )
            if record.status_code is None and not _take_over(record):
                return problem_response(
                    409,
                    "Request in progress",
                    "a request with this Idempotency-Key is still running; retry shortly",
                    slug="idempotency-in-progress",
                    headers={"Retry-After": "1"},
                )
            if record.status_code is not None:
                replay = HttpResponse(
                    record.response_body, status=record.status_code, content_type="application/json"
                )
                replay["Idempotent-Replayed"] = "true"
                return replay

        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code == 429:
            record.delete()  # not a result: the client may retry with the same key
        else:
            record.status_code = response.status_code
            record.response_body = response.content.decode()
            record.save(update_fields=["status_code", "response_body"])
        return response
