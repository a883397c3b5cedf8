"""Pages with a form that creates a secret (an API key, a webhook signing secret): a token against a
second submission, and the response that shows the secret once."""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.utils.cache import add_never_cache_headers

FORM_TOKEN_TTL = 24 * 3600


def form_token() -> str:
    """A hidden field for a form that creates a secret: a second submission (a reload) makes nothing new."""
    return secrets.token_urlsafe(16)


def first_submission(request) -> bool:
    token = request.POST.get("form_token", "")
    if not token:
        return True
    return cache.add(f"developers:form:{request.organization.pk}:{token[:64]}", 1, FORM_TOKEN_TTL)


def shown_once(response):
    """A page carrying a secret: never stored by the browser or a proxy, never sent on as a referrer."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response
