"""Ed25519 keys, Multikey / multibase encoding and did:key.

A public key travels as a Multikey ``publicKeyMultibase``: ``z`` (multibase base58btc) + base58btc of
the multicodec header ``0xed 0x01`` (ed25519-pub) and the 32 key bytes, so it always starts ``z6Mk``.
A did:key is ``did:key:`` + that string.

Verification also takes ECDSA public keys (P-256 ``zDn...``, multicodec 0x1200, and P-384 ``z82...``,
0x1201, each a compressed SEC1 point) for ``ecdsa-rdfc-2019`` proofs made by other issuers; credstack
itself signs with Ed25519 only. A resolved public key is its raw bytes, and the length tells the kind:
32 (Ed25519), 33 (P-256 compressed), 49 (P-384 compressed).
"""

from __future__ import annotations

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from credstack.vc.errors import InvalidKeyError

KeyError = InvalidKeyError  # the name the API contract (docs/vc-api.md) gives this error

ED25519_PUB_HEADER = b"\xed\x01"
P256_PUB_HEADER = b"\x80\x24"  # varint of multicodec 0x1200 (p256-pub)
P384_PUB_HEADER = b"\x81\x24"  # varint of multicodec 0x1201 (p384-pub)
# compressed point length -> (curve, hash of ecdsa-rdfc-2019, signature length r||s)
ECDSA_CURVES: dict[int, tuple[ec.EllipticCurve, hashes.HashAlgorithm, int]] = {
    33: (ec.SECP256R1(), hashes.SHA256(), 64),
    49: (ec.SECP384R1(), hashes.SHA384(), 96),
}
DID_KEY_PREFIX = "did:key:"


class Ed25519Key:
    """An Ed25519 signing key. ``repr`` never shows the private key."""

    __slots__ = ("_private", "_public_bytes")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self._public_bytes = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls) -> Ed25519Key:
        """A new random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, seed: bytes) -> Ed25519Key:
        """The key for a 32-byte seed (the raw private key)."""
        if not isinstance(seed, bytes | bytearray) or len(seed) != 32:
            raise InvalidKeyError("an Ed25519 private key is a 32-byte seed")
        return cls(Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    def private_bytes(self) -> bytes:
        """The 32-byte seed. Keep it secret."""
        return self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def public_bytes(self) -> bytes:
        """The 32-byte public key."""
        return self._public_bytes

    @property
    def public_multibase(self) -> str:
        """The public key as a Multikey ``publicKeyMultibase`` ("z6Mk...")."""
        return public_key_to_multibase(self._public_bytes)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self._private.sign(data)

    def __repr__(self) -> str:
        return f"<Ed25519Key {self.public_multibase}>"


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True if ``signature`` is a valid Ed25519 signature of ``data`` by ``public_key``."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def is_ecdsa_key(public_key: bytes) -> bool:
    """True for a resolved P-256 or P-384 public key (a compressed point), False for Ed25519."""
    return len(public_key) in ECDSA_CURVES


def verify_ecdsa(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True if ``signature`` (r || s, as Data Integrity's ecdsa suites encode it) is a valid ECDSA
    signature of ``data`` by the compressed P-256 / P-384 point ``public_key``, with the curve's hash
    (SHA-256 / SHA-384) applied to ``data`` as WebCrypto does."""
    curve = ECDSA_CURVES.get(len(public_key))
    if curve is None or len(signature) != curve[2]:
        return False
    half = curve[2] // 2
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve[0], public_key)
        der = encode_dss_signature(
            int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        )
        key.verify(der, data, ec.ECDSA(curve[1]))
    except (InvalidSignature, ValueError):
        return False
    return True


def verification_key_from_multibase(value: object) -> bytes:
    """The public key in a Multikey ``publicKeyMultibase`` that credstack can verify with: Ed25519
    (32 bytes), P-256 or P-384 (the compressed point). Raises InvalidKeyError."""
    raw = multibase_decode(value)
    if raw[:2] == ED25519_PUB_HEADER and len(raw) == 34:
        return raw[2:]
    if (raw[:2] == P256_PUB_HEADER and len(raw) == 35) or (raw[:2] == P384_PUB_HEADER and len(raw) == 51):
        if raw[2] not in (2, 3):
            raise InvalidKeyError(
                f"{_short(value)} is not a compressed elliptic-curve point",
                code="key.not-a-point",
                value=_short(value),
            )
        return raw[2:]
    raise InvalidKeyError(
        f"{_short(value)} is not an Ed25519, P-256 or P-384 public key (multicodec 0xed01, 0x1200, 0x1201)",
        code="key.not-a-public-key",
        value=_short(value),
    )


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58btc(data)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: object) -> bytes:
    """Decode a multibase base58btc string (``z...``). Raises InvalidKeyError on bad input."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise InvalidKeyError(
            f"{_short(value)} is not multibase base58btc (it must start with 'z')",
            code="key.not-multibase",
            value=_short(value),
        )
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidKeyError(
            f"{_short(value)} is not valid base58btc", code="key.not-base58", value=_short(value)
        ) from exc


def public_key_to_multibase(public_key: bytes) -> str:
    """A 32-byte Ed25519 public key as Multikey ``publicKeyMultibase``."""
    if len(public_key) != 32:
        raise InvalidKeyError("an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUB_HEADER + public_key)


def public_key_from_multibase(value: object) -> bytes:
    """The 32-byte Ed25519 public key in a ``z6Mk...`` Multikey string. Raises InvalidKeyError."""
    raw = multibase_decode(value)
    if raw[:2] != ED25519_PUB_HEADER or len(raw) != 34:
        raise InvalidKeyError(
            f"{_short(value)} is not an Ed25519 public key (multicodec 0xed01, 32 bytes)",
            code="key.not-ed25519",
            value=_short(value),
        )
    return raw[2:]


def did_key(public_key: bytes) -> str:
    """The did:key DID of an Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_to_multibase(public_key)


def public_key_from_did_key(did: str) -> bytes:
    """The Ed25519 public key of a did:key DID (a ``#fragment`` is ignored). Raises InvalidKeyError."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise InvalidKeyError(f"{_short(did)} is not a did:key")
    return public_key_from_multibase(did[len(DID_KEY_PREFIX) :].split("#", 1)[0])


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
