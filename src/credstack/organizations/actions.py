"""Writes for organizations and their signing keys (and the platform's own key)."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.vc import keys as vc_keys

from .models import Organization, SigningKey, seal_context
from .sealing import seal

log = logging.getLogger(__name__)


def _new_key(org: Organization | None, fragment: str) -> SigningKey:
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
def create_organization(
    *, slug: str, name: str, url: str = "", email: str = "", image_url: str = ""
) -> Organization:
    """Create an organization with its first signing key."""
    org = Organization(slug=slug, name=name, url=url, email=email, image_url=image_url)
    org.full_clean()
    org.save()
    _new_key(org, "key-1")
    log.info("organization created: %s", slug)
    return org


@transaction.atomic
def rotate_key(org: Organization | None) -> SigningKey:
    """Retire the active key of ``org`` (None: the platform's) and create a new one.

    The retired key stays in the DID document, so every credential it signed keeps verifying.
    """
    if org is not None:
        org = Organization.objects.select_for_update().get(pk=org.pk)
    else:
        platform_key()
        list(SigningKey.objects.select_for_update().filter(organization=None, active=True))
    count = SigningKey.objects.filter(organization=org).count()
    SigningKey.objects.filter(organization=org, active=True).update(active=False, retired_at=timezone.now())
    key = _new_key(org, f"key-{count + 1}")
    log.info("signing key rotated: %s now signs with %s", org.slug if org else "the platform", key.fragment)
    return key


def active_key(org: Organization) -> SigningKey:
    return SigningKey.objects.select_related("organization").get(organization=org, active=True)


def platform_key() -> SigningKey:
    """The platform's active key (it signs portfolio exports under the deployment's did:web), created on
    first use."""
    key = SigningKey.objects.filter(organization=None, active=True).first()
    if key:
        return key
    try:
        with transaction.atomic():
            return _new_key(None, "key-1")
    except IntegrityError:  # created concurrently
        return SigningKey.objects.get(organization=None, active=True)
