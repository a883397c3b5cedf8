"""Bearer authentication with organization API keys, the scope an operation needs, and the actor."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from credstack.organizations.actors import Actor

from . import problems
from .models import ApiKey

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiKey | None:
        # the Idempotency-Key middleware authenticates the request before the API does: one lookup
        seen = getattr(request, "credstack_api_key", None)
        if seen is not None and hmac.compare_digest(seen[0], token):
            return seen[1]
        key = self._lookup(token)
        if key is not None:
            request.organization = key.organization
            request.credstack_api_key = (token, key)
        return key

    def _lookup(self, token: str) -> ApiKey | None:
        parts = token.split("_")
        if len(parts) < 3 or parts[0] != "csk":
            return None
        key = (
            ApiKey.objects.select_related("organization")
            .filter(prefix=parts[1], revoked_at__isnull=True)
            .first()
        )
        if key is None or not hmac.compare_digest(key.secret_hash, ApiKey.hash(token)):
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most one write a minute
        return key


def actor_for(request) -> Actor:
    """Who makes a change through the API: the key that authenticated the request (``request.auth``)."""
    return Actor.for_api_key(request.auth)


def require(request, scope: str) -> None:
    """Refuse (403) unless the request's API key has ``scope`` (``read`` < ``issue`` < ``admin``)."""
    if not request.auth.allows(scope):
        raise problems.Problem(
            403,
            "Forbidden",
            f"this API key has scope '{request.auth.scope}'; this operation needs '{scope}'",
            slug="insufficient-scope",
        )
