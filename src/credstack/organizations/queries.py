from __future__ import annotations

from credstack.vc import did as vc_did

from .actions import platform_key
from .models import Organization, SigningKey, platform_did


def did_document(org: Organization) -> dict:
    """The organization's DID document: every key it ever signed with, newest last, except the keys
    marked compromised (decision 0054): what a leaked key signs must not verify."""
    keys = SigningKey.objects.filter(organization=org, compromised_at=None).order_by("created_at", "id")
    return vc_did.did_document(org.did, [(k.fragment, k.public_multibase) for k in keys])


def platform_did_document() -> dict:
    """The platform's DID document (did:web of the base URL, served at /.well-known/did.json): every key
    it ever signed with, newest last. The first request creates the platform key."""
    platform_key()
    keys = SigningKey.objects.filter(organization=None).order_by("created_at", "id")
    return vc_did.did_document(platform_did(), [(k.fragment, k.public_multibase) for k in keys])
