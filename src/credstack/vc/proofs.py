"""Data Integrity proofs: sign and verify ``eddsa-rdfc-2022``; verify legacy ``Ed25519Signature2020``.

Both follow the W3C algorithms as Digital Bazaar implements them: the signed bytes are
``sha256(canonical proof configuration) || sha256(canonical document without proof)``, the proof
configuration being the proof without ``proofValue`` and with the document's ``@context``; the
canonical form is RDFC-1.0 N-Quads in safe mode (:mod:`credstack.vc.canon`); ``proofValue`` is ``z`` +
base58btc of the 64-byte Ed25519 signature.

The proof-configuration hash depends only on the context, ``created``, the key and the purpose, so it is
cached: a batch signed with one ``created`` and key canonicalizes it once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from credstack.vc import canon, contexts, dates, keys
from credstack.vc.errors import DocumentError, InvalidKeyError, ProofError, VCError

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"

canonicalize = canon.canonicalize

ResolveKey = Callable[[str], bytes | None]


@dataclass(frozen=True)
class ProofResult:
    """The outcome of :func:`verify`. ``error`` says why when ``verified`` is False."""

    verified: bool
    proof_type: str | None = None
    verification_method: str | None = None
    proof_purpose: str | None = None
    created: str | None = None
    error: str | None = None


def sign(
    doc: dict[str, Any],
    key: keys.Ed25519Key,
    verification_method: str,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    on_data: Callable[[bytes], None] | None = None,
) -> dict[str, Any]:
    """A copy of ``doc`` with an ``eddsa-rdfc-2022`` DataIntegrityProof.

    ``created`` defaults to now (UTC, whole seconds). ``on_data`` is called with the bytes signed
    (``sha256(proof configuration) || sha256(document)``), for a signer that checks its signature
    without canonicalizing the document again (decision 0032). Raises a DocumentError if ``doc`` cannot be
    canonicalized in safe mode, ProofError if it already has a proof or lacks a context for the proof.
    """
    if not isinstance(doc, dict) or "@context" not in doc:
        raise ProofError("only a JSON-LD object with an @context can be signed")
    if "proof" in doc:
        raise ProofError("the document already has a proof; credstack does not add proof sets")
    if not _has_proof_context(doc["@context"]):
        raise ProofError(
            f"the document's @context must include {contexts.VC_V2} (or "
            f"{contexts.DATA_INTEGRITY_V2}) for a DataIntegrityProof"
        )
    created = _created(created)
    proof = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = _config_hash(doc["@context"], proof) + canon.canonical_hash(doc)
    if on_data is not None:
        on_data(data)
    return {**doc, "proof": {**proof, "proofValue": keys.multibase_encode(key.sign(data))}}


def verify(doc: dict[str, Any], resolve_key: ResolveKey) -> ProofResult:
    """Verify the proof of ``doc``; ``resolve_key(verification_method_id)`` returns the 32-byte public key
    (or None if unknown). Never raises for a bad document or proof: the result says what is wrong."""
    proof = doc.get("proof") if isinstance(doc, dict) else None
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        return ProofResult(False, error="the document has no proof (or several, which is not supported)")
    proof_type = proof.get("type")
    vm = proof.get("verificationMethod")
    vm = vm.get("id") if isinstance(vm, dict) else vm
    result = {
        "proof_type": proof_type,
        "verification_method": vm if isinstance(vm, str) else None,
        "proof_purpose": proof.get("proofPurpose"),
        "created": proof.get("created"),
    }
    try:
        _check_proof(proof, vm)
        public_key = resolve_key(vm) if isinstance(vm, str) else None  # _check_proof refused others
        if public_key is None:
            raise ProofError(f"the key {vm!r} could not be found")
        if not keys.verify_signature(
            public_key, keys.multibase_decode(proof["proofValue"]), _verify_data(doc, proof)
        ):
            raise ProofError(
                "the signature does not match the document: it was changed after signing, or "
                "signed by another key"
            )
    except VCError as exc:
        return ProofResult(False, **result, error=str(exc))
    return ProofResult(True, **result)


def _check_proof(proof: dict[str, Any], vm: object) -> None:
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        if proof.get("cryptosuite") != EDDSA_RDFC_2022:
            raise ProofError(
                f"the cryptosuite {proof.get('cryptosuite')!r} is not supported (only {EDDSA_RDFC_2022})"
            )
    elif proof_type != ED25519_SIGNATURE_2020:
        raise ProofError(
            f"the proof type {proof_type!r} is not supported (only {DATA_INTEGRITY_PROOF} "
            f"{EDDSA_RDFC_2022} and {ED25519_SIGNATURE_2020})"
        )
    if not isinstance(vm, str) or not vm:
        raise ProofError("the proof names no verificationMethod")
    if "created" in proof and dates.parse_datetime(proof["created"]) is None:
        raise ProofError(f"the proof's created {proof['created']!r} is not an XML Schema dateTime")
    value = proof.get("proofValue")
    try:
        signature = keys.multibase_decode(value)
    except InvalidKeyError:
        signature = b""
    if len(signature) != 64:
        raise ProofError("the proofValue is not a z-base58btc Ed25519 signature (64 bytes)")


def _verify_data(doc: dict[str, Any], proof: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    if "@context" not in doc:
        raise DocumentError("the document has no @context")
    if proof["type"] == ED25519_SIGNATURE_2020:
        config = {"@context": doc["@context"], **proof}
        for name in ("proofValue", "jws", "signatureValue"):
            config.pop(name, None)
        return hashlib.sha256(
            canon.canonicalize(config, rdf_direction=None).encode()
        ).digest() + canon.canonical_hash(unsigned, rdf_direction=None)
    config = {"@context": doc["@context"], **proof}
    config.pop("proofValue")
    if not _has_proof_context(config["@context"]):
        ctx = config["@context"]
        config["@context"] = (
            [*ctx, contexts.DATA_INTEGRITY_V2] if isinstance(ctx, list) else [ctx, contexts.DATA_INTEGRITY_V2]
        )
    return _config_hash(config.pop("@context"), config) + canon.canonical_hash(unsigned)


def _config_hash(context: object, proof: dict[str, Any]) -> bytes:
    """sha256 of the canonical proof configuration (cached when the proof holds only strings)."""
    if all(isinstance(v, str) for v in proof.values()):
        return _cached_config_hash(json.dumps(context), tuple(proof.items()))
    return canon.canonical_hash({"@context": context, **proof})


@lru_cache(maxsize=256)
def _cached_config_hash(context_json: str, proof_items: tuple[tuple[str, str], ...]) -> bytes:
    return canon.canonical_hash({"@context": json.loads(context_json), **dict(proof_items)})


def _has_proof_context(context: object) -> bool:
    names = context if isinstance(context, list) else [context]
    return contexts.VC_V2 in names or contexts.DATA_INTEGRITY_V2 in names


def _created(created: datetime | str | None) -> str:
    if created is None:
        return dates.format_datetime(dates.now())
    if isinstance(created, datetime):
        return dates.format_datetime(created)
    if dates.parse_datetime(created) is None:
        raise ProofError(f"created {created!r} is not an XML Schema dateTime")
    return created
