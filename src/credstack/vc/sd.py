"""``ecdsa-sd-2023``: ECDSA selective-disclosure proofs (W3C Data Integrity ECDSA Cryptosuites v1.0 §3.3-3.5),
verified here; credstack does not make them.

An issuer signs a credential with a *base proof* and gives it to the holder; the holder discloses some
of its statements (and always the issuer's *mandatory* ones) in a *derived* credential with a *derived
proof*, which is what a verifier sees. Both ``proofValue`` s are ``u`` (multibase base64url, no padding)
of a three-byte header and a CBOR array:

- base, header ``d9 5d 00``: [baseSignature, publicKey, hmacKey, signatures, mandatoryPointers];
- derived, header ``d9 5d 01``: [baseSignature, publicKey, signatures, labelMap, mandatoryIndexes],
  ``labelMap`` mapping ``n`` (the canonical blank node ``c14n<n>``) to the HMAC bytes of its label.

Verifying a derived proof (§3.5.7-3.5.8 *createVerifyData* and *verifyDerivedProof*): canonicalize the
disclosed document with RDFC-1.0 (:mod:`credstack.vc.canon`, the path every other proof takes), rename
each blank node ``_:c14n<n>`` to ``_:u<base64url(labelMap[n])>`` and sort the N-Quads again; the quads
at ``mandatoryIndexes`` are the mandatory ones, the others each carry one of ``signatures``, made by
the one-time ``publicKey`` (a Multikey P-256/P-384 point) over the quad's UTF-8 bytes; and
``baseSignature`` is the issuer key's signature over ``hash(proof configuration) || publicKey ||
hash(mandatory quads joined)``. The hash is SHA-256 (for a P-384 issuer key SHA-384, as the spec has
it, or SHA-256, as Digital Bazaar's libraries do: either is accepted).

A base proof is verified the same way with the labels computed from ``hmacKey`` (HMAC over ``c14n<n>``)
and the mandatory quads found by selecting ``mandatoryPointers`` (JSON Pointers) from the document
(:func:`mandatory_quads`): what the holder checks before deriving. Digital Bazaar's verifier refuses a
base proof; credstack verifies it and says it is a base proof (a holder's copy, not a presentation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cbor2

from credstack.vc import canon, keys, rdfc
from credstack.vc.errors import InvalidKeyError, ProofError

ECDSA_SD_2023 = "ecdsa-sd-2023"
BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"
_BLANK = re.compile(r"_:(\S+)")  # as Digital Bazaar's di-sd-primitives relabels blank nodes
_POINTER_TOKEN = re.compile(r"~[^01]")


@dataclass(frozen=True)
class BaseProof:
    """The parts of a base ``proofValue`` (the issuer's proof, held by the holder)."""

    base_signature: bytes
    public_key: bytes  # Multikey bytes (multicodec header + compressed point) of the one-time key
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProof:
    """The parts of a derived ``proofValue`` (what a holder presents)."""

    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]  # "c14n3" -> "u<base64url of the HMAC>"
    mandatory_indexes: list[int]


def parse_proof_value(value: object) -> BaseProof | DerivedProof:
    """The base or derived proof in an ``ecdsa-sd-2023`` ``proofValue``. Raises ProofError saying what is
    wrong with it."""
    if not isinstance(value, str) or not value.startswith("u"):
        raise ProofError(
            "an ecdsa-sd-2023 proofValue is multibase base64url (it must start with 'u')",
            code="sd.value-not-multibase",
        )
    try:
        raw = base64.b64decode(value[1:] + "=" * (-len(value[1:]) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(
            "the ecdsa-sd-2023 proofValue is not valid base64url", code="sd.value-not-base64url"
        ) from None
    header, payload = raw[:3], raw[3:]
    if header not in (BASE_HEADER, DERIVED_HEADER):
        raise ProofError(
            f"the ecdsa-sd-2023 proofValue starts with 0x{header.hex()}, neither a base proof (0xd95d00) "
            "nor a derived proof (0xd95d01)",
            code="sd.value-header",
            header=f"0x{header.hex()}",
        )
    kind = "base" if header == BASE_HEADER else "derived"
    try:
        parts = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, MemoryError):
        raise ProofError(
            f"the {kind} ecdsa-sd-2023 proofValue is not valid CBOR", code="sd.value-not-cbor"
        ) from None
    if not isinstance(parts, list) or len(parts) != 5:
        raise ProofError(
            f"the {kind} ecdsa-sd-2023 proofValue is not a CBOR array of 5 items", code="sd.value-not-5-items"
        )
    if header == BASE_HEADER:
        base_signature, public_key, hmac_key, signatures, pointers = parts
        hmac_key = _bytes(hmac_key, "hmacKey")
        if len(hmac_key) not in (32, 48):
            raise ProofError("the base proof's hmacKey is not 32 bytes (HMAC-SHA-256) or 48 (HMAC-SHA-384)")
        if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
            raise ProofError("the base proof's mandatoryPointers are not a list of JSON Pointers")
        return BaseProof(
            _bytes(base_signature, "baseSignature"),
            _bytes(public_key, "publicKey"),
            hmac_key,
            _byte_list(signatures),
            pointers,
        )
    base_signature, public_key, signatures, compressed, indexes = parts
    if not isinstance(compressed, dict):
        raise ProofError("the derived proof's label map is not a CBOR map")
    label_map = {}
    for number, label in compressed.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ProofError("the derived proof's label map has a key that is not a blank node number")
        label_map[f"c14n{number}"] = "u" + _b64(_bytes(label, "label map entry"))
    if not isinstance(indexes, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes
    ):
        raise ProofError("the derived proof's mandatoryIndexes are not a list of statement numbers")
    return DerivedProof(
        _bytes(base_signature, "baseSignature"),
        _bytes(public_key, "publicKey"),
        _byte_list(signatures),
        label_map,
        indexes,
    )


def verify(
    unsigned: dict[str, Any], proof: dict[str, Any], issuer_key: bytes, config_canonical: str
) -> BaseProof | DerivedProof:
    """Verify an ``ecdsa-sd-2023`` proof of ``unsigned`` (the document without its proof) by the issuer's
    compressed P-256/P-384 key; ``config_canonical``: the canonical N-Quads of the proof configuration.
    Returns the parsed proof; raises a VCError (ProofError) saying what does not verify."""
    curve = keys.ECDSA_CURVES.get(len(issuer_key))
    if curve is None:
        raise ProofError("an ecdsa-sd-2023 proof is made by a P-256 or P-384 key", code="sd.key-not-ecdsa")
    digest = "sha384" if len(issuer_key) == 49 else "sha256"
    parsed = parse_proof_value(proof.get("proofValue"))
    ephemeral = _ephemeral_key(parsed.public_key)
    if isinstance(parsed, DerivedProof):
        nquads = relabel(_lines(canon.canonicalize(unsigned)), parsed.label_map)
        if any(i >= len(nquads) for i in parsed.mandatory_indexes):
            raise ProofError(
                f"the derived proof names mandatory statement {max(parsed.mandatory_indexes)}, but the "
                f"disclosed credential has {len(nquads)} statements",
                code="sd.mandatory-index",
                index=max(parsed.mandatory_indexes),
                count=len(nquads),
            )
        mandatory_set = set(parsed.mandatory_indexes)
    else:
        lines, selected = mandatory_quads(unsigned, parsed.mandatory_pointers)
        key = parsed.hmac_key
        mac = "sha384" if len(key) == 48 else "sha256"
        label_map = {
            name: "u" + _b64(hmac.new(key, name.encode(), mac).digest())
            for name in {m for line in lines for m in _BLANK.findall(line)}
        }
        nquads = relabel(lines, label_map)
        wanted = set(relabel(selected, label_map))
        mandatory_set = {i for i, quad in enumerate(nquads) if quad in wanted}
    mandatory = [q for i, q in enumerate(nquads) if i in mandatory_set]
    optional = [q for i, q in enumerate(nquads) if i not in mandatory_set]
    if len(parsed.signatures) != len(optional):
        raise ProofError(
            f"the proof carries {len(parsed.signatures)} statement signatures for {len(optional)} "
            "non-mandatory statements: a signature was dropped or a statement added",
            code="sd.signature-count",
            signatures=len(parsed.signatures),
            statements=len(optional),
        )
    for number, (quad, signature) in enumerate(zip(optional, parsed.signatures, strict=True)):
        if not keys.verify_ecdsa(ephemeral, signature, quad.encode("utf-8")):
            raise ProofError(
                f"the signature of disclosed statement {number + 1} of {len(optional)} does not match: "
                f"the statement {quad.strip()[:120]!r} was changed after signing, or its blank node "
                "labels (the label map) are wrong",
                code="sd.statement-mismatch",
                number=number + 1,
                count=len(optional),
                statement=quad.strip()[:120],
            )
    # P-384: the spec hashes with SHA-384; Digital Bazaar's di-sd-primitives (and 1EdTech's verifier)
    # hash with SHA-256 whatever the curve. Either is the issuer's signature over the same statements.
    digests = ("sha384", "sha256") if digest == "sha384" else ("sha256",)
    joined = "".join(mandatory).encode("utf-8")
    signed = [
        hashlib.new(d, config_canonical.encode("utf-8")).digest()
        + parsed.public_key
        + hashlib.new(d, joined).digest()
        for d in digests
    ]
    if not any(keys.verify_ecdsa(issuer_key, parsed.base_signature, data) for data in signed):
        raise ProofError(
            "the base signature does not match: the proof options or the mandatory statements were "
            "changed after signing, or it was signed by another key",
            code="sd.base-signature-mismatch",
        )
    return parsed


def relabel(lines: list[str], label_map: dict[str, str]) -> list[str]:
    """Canonical N-Quads lines with each blank node ``_:c14n<n>`` renamed by ``label_map``, sorted again
    as JavaScript sorts strings. A blank node the map lacks is an error."""
    missing: list[str] = []

    def rename(match: re.Match[str]) -> str:
        label = label_map.get(match.group(1))
        if label is None:
            missing.append(match.group(1))
            return match.group(0)
        return "_:" + label

    lines = [_BLANK.sub(rename, line) for line in lines]
    if missing:
        raise ProofError(
            f"the proof's label map has no label for the blank node _:{missing[0]}",
            code="sd.label-missing",
            node=f"_:{missing[0]}",
        )
    return sorted(lines, key=lambda line: line.encode("utf-16-be"))


def mandatory_quads(document: dict[str, Any], pointers: list[str]) -> tuple[list[str], list[str]]:
    """The canonical N-Quads lines of ``document`` (labels ``c14n<n>``, in canonical order) and those of
    the statements ``pointers`` select from it (same labels), as di-sd-primitives' *canonicalizeAndGroup*
    finds them.

    Every JSON object of the document without an ``id`` is given one (a skolem IRI) first, so that the
    selection's nodes are the document's; the skolem IRIs are blank nodes again before canonicalizing.
    The selection keeps ``@context``, and ``id`` and ``type`` of every object on the way to a selected
    value."""
    skolemizer = _Skolemizer()
    marked = skolemizer.mark(document)
    quads, skolem = _deskolemize(canon.to_quads(marked), skolemizer.prefix)
    text, names = rdfc.canonicalize_with_labels(quads)
    selected: dict[str, Any] = {"@context": marked["@context"]} if "@context" in marked else {}
    for pointer in pointers:
        _select(marked, _pointer_path(pointer), selected, pointer)
    selected = _compact_arrays(selected)
    lines = _lines(text)
    if not pointers:
        return lines, []
    chosen, _ = _deskolemize(canon.to_quads(selected), skolemizer.prefix, skolem)
    outside = [
        t[1]
        for q in chosen
        for t in (q[0], q[2], q[3])
        if t is not None and t[0] == "B" and t[1] not in names
    ]
    if outside:
        raise ProofError("a mandatory pointer selects a blank node the credential does not have")
    label = names.__getitem__
    selection = {
        rdfc.serialize_quad(_renamed(s, label), p, _renamed(o, label), _renamed(g, label))
        for s, p, o, g in chosen
    }
    return lines, sorted(selection)


def _renamed(term: Any, label: Callable[[str], str]) -> Any:
    if term is not None and term[0] == "B":
        return ("B", label(term[1]))
    return term


def _deskolemize(
    quads: list[rdfc.Quad], prefix: str, names: dict[str, str] | None = None
) -> tuple[list[rdfc.Quad], dict[str, str]]:
    """The quads with each skolem IRI a blank node again (``names``: skolem IRI -> blank node label)."""
    names = {} if names is None else names

    def term(t: Any) -> Any:
        if t is not None and t[0] == "I" and t[1].startswith(prefix):
            return ("B", names.setdefault(t[1], "sk" + t[1][len(prefix) :]))
        return t

    return [(term(s), p, term(o), term(g)) for s, p, o, g in quads], names


class _Skolemizer:
    """Gives each node object without an id a fresh IRI (random per use, so that no document can
    name one of them itself)."""

    def __init__(self) -> None:
        self.count = 0
        self.prefix = f"urn:credstack-skolem:{secrets.token_hex(8)}:"

    def mark(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, list):
            return [self.mark(v, key) for v in value]
        if not isinstance(value, dict):
            return value
        if key == "@context" or "@value" in value or "@list" in value or "@set" in value:
            return value
        out = {k: (v if k == "@context" else self.mark(v, k)) for k, v in value.items()}
        if "id" not in out and "@id" not in out:
            out["id"] = f"{self.prefix}{self.count}"
            self.count += 1
        return out


def _pointer_path(pointer: str) -> list[str]:
    if (
        not isinstance(pointer, str)
        or (pointer and not pointer.startswith("/"))
        or _POINTER_TOKEN.search(pointer)
    ):
        raise ProofError(f"the mandatory pointer {pointer!r} is not a JSON Pointer")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _select(source: Any, path: list[str], target: Any, pointer: str) -> None:
    """Copy the value at ``path`` in ``source`` into ``target`` (the same shape), keeping ``id`` and
    ``type`` of each object on the way (di-sd-primitives' *selectJsonLd*)."""
    for depth, step in enumerate(path):
        if isinstance(source, dict) and step in source:
            nxt = source[step]
        elif isinstance(source, list) and step.isdigit() and int(step) < len(source):
            nxt = source[int(step)]
        else:
            raise ProofError(f"the mandatory pointer {pointer!r} selects nothing in the credential")
        if isinstance(target, dict) and isinstance(source, dict):
            for name in ("id", "type", "@id", "@type"):
                if name in source:
                    target.setdefault(name, source[name])
        if depth == len(path) - 1:
            _put(target, step, _copy(nxt))
            return
        child = _child(target, step, nxt)
        source, target = nxt, child
    raise ProofError(f"the mandatory pointer {pointer!r} selects the whole credential")


def _child(target: Any, step: str, value: Any) -> Any:
    if isinstance(target, list):
        index = int(step)
        while len(target) <= index:
            target.append(None)
        if target[index] is None:
            target[index] = [] if isinstance(value, list) else {}
        return target[index]
    if step not in target:
        target[step] = [] if isinstance(value, list) else {}
    return target[step]


def _put(target: Any, step: str, value: Any) -> None:
    if isinstance(target, list):
        index = int(step)
        while len(target) <= index:
            target.append(None)
        target[index] = value
    else:
        target[step] = value


def _compact_arrays(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact_arrays(v) for v in value if v is not None]
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _lines(canonical: str) -> list[str]:
    return [line + "\n" for line in canonical.split("\n")[:-1]]


def _ephemeral_key(multikey: bytes) -> bytes:
    try:
        return keys.verification_key_from_multibase(keys.multibase_encode(multikey))
    except InvalidKeyError as exc:
        raise ProofError(f"the proof's one-time publicKey is not a P-256/P-384 Multikey: {exc}") from None


def _bytes(value: object, what: str) -> bytes:
    if isinstance(value, cbor2.CBORTag) and value.tag == 64:  # Uint8Array typed array (RFC 8746)
        value = value.value
    if not isinstance(value, bytes):
        raise ProofError(f"the proof's {what} is not a CBOR byte string")
    return value


def _byte_list(value: object) -> list[bytes]:
    if not isinstance(value, list):
        raise ProofError("the proof's signatures are not a CBOR array")
    return [_bytes(v, "signature") for v in value]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
