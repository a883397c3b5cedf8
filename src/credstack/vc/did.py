"""did:web and did:key: DIDs, DID documents with Multikey verification methods, key lookup.

did:web: ``https://host:8000/orgs/demo`` is ``did:web:host%3A8000:orgs:demo``, whose document is served
at ``https://host:8000/orgs/demo/did.json`` (``/.well-known/did.json`` when there is no path). Plain
http is used only for localhost, as the did:web spec allows for development.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credstack.vc import contexts, keys
from credstack.vc.errors import DidError, InvalidKeyError, error_reason

DID_WEB_PREFIX = "did:web:"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}
_HOST = re.compile(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?")
_PUBLIC_KEY_TYPES = {"Multikey", "Ed25519VerificationKey2020"}


def did_web_for(base_url: str, path: str | None = None) -> str:
    """The did:web DID for a deployment URL and an optional path under it.

    ``did_web_for("http://127.0.0.1:8000", "orgs/demo-academy")`` is
    ``"did:web:127.0.0.1%3A8000:orgs:demo-academy"``.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise DidError(f"{base_url!r} is not a plain http(s) URL, so it has no did:web")
    if "@" in parts.netloc or not _HOST.fullmatch(parts.netloc):
        raise DidError(f"{base_url!r} has a host that cannot be used in a did:web")
    segments = [s for s in parts.path.split("/") if s]
    if path:
        segments += [s for s in path.split("/") if s]
    return DID_WEB_PREFIX + ":".join(
        [quote(parts.netloc.lower(), safe="[]"), *(quote(s, safe="") for s in segments)]
    )


def did_web_url(did: str) -> str:
    """The URL of the DID document of a did:web DID (``#fragment`` ignored)."""
    if not isinstance(did, str) or not did.startswith(DID_WEB_PREFIX):
        raise DidError(f"{did!r} is not a did:web DID")
    host, *segments = did[len(DID_WEB_PREFIX) :].split("#", 1)[0].split(":")
    host = unquote(host)
    if not _HOST.fullmatch(host) or any(not s or "/" in unquote(s) for s in segments):
        raise DidError(f"{did!r} is not a valid did:web DID", code="did.web-invalid", did=did)
    scheme = "http" if host.rsplit(":", 1)[0] in _LOCAL_HOSTS or host in _LOCAL_HOSTS else "https"
    path = "/".join(segments) + "/did.json" if segments else ".well-known/did.json"
    return f"{scheme}://{host}/{path}"


def did_document(did: str, verification_methods: list[tuple[str, str]]) -> dict[str, Any]:
    """A DID document listing Multikey verification methods, all usable for ``assertionMethod``.

    ``verification_methods`` holds ``(fragment, public_multibase)`` pairs; a method's id is
    ``did#fragment``.
    """
    methods = [
        {"id": f"{did}#{fragment}", "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
        for fragment, multibase in verification_methods
    ]
    return {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def resolve_did_key(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519, P-256 or P-384 did:key (as Digital Bazaar's did-method-key gives
    it, less keyAgreement)."""
    did = did.split("#", 1)[0]
    multibase = did[len(keys.DID_KEY_PREFIX) :] if did.startswith(keys.DID_KEY_PREFIX) else ""
    try:
        keys.verification_key_from_multibase(multibase)
    except InvalidKeyError as exc:
        raise DidError(
            f"{did!r} is not an Ed25519, P-256 or P-384 did:key: {exc}",
            code="did.key-invalid",
            did=repr(did),
            reason=error_reason(exc),
        ) from exc
    document = did_document(did, [(multibase, multibase)])
    vm_id = document["verificationMethod"][0]["id"]
    for relationship in ("authentication", "capabilityInvocation", "capabilityDelegation"):
        document[relationship] = [vm_id]
    return document


def verification_method(
    document: dict[str, Any], vm_id: str, relationship: str = "assertionMethod"
) -> dict[str, Any]:
    """The verification method ``vm_id`` of a DID document, if the document lists it under
    ``relationship`` (by reference or embedded). Raises DidError otherwise."""
    did = vm_id.split("#", 1)[0]
    if not isinstance(document, dict) or document.get("id") != did:
        raise DidError(
            f"the DID document fetched for {did!r} is not that DID's document",
            code="did.wrong-document",
            did=did,
        )
    listed = document.get(relationship) or []
    if not isinstance(listed, list):
        listed = [listed]
    embedded = [m for m in document.get("verificationMethod") or [] if isinstance(m, dict)]
    for entry in listed:
        if entry == vm_id:
            method = next((m for m in embedded if _absolute_id(m.get("id"), did) == vm_id), None)
            if method is not None:
                return method
        elif isinstance(entry, dict) and _absolute_id(entry.get("id"), did) == vm_id:
            return entry
    raise DidError(
        f"{did!r} does not list the key {vm_id!r} for {relationship}",
        code="did.key-not-listed",
        did=did,
        key=vm_id,
        relationship=relationship,
    )


def public_key(method: dict[str, Any], controller: str) -> bytes:
    """The public key of a verification method whose controller must be ``controller``: Ed25519
    (Multikey, Ed25519VerificationKey2020), or P-256 / P-384 (Multikey)."""
    if method.get("controller") != controller:
        raise DidError(
            f"the key {method.get('id')!r} is controlled by {method.get('controller')!r}, "
            f"not by {controller!r}",
            code="did.key-controller",
            key=method.get("id"),
            controller=method.get("controller"),
            expected=controller,
        )
    if method.get("type") not in _PUBLIC_KEY_TYPES:
        raise DidError(
            f"the key {method.get('id')!r} has type {method.get('type')!r}; only Multikey and "
            "Ed25519VerificationKey2020 keys are supported",
            code="did.key-type-unsupported",
            key=method.get("id"),
            type=method.get("type"),
        )
    try:
        if method["type"] == "Multikey":
            return keys.verification_key_from_multibase(method.get("publicKeyMultibase"))
        return keys.public_key_from_multibase(method.get("publicKeyMultibase"))
    except InvalidKeyError as exc:
        raise DidError(
            f"the key {method.get('id')!r}: {exc}",
            code="did.key-unusable",
            key=method.get("id"),
            reason=error_reason(exc),
        ) from exc


def _absolute_id(value: object, did: str) -> object:
    return did + value if isinstance(value, str) and value.startswith("#") else value
