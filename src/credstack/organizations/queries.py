from __future__ import annotations

from credstack.vc import did as vc_did

from .actions import platform_key
from .models import Domain, Organization, SigningKey, platform_did


def did_document(org: Organization, did: str | None = None) -> dict:
    """The organization's DID document: every key it ever signed with, newest last, except the keys
    marked compromised (decision 0054): what a leaked key signs must not verify. ``did``: one of its
    DIDs (default: its path DID under the deployment); each of them lists the same keys, and names the
    others in ``alsoKnownAs``, so what was signed under any of them keeps verifying (decision 0049)."""
    did = did or org.path_did
    keys = SigningKey.objects.filter(organization=org, compromised_at=None).order_by("created_at", "id")
    document = vc_did.did_document(did, [(k.fragment, k.public_multibase) for k in keys])
    others = [d for d in dict.fromkeys(org.all_dids()) if d != did]
    if others:
        document["alsoKnownAs"] = others
    return document


def domain_for_host(host: str) -> Domain | None:
    """The organization's domain (active or retired) of a host name (any port, any case), or None."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip().lower().rstrip(".")
    if not name:
        return None
    return Domain.objects.select_related("organization").filter(host=name).first()


def platform_did_document() -> dict:
    """The platform's DID document (did:web of the base URL, served at /.well-known/did.json): every key
    it ever signed with, newest last. The first request creates the platform key."""
    platform_key()
    keys = SigningKey.objects.filter(organization=None).order_by("created_at", "id")
    return vc_did.did_document(platform_did(), [(k.fragment, k.public_multibase) for k in keys])
