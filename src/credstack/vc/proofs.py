"""Data Integrity proofs: sign and verify ``eddsa-rdfc-2022``; verify legacy ``Ed25519Signature2020``
and other issuers' ``ecdsa-rdfc-2019`` (P-256 with SHA-256, P-384 with SHA-384) and ``ecdsa-sd-2023``
(selective disclosure, base and derived proofs: :mod:`credstack.vc.sd`).

A document may carry one proof (an object, or a list of one: the strict JSON binding of Open Badges 3.0
wants the list) or several: a *proof set* (independent proofs over the same document) or a *proof chain*
(a proof naming others in ``previousProof``, which it then also signs, as VC Data Integrity 1.0 §4.2
says: the document it secures holds the matching earlier proofs). :func:`verify_all` verifies each one;
:func:`verify` gives one verdict, valid only if every proof verifies.

Both follow the W3C algorithms as Digital Bazaar implements them: the signed bytes are
``sha256(canonical proof configuration) || sha256(canonical document without proof)``, the proof
configuration being the proof without ``proofValue`` and with the document's ``@context``; the
canonical form is RDFC-1.0 N-Quads in safe mode (:mod:`credstack.vc.canon`); ``proofValue`` is ``z`` +
base58btc of the 64-byte Ed25519 signature. ``ecdsa-rdfc-2019`` is the same with the key's curve hash
(SHA-256 for P-256, SHA-384 for P-384) in place of SHA-256 and an r || s ECDSA signature (64 or 96 bytes).

The proof-configuration hash depends only on the context, ``created``, the key and the purpose, so it is
cached: a batch signed with one ``created`` and key canonicalizes it once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from credstack.vc import canon, contexts, dates, keys, sd
from credstack.vc.errors import DocumentError, InvalidKeyError, ProofError, VCError, error_reason, reason

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
ECDSA_SD_2023 = sd.ECDSA_SD_2023
VERIFIED_CRYPTOSUITES = (EDDSA_RDFC_2022, ECDSA_RDFC_2019, ECDSA_SD_2023)
ECDSA_CRYPTOSUITES = (ECDSA_RDFC_2019, ECDSA_SD_2023)
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"

canonicalize = canon.canonicalize

ResolveKey = Callable[[str], bytes | None]


@dataclass(frozen=True)
class ProofResult:
    """The outcome of :func:`verify`. ``error`` says why when ``verified`` is False (in English; ``reason``:
    the same as :func:`~credstack.vc.errors.reason` data, with its code and params)."""

    verified: bool
    proof_type: str | None = None
    verification_method: str | None = None
    proof_purpose: str | None = None
    created: str | None = None
    error: str | None = None
    cryptosuite: str | None = None
    disclosure: str | None = None  # ecdsa-sd-2023: "derived" (selective disclosure) or "base"
    reason: dict[str, Any] | None = None


def sign(
    doc: dict[str, Any],
    key: keys.Ed25519Key,
    verification_method: str,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    as_list: bool = False,
    proof_id: str | None = None,
    previous_proof: str | None = None,
    on_data: Callable[[bytes], None] | None = None,
) -> dict[str, Any]:
    """A copy of ``doc`` with an ``eddsa-rdfc-2022`` DataIntegrityProof.

    ``created`` defaults to now (UTC, whole seconds). ``as_list``: ``proof`` is a list of one (the strict
    JSON binding of Open Badges 3.0), not the object; both sign the same bytes. ``previous_proof``: the
    id of a proof ``doc`` already has; the new proof joins the list and chains to it (it signs the
    document holding that proof). ``on_data`` is called with the bytes signed
    (``sha256(proof configuration) || sha256(document)``), for a signer that checks its signature
    without canonicalizing the document again (decision 0033). Raises a DocumentError if ``doc`` cannot be
    canonicalized in safe mode, ProofError if it already has a proof (without ``previous_proof``) or lacks
    a context for the proof.
    """
    if not isinstance(doc, dict) or "@context" not in doc:
        raise ProofError("only a JSON-LD object with an @context can be signed")
    existing = proof_list(doc)
    if existing and previous_proof is None:
        raise ProofError("the document already has a proof; name it in previous_proof to chain to it")
    if previous_proof is not None and previous_proof not in [
        p.get("id") for p in existing if isinstance(p, dict)
    ]:
        raise ProofError(f"the document has no proof with the id {previous_proof!r} to chain to")
    if not _has_proof_context(doc["@context"]):
        raise ProofError(
            f"the document's @context must include {contexts.VC_V2} (or "
            f"{contexts.DATA_INTEGRITY_V2}) for a DataIntegrityProof"
        )
    created = _created(created)
    proof = {"id": proof_id} if proof_id is not None else {}
    proof |= {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    if previous_proof is not None:
        proof["previousProof"] = previous_proof
        unsigned["proof"] = [p for p in existing if isinstance(p, dict) and p.get("id") == previous_proof]
    data = _config_hash(doc["@context"], proof) + canon.canonical_hash(unsigned)
    if on_data is not None:
        on_data(data)
    signed = {**proof, "proofValue": keys.multibase_encode(key.sign(data))}
    if existing:
        return {**doc, "proof": [*existing, signed]}
    return {**doc, "proof": [signed] if as_list else signed}


def proof_list(doc: object) -> list[Any]:
    """The proofs of ``doc`` as a list (empty if it has none)."""
    proof = doc.get("proof") if isinstance(doc, dict) else None
    if proof is None:
        return []
    return proof if isinstance(proof, list) else [proof]


def verify(doc: dict[str, Any], resolve_key: ResolveKey) -> ProofResult:
    """Verify the proof(s) of ``doc``; ``resolve_key(verification_method_id)`` returns the 32-byte public
    key (or None if unknown). Never raises for a bad document or proof: the result says what is wrong.

    With several proofs (a set or a chain) the result is the first proof's, valid only if every proof
    verifies; otherwise it is the first failing proof's, its error saying which proof it is."""
    results = verify_all(doc, resolve_key)
    failed = [(i, r) for i, r in enumerate(results) if not r.verified]
    if not failed:
        return results[0]
    if len(results) == 1:
        return results[0]
    i, result = failed[0]
    return replace(
        result,
        error=f"proof {i + 1} of {len(results)}: {result.error}",
        reason=reason(
            f"proof {i + 1} of {len(results)}: {result.error}",
            "proof.nth",
            {"number": i + 1, "count": len(results), "reason": result.reason},
        ),
    )


def verify_all(doc: dict[str, Any], resolve_key: ResolveKey) -> list[ProofResult]:
    """One result per proof of ``doc``, in order (one failing result if it has none).

    A proof with ``previousProof`` is verified over the document holding the proofs it names (they must
    be in the document, and are verified in their own right too)."""
    proofs = proof_list(doc)
    if not proofs:
        why = reason("the document has no proof", "proof.none")
        return [ProofResult(False, error=why["message"], reason=why)]
    return [verify_one(doc, proof, resolve_key) for proof in proofs]


def verify_one(doc: dict[str, Any], proof: object, resolve_key: ResolveKey) -> ProofResult:
    """Verify one proof of ``doc`` (one of its proof set, or the end of a chain)."""
    by_id = {p["id"]: p for p in proof_list(doc) if isinstance(p, dict) and isinstance(p.get("id"), str)}
    return _verify_one(doc, proof, by_id, resolve_key)


def _verify_one(
    doc: dict[str, Any], proof: object, by_id: dict[str, Any], resolve_key: ResolveKey
) -> ProofResult:
    if not isinstance(proof, dict):
        why = reason("a proof is not a JSON object", "proof.not-object")
        return ProofResult(False, error=why["message"], reason=why)
    proof_type = proof.get("type")
    vm = proof.get("verificationMethod")
    vm = vm.get("id") if isinstance(vm, dict) else vm
    result: dict[str, Any] = {
        "proof_type": proof_type,
        "verification_method": vm if isinstance(vm, str) else None,
        "proof_purpose": proof.get("proofPurpose"),
        "created": proof.get("created"),
        "cryptosuite": proof.get("cryptosuite") if proof_type == DATA_INTEGRITY_PROOF else None,
    }
    try:
        _check_proof(proof, vm)
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        previous = _previous(proof, by_id)
        if previous:
            unsigned["proof"] = previous
        public_key = resolve_key(vm) if isinstance(vm, str) else None  # _check_proof refused others
        if public_key is None:
            raise ProofError(f"the key {vm!r} could not be found", code="proof.key-not-found", key=vm)
        ecdsa = proof.get("cryptosuite") in ECDSA_CRYPTOSUITES
        if ecdsa != keys.is_ecdsa_key(public_key):
            raise ProofError(
                f"the key {vm!r} is {'a P-256/P-384' if keys.is_ecdsa_key(public_key) else 'an Ed25519'} "
                f"key, which cannot make a {result['cryptosuite'] or proof_type} proof",
                code="proof.key-is-ecdsa" if keys.is_ecdsa_key(public_key) else "proof.key-is-ed25519",
                key=vm,
                suite=result["cryptosuite"] or proof_type,
            )
        if proof.get("cryptosuite") == ECDSA_SD_2023:
            parsed = sd.verify(
                unsigned, proof, public_key, canon.canonicalize(_proof_config(unsigned, proof))
            )
            kind = "base" if isinstance(parsed, sd.BaseProof) else "derived"
            return ProofResult(True, **result, disclosure=kind)
        signature = keys.multibase_decode(proof["proofValue"])
        if ecdsa:
            digest = "sha384" if len(public_key) == 49 else "sha256"
            ok = keys.verify_ecdsa(public_key, signature, _verify_data(unsigned, proof, digest))
        else:
            ok = keys.verify_signature(public_key, signature, _verify_data(unsigned, proof))
        if not ok:
            raise ProofError(
                "the signature does not match the document: it was changed after signing, or "
                "signed by another key",
                code="proof.signature-mismatch",
            )
    except VCError as exc:
        return ProofResult(False, **result, error=str(exc), reason=error_reason(exc))
    return ProofResult(True, **result)


def _previous(proof: dict[str, Any], by_id: dict[str, Any]) -> list[Any]:
    """The proofs ``proof`` names in ``previousProof`` (a chain), as the document it signed held them."""
    names = proof.get("previousProof")
    if names is None:
        return []
    names = names if isinstance(names, list) else [names]
    if not names or not all(isinstance(n, str) for n in names):
        raise ProofError("previousProof must name earlier proofs by their id", code="proof.previous-not-ids")
    missing = [n for n in names if n not in by_id]
    if missing:
        raise ProofError(
            f"previousProof {missing[0]!r} is not a proof of this document (a broken chain)",
            code="proof.previous-missing",
            previous=missing[0],
        )
    if proof.get("id") in names:
        raise ProofError("a proof names itself in previousProof", code="proof.previous-self")
    return [by_id[n] for n in names]


def _check_proof(proof: dict[str, Any], vm: object) -> None:
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        if proof.get("cryptosuite") not in VERIFIED_CRYPTOSUITES:
            raise ProofError(
                f"the cryptosuite {proof.get('cryptosuite')!r} is not supported (only "
                f"{', '.join(VERIFIED_CRYPTOSUITES)})",
                code="proof.cryptosuite-unsupported",
                cryptosuite=proof.get("cryptosuite"),
                supported=", ".join(VERIFIED_CRYPTOSUITES),
            )
    elif proof_type != ED25519_SIGNATURE_2020:
        raise ProofError(
            f"the proof type {proof_type!r} is not supported (only {DATA_INTEGRITY_PROOF} "
            f"{' / '.join(VERIFIED_CRYPTOSUITES)} and {ED25519_SIGNATURE_2020})",
            code="proof.type-unsupported",
            type=proof_type,
            supported=f"{DATA_INTEGRITY_PROOF} {' / '.join(VERIFIED_CRYPTOSUITES)}, {ED25519_SIGNATURE_2020}",
        )
    if not isinstance(vm, str) or not vm:
        raise ProofError("the proof names no verificationMethod", code="proof.no-verification-method")
    if "created" in proof and dates.parse_datetime(proof["created"]) is None:
        raise ProofError(
            f"the proof's created {proof['created']!r} is not an XML Schema dateTime",
            code="proof.created-not-a-date",
            created=proof["created"],
        )
    if proof.get("cryptosuite") == ECDSA_SD_2023:
        sd.parse_proof_value(proof.get("proofValue"))  # refuses a malformed one, saying why
        return
    value = proof.get("proofValue")
    try:
        signature = keys.multibase_decode(value)
    except InvalidKeyError:
        signature = b""
    if proof.get("cryptosuite") == ECDSA_RDFC_2019:
        if len(signature) not in (64, 96):
            raise ProofError(
                "the proofValue is not a z-base58btc P-256 or P-384 signature (64 or 96 bytes)",
                code="proof.value-not-ecdsa",
            )
    elif len(signature) != 64:
        raise ProofError(
            "the proofValue is not a z-base58btc Ed25519 signature (64 bytes)", code="proof.value-not-ed25519"
        )


def _verify_data(unsigned: dict[str, Any], proof: dict[str, Any], digest: str = "sha256") -> bytes:
    """The signed bytes of ``proof`` over ``unsigned`` (the document without the proof being checked);
    ``digest``: the hash of both halves (``sha384`` for ecdsa-rdfc-2019 with a P-384 key)."""
    doc = unsigned
    if "@context" not in doc:
        raise DocumentError("the document has no @context", code="format.no-context")
    if proof["type"] == ED25519_SIGNATURE_2020:
        config = {"@context": doc["@context"], **proof}
        for name in ("proofValue", "jws", "signatureValue"):
            config.pop(name, None)
        return hashlib.sha256(
            canon.canonicalize(config, rdf_direction=None).encode()
        ).digest() + canon.canonical_hash(unsigned, rdf_direction=None)
    config = _proof_config(doc, proof)
    if digest != "sha256":
        return (
            hashlib.new(digest, canon.canonicalize(config, hash_algorithm=digest).encode()).digest()
            + hashlib.new(digest, canon.canonicalize(unsigned, hash_algorithm=digest).encode()).digest()
        )
    return _config_hash(config.pop("@context"), config) + canon.canonical_hash(unsigned)


def _proof_config(doc: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """The proof configuration of a DataIntegrityProof: the proof without ``proofValue``, with the
    document's ``@context`` (and the Data Integrity context if that lacks it)."""
    if "@context" not in doc:
        raise DocumentError("the document has no @context", code="format.no-context")
    config = {"@context": doc["@context"], **proof}
    config.pop("proofValue", None)
    if not _has_proof_context(config["@context"]):
        ctx = config["@context"]
        config["@context"] = (
            [*ctx, contexts.DATA_INTEGRITY_V2] if isinstance(ctx, list) else [ctx, contexts.DATA_INTEGRITY_V2]
        )
    return config


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
