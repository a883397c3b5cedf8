"""Endpoints: created, changed, turned on or off, deleted; REST Hooks subscriptions (Zapier, Make, n8n).

Each change takes an ``Actor``, checks the admin role (``may_manage``) and writes the audit row. The
checks of a receiver URL, a description and event types live here too; delivery and rotation use them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.organizations import audit
from credstack.organizations.actors import SYSTEM, Actor
from credstack.organizations.models import Organization, Role
from credstack.organizations.rules import require_role
from credstack.ui import blocked

from .. import outbound, signing
from ..models import EVENT_TYPES, WebhookEndpoint


def allow_private() -> bool:
    """Whether this deployment may call private addresses (``CREDSTACK_WEBHOOKS_ALLOW_PRIVATE``; tests)."""
    return bool(getattr(settings, "CREDSTACK_WEBHOOKS_ALLOW_PRIVATE", False))


def validate_url(url: str) -> None:
    """Refuse a receiver URL this deployment would never call."""
    parts = urlsplit(url)
    if "\x00" in url or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("must be an http(s) URL")})
    try:
        outbound.resolve(parts.hostname, parts.port or 443, allow_private())
    except outbound.BlockedTarget as exc:
        raise ValidationError({"url": blocked.reason(exc)})


def _check_description(description: str) -> str:
    if "\x00" in description:  # PostgreSQL cannot store it; forms refuse it too
        raise ValidationError({"description": _("must not contain NUL characters")})
    return description


def _check_events(event_types: list[str]) -> list[str]:
    unknown = [e for e in event_types if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"event_types": _("unknown event types: %(types)s") % {"types": ", ".join(unknown)}}
        )
    return sorted(set(event_types))


class EndpointOff(Exception):
    """The endpoint is disabled: turn it on before sending it anything (pages show it, the API says 409)."""

    def __init__(self, endpoint: WebhookEndpoint):
        super().__init__("the endpoint is off: turn it on first")
        self.endpoint = endpoint


def require_on(endpoint: WebhookEndpoint) -> None:
    """Refuse with ``EndpointOff`` unless the endpoint is on now (the row, not a stale copy, decides)."""
    endpoint.refresh_from_db(fields=["enabled", "disabled_reason", "disabled_at"])
    if not endpoint.enabled:
        raise EndpointOff(endpoint)


def may_manage(organization: Organization, actor: Actor) -> None:
    """Refuse unless the actor is an owner or admin of the organization."""
    require_role(organization, actor, Role.ADMIN, _("Only owners and admins manage webhook endpoints."))


def create_endpoint(
    organization: Organization,
    *,
    url: str,
    event_types: list[str] | None = None,
    description: str = "",
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    validate_url(url)
    description, event_types = _check_description(description), _check_events(event_types or [])
    may_manage(organization, actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=url,
            description=description,
            event_types=event_types,
            secret=signing.new_secret(),
        )
        audit.record(organization, actor, "webhook.created", endpoint.public_id, endpoint.url)
    return endpoint


def subscribe_hook(
    organization: Organization, *, target_url: str, event: str, actor: Actor = SYSTEM
) -> WebhookEndpoint:
    """A REST Hooks subscription (Zapier, Make, n8n): an endpoint for one event type, made by an API
    client rather than an administrator, removed by ``unsubscribe_hook`` or a 410 Gone answer."""
    validate_url(target_url)
    if event not in EVENT_TYPES:
        raise ValidationError(
            {
                "event": _("unknown event type %(event)s; one of: %(types)s")
                % {"event": repr(event), "types": ", ".join(EVENT_TYPES)}
            },
            code="invalid",
        )
    may_manage(organization, actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=target_url,
            description=f"REST hook: {event}",
            event_types=[event],
            secret=signing.new_secret(),
            rest_hook=True,
        )
        audit.record(
            organization, actor, "webhook.subscribed", endpoint.public_id, f"{event} -> {target_url}"
        )
    return endpoint


def unsubscribe_hook(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> None:
    """End a REST Hooks subscription (its deliveries go with it; the audit row keeps id and URL)."""
    if not endpoint.rest_hook:
        raise ValidationError(
            _("this endpoint was made by an administrator, not by a REST hook subscription")
        )
    may_manage(endpoint.organization, actor)
    with transaction.atomic():
        audit.record(endpoint.organization, actor, "webhook.unsubscribed", endpoint.public_id, endpoint.url)
        endpoint.delete()


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    actor: Actor = SYSTEM,
) -> WebhookEndpoint:
    """Change the URL, the events or the description, and/or turn the endpoint on or off."""
    if url is not None:
        validate_url(url)
    if event_types is not None:
        event_types = _check_events(event_types)
    if description is not None:
        description = _check_description(description)
    may_manage(endpoint.organization, actor)
    with transaction.atomic():
        edited = url is not None or event_types is not None or description is not None
        if url is not None:
            endpoint.url = url
        if event_types is not None:
            endpoint.event_types = event_types
        if description is not None:
            endpoint.description = description
        if edited:
            endpoint.save(update_fields=["url", "event_types", "description"])
            audit.record(endpoint.organization, actor, "webhook.updated", endpoint.public_id, endpoint.url)
        if enabled is not None:
            set_endpoint_enabled(endpoint, enabled, actor=actor)
    return endpoint


def set_endpoint_enabled(endpoint: WebhookEndpoint, enabled: bool, *, actor: Actor = SYSTEM) -> bool:
    """Turn the endpoint on or off. False (nothing written) if it already was."""
    may_manage(endpoint.organization, actor)
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=not enabled).update(
            enabled=enabled,
            disabled_reason="" if enabled else "disabled by an administrator",
            disabled_at=None if enabled else timezone.now(),
        )
        if changed:
            verb = "webhook.enabled" if enabled else "webhook.disabled"
            audit.record(endpoint.organization, actor, verb, endpoint.public_id, endpoint.url)
    endpoint.refresh_from_db(fields=["enabled", "disabled_reason", "disabled_at"])
    return bool(changed)


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: Actor = SYSTEM) -> None:
    """Delete the endpoint with its delivery log (the audit row keeps its id and URL)."""
    may_manage(endpoint.organization, actor)
    with transaction.atomic():
        audit.record(endpoint.organization, actor, "webhook.deleted", endpoint.public_id, endpoint.url)
        endpoint.delete()
