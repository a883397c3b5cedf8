from __future__ import annotations

from credstack.vc import did as vc_did

from .models import Organization, SigningKey


def did_document(org: Organization) -> dict:
    """The organization's DID document: every key it ever signed with, newest last."""
    keys = SigningKey.objects.filter(organization=org).order_by("created_at", "id")
    return vc_did.did_document(org.did, [(k.fragment, k.public_multibase) for k in keys])
