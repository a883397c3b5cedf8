"""Signing keys: an organization's new key, its rotation (a leaked key marked compromised), the key it
signs with now, and the platform's own key (created on first use). Private keys are sealed at rest."""

from __future__ import annotations

import logging
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.vc import keys as vc_keys

from .. import audit
from ..actors import Actor
from ..models import Organization, SigningKey, seal_context
from ..sealing import seal

log = logging.getLogger(
    "credstack.organizations.actions"
)  # log lines keep the name they had before the split


def new_key(org: Organization | None, fragment: str) -> SigningKey:
    """A new active key of ``org`` (None: of the platform), sealed at rest."""
    key = vc_keys.Ed25519Key.generate()
    return SigningKey.objects.create(
        organization=org,
        fragment=fragment,
        public_multibase=key.public_multibase,
        sealed_private_key=seal(key.private_bytes(), seal_context(org.pk if org else None, fragment)),
        active=True,
    )


@transaction.atomic
def rotate_key(
    org: Organization | None, *, actor: Actor | None = None, compromised: bool = False, reason: str = ""
) -> SigningKey:
    """Retire the active key of ``org`` (None: the platform's) and create a new one.

    The retired key stays in the DID document, so every credential it signed keeps verifying. An
    organization's rotation leaves an audit row (the platform's key belongs to no organization's log).

    ``compromised``: the retired key leaked (decision 0054). It is marked so and leaves the DID document:
    nothing it signed verifies any more. Signing again what it signed is the caller's job
    (``credstack.credentials.actions.rotate_compromised_key``), as is saying why (``reason``).
    """
    if compromised and org is None:
        raise ValueError("a compromised rotation is for an organization's key")
    if org is not None:
        org = Organization.objects.select_for_update().get(pk=org.pk)
    else:
        platform_key()
        list(SigningKey.objects.select_for_update().filter(organization=None, active=True))
    count = SigningKey.objects.filter(organization=org).count()
    now = timezone.now()
    if compromised:
        old = SigningKey.objects.get(organization=org, active=True)
        SigningKey.objects.filter(pk=old.pk).update(compromised_at=now)
        audit.record(org, actor, "organization.key_compromised", old.fragment, reason)
    SigningKey.objects.filter(organization=org, active=True).update(active=False, retired_at=now)
    # Numbered for people, unique for machines: a restored backup knows nothing of keys made after it,
    # so a counted id alone could name a new key like one that signed credentials since lost.
    key = new_key(org, f"key-{count + 1}-{secrets.token_hex(3)}")
    if org is not None:
        audit.record(
            org, actor, "organization.key_rotated", key.fragment, f"{key.fragment} signs from now on"
        )
    log.info("signing key rotated: %s now signs with %s", org.slug if org else "the platform", key.fragment)
    return key


def active_key(org: Organization) -> SigningKey:
    """The key ``org`` signs with now; its ``organization`` is ``org`` itself (the caller's instance:
    what it knows of the organization's domain is what the key's controller DID is built from, with no
    second lookup of it)."""
    key = SigningKey.objects.get(organization=org, active=True)
    key.organization = org
    return key


def platform_key() -> SigningKey:
    """The platform's active key (it signs portfolio exports under the deployment's did:web), created on
    first use."""
    key = SigningKey.objects.filter(organization=None, active=True).first()
    if key:
        return key
    try:
        with transaction.atomic():
            return new_key(None, "key-1")
    except IntegrityError:  # created concurrently
        return SigningKey.objects.get(organization=None, active=True)
