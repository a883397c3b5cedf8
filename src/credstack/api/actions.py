"""API keys: created (the secret is shown once), revoked. The Developers page, the JSON API's tests and
the ``credstack apikey`` command all go through these two actions, which write the audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.organizations import audit
from credstack.organizations.actors import SYSTEM, Actor
from credstack.organizations.models import Organization, Role
from credstack.organizations.rules import require_role

from .models import SCOPES, ApiKey

MAX_NAME = 100


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    secret: str  # "csk_<prefix>_<secret>": shown once, never stored


def label(api_key: ApiKey) -> str:
    """How pages and the audit log name a key: its prefix, never its secret."""
    return f"csk_{api_key.prefix}_…"


def check_key_request(name: str, scope: str) -> str:
    """The key's name, stripped, or a ValidationError naming the fields that are wrong."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the key a name, e.g. the system that will use it.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("At most %(n)d characters.") % {"n": MAX_NAME}
    if scope not in SCOPES:
        errors["scope"] = _("Choose what the key may do (read, issue or admin).")
    if errors:
        raise ValidationError(errors)
    return name


def create_api_key(
    organization: Organization, *, name: str, scope: str = "read", actor: Actor = SYSTEM
) -> NewKey:
    """A new key for the organization. Admins and owners only."""
    name = check_key_request(name, scope)
    require_role(organization, actor, Role.ADMIN, _("Only owners and admins create API keys."))
    prefix = secrets.token_hex(6)
    token = f"csk_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            organization=organization,
            name=name,
            prefix=prefix,
            secret_hash=ApiKey.hash(token),
            scope=scope,
            created_by=actor.user_or_none,
        )
        audit.record(organization, actor, "apikey.created", label(key), f"{name} ({scope})")
    return NewKey(key, token)


def revoke_api_key(api_key: ApiKey, *, actor: Actor = SYSTEM) -> bool:
    """Refuse every request with the key from now on. False (and nothing written) if it was revoked."""
    org = api_key.organization
    require_role(org, actor, Role.ADMIN, _("Only owners and admins revoke API keys."))
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(org, actor, "apikey.revoked", label(api_key), api_key.name)
    if revoked:
        api_key.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)
