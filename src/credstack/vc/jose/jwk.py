"""The keys a JWT is checked with: a verification method's public key (Multikey, Ed25519VerificationKey2020,
JsonWebKey, JsonWebKey2020), a did:key or did:jwk resolved locally, and the DIDs of public keys."""

from __future__ import annotations

import binascii
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credstack.vc import contexts, did, keys
from credstack.vc.errors import DidError, InvalidKeyError

from .compact import b64url_decode, b64url_encode, compact_json

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


P256_PUB_HEADER = b"\x80\x24"  # multicodec p256-pub (0x1200), varint
DID_JWK_PREFIX = "did:jwk:"
_JWK_TYPES = {"JsonWebKey", "JsonWebKey2020"}


_MULTIBASE_TYPES = {"Multikey", "Ed25519VerificationKey2020"}


def resolve_local(did_url: str) -> dict[str, Any] | None:
    """The DID document of a did:key (Ed25519 or P-256) or did:jwk, else None (it must be fetched)."""
    subject = did_url.split("#", 1)[0]
    if subject.startswith(keys.DID_KEY_PREFIX):
        multibase = subject[len(keys.DID_KEY_PREFIX) :]
        public_key_from_multikey(multibase)  # raises for keys we cannot use
        return _document(
            subject, f"{subject}#{multibase}", {"type": "Multikey", "publicKeyMultibase": multibase}
        )
    if subject.startswith(DID_JWK_PREFIX):
        try:
            jwk = json.loads(b64url_decode(subject[len(DID_JWK_PREFIX) :]))
        except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise DidError(
                f"{subject[:80]!r} is not a did:jwk (base64url JSON)",
                code="did.jwk-invalid",
                did=repr(subject[:80]),
            ) from None
        if not isinstance(jwk, dict):
            raise DidError("a did:jwk holds a JSON object", code="did.jwk-not-object")
        public_key_from_jwk(jwk)
        return _document(subject, f"{subject}#0", {"type": "JsonWebKey", "publicKeyJwk": jwk})
    return None


def public_key_of(method: dict[str, Any], controller: str) -> PublicKey:
    """The public key (a ``cryptography`` object) of a verification method controlled by ``controller``."""
    if method.get("controller") != controller:
        raise DidError(
            f"the key {method.get('id')!r} is controlled by {method.get('controller')!r}, not by {controller!r}",
            code="did.key-controller",
            key=method.get("id"),
            controller=method.get("controller"),
            expected=controller,
        )
    kind = method.get("type")
    if kind in _MULTIBASE_TYPES:
        return public_key_from_multikey(method.get("publicKeyMultibase"))
    if kind in _JWK_TYPES:
        return public_key_from_jwk(method.get("publicKeyJwk"))
    raise DidError(
        f"the key {method.get('id')!r} has type {kind!r}, which is not supported for JWTs",
        code="did.key-type-unsupported-jwt",
        key=method.get("id"),
        type=kind,
    )


def public_key_from_multikey(value: Any) -> PublicKey:
    try:
        raw = keys.multibase_decode(value)
    except InvalidKeyError as exc:
        raise DidError(str(exc), code=exc.code, **exc.params) from None
    if raw[:2] == keys.ED25519_PUB_HEADER and len(raw) == 34:
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    if raw[:2] == P256_PUB_HEADER and len(raw) == 35:
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError:
            raise DidError(
                "the P-256 key is not a point on the curve", code="key.p256-not-on-curve"
            ) from None
    raise DidError(
        f"{str(value)[:60]!r} is neither an Ed25519 nor a P-256 public key",
        code="key.not-ed25519-or-p256",
        value=repr(str(value)[:60]),
    )


def public_key_from_jwk(jwk: Any) -> PublicKey:
    if not isinstance(jwk, dict):
        raise DidError("publicKeyJwk must be a JSON object", code="key.jwk-not-object")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            x = b64url_decode(jwk.get("x", ""))
            if len(x) != 32:
                raise DidError("an Ed25519 JWK's x is 32 bytes", code="key.jwk-ed25519-length")
            return Ed25519PublicKey.from_public_bytes(x)
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x, y = b64url_decode(jwk.get("x", "")), b64url_decode(jwk.get("y", ""))
            if len(x) != 32 or len(y) != 32:
                raise DidError("a P-256 JWK's x and y are 32 bytes each", code="key.jwk-p256-length")
            return ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            ).public_key()
    except (ValueError, TypeError, binascii.Error) as exc:
        raise DidError(
            f"the JWK is not a valid public key: {exc}", code="key.jwk-invalid", error=str(exc)
        ) from None
    raise DidError(
        f"the JWK (kty {jwk.get('kty')!r}, crv {jwk.get('crv')!r}) is neither Ed25519 nor P-256",
        code="key.jwk-unsupported",
        kty=repr(jwk.get("kty")),
        crv=repr(jwk.get("crv")),
    )


def did_key_p256(public_key: ec.EllipticCurvePublicKey) -> str:
    """The did:key of a P-256 public key (compressed point, multicodec 0x1200)."""

    point = public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return keys.DID_KEY_PREFIX + keys.multibase_encode(P256_PUB_HEADER + point)


def did_jwk(jwk: dict[str, Any]) -> str:
    """The did:jwk of a public JWK."""
    return DID_JWK_PREFIX + b64url_encode(compact_json(jwk))


def verification_method(document: dict[str, Any], vm_id: str) -> dict[str, Any]:
    """The method ``vm_id`` listed for assertionMethod in a resolved DID document."""
    return did.verification_method(document, vm_id)


def _document(subject: str, vm_id: str, method: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [contexts.DID_V1],
        "id": subject,
        "verificationMethod": [{"id": vm_id, "controller": subject, **method}],
        "assertionMethod": [vm_id],
    }
