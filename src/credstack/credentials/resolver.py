"""Serve this deployment's own DID documents and status lists to the verifier without HTTP."""

from __future__ import annotations

import json
from urllib.parse import unquote

from django.conf import settings

from credstack.organizations.models import Organization, platform_did
from credstack.organizations.queries import did_document, domain_for_host, platform_did_document

from .models import StatusList


class NotLocal(LookupError):
    """The URL is not one this deployment serves."""


def local_fetch(url: str) -> dict:
    """Resolve a did:web of one of our organizations, or one of our status list URLs."""
    if url.startswith("did:web:"):
        did = url.split("#", 1)[0]
        platform = _platform_document(did)
        if platform is not None:
            return platform
        org = Organization.objects.filter(slug=did.rsplit(":", 1)[-1]).first()
        if org and org.path_did == did:
            return did_document(org)
        # did:web:<host> of an organization's own domain (decision 0049)
        domain = domain_for_host(unquote(did[len("did:web:") :].split(":", 1)[0]))
        if domain is not None and domain.did == did:
            return did_document(domain.organization, did)
        raise NotLocal(url)
    bare = url.split("://", 1)[-1]
    domain = domain_for_host(bare.split("/", 1)[0])
    if domain is not None and bare == domain.origin.split("://", 1)[-1] + "/.well-known/did.json":
        return did_document(domain.organization, domain.did)
    # did:web always resolves over https; a deployment on plain http (development) still matches.
    base = settings.CREDSTACK_BASE_URL.split("://", 1)[-1] + "/"
    if not bare.startswith(base):
        raise NotLocal(url)
    parts = bare[len(base) :].split("/")
    if parts == [".well-known", "did.json"]:
        platform = _platform_document(platform_did())
        if platform is not None:
            return platform
    if len(parts) == 3 and parts[0] == "orgs" and parts[2] == "did.json":
        org = Organization.objects.filter(slug=parts[1]).first()
        if org:
            return did_document(org)
    if len(parts) == 3 and parts[0] == "status" and parts[2] in StatusList.PURPOSES:
        status_list = StatusList.objects.filter(public_id=parts[1]).first()
        if status_list:
            return json.loads(getattr(status_list, f"{parts[2]}_document"))
    raise NotLocal(url)


def _platform_document(did: str) -> dict | None:
    """The deployment's own DID document (its platform keys sign portfolio exports), if ``did`` is it."""
    if did != platform_did():
        return None
    return platform_did_document()
