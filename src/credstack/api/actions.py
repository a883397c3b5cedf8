"""API keys: created (the secret is shown once), revoked."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from credstack.organizations.models import Organization

from .models import SCOPES, ApiKey


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    secret: str  # "csk_<prefix>_<secret>": shown once, never stored


@transaction.atomic
def create_api_key(organization: Organization, *, name: str, scope: str = "read", created_by=None) -> NewKey:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    prefix = secrets.token_hex(6)
    token = f"csk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        organization=organization,
        name=name or "API key",
        prefix=prefix,
        secret_hash=ApiKey.hash(token),
        scope=scope,
        created_by=created_by,
    )
    return NewKey(key, token)


def revoke_api_key(api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
