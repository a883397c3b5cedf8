"""Where a holder goes to renew a credential (the expiry reminder's link).

The credentials app does not know the ways to earn an achievement again; the apps that offer one say
so here in their ``ready()`` (the learning app: take the course again). The first that offers a link
for a credential wins; with none, the holder is asked to contact the issuer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no models at import time: apps register providers from their AppConfig
    from .models import Credential

Provider = Callable[["Credential"], str | None]
_providers: list[Provider] = []


def offer(provider: Provider) -> None:
    """Register ``provider(credential) -> URL or None`` (idempotent: a provider is kept once)."""
    if provider not in _providers:
        _providers.append(provider)


def link(credential: Credential) -> str:
    """The URL where the credential's holder renews it, or "" when no app offers one."""
    for provider in _providers:
        url = provider(credential)
        if url:
            return url
    return ""
