"""Writes for organizations and their signing keys."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from credstack.vc import keys as vc_keys

from .models import Organization, SigningKey, seal_context
from .sealing import seal

log = logging.getLogger(__name__)


def _new_key(org: Organization, fragment: str) -> SigningKey:
    key = vc_keys.Ed25519Key.generate()
    return SigningKey.objects.create(
        organization=org,
        fragment=fragment,
        public_multibase=key.public_multibase,
        sealed_private_key=seal(key.private_bytes(), seal_context(org.pk, fragment)),
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
def rotate_key(org: Organization) -> SigningKey:
    """Retire the active key and create a new one.

    The retired key stays in the DID document, so every credential it signed keeps verifying.
    """
    org = Organization.objects.select_for_update().get(pk=org.pk)
    count = SigningKey.objects.filter(organization=org).count()
    SigningKey.objects.filter(organization=org, active=True).update(active=False, retired_at=timezone.now())
    key = _new_key(org, f"key-{count + 1}")
    log.info("signing key rotated: %s now signs with %s", org.slug, key.fragment)
    return key


def active_key(org: Organization) -> SigningKey:
    return SigningKey.objects.select_related("organization").get(organization=org, active=True)
