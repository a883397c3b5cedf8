"""Ed25519 keys, Multikey / multibase encoding and did:key.

A public key travels as a Multikey ``publicKeyMultibase``: ``z`` (multibase base58btc) + base58btc of
the multicodec header ``0xed 0x01`` (ed25519-pub) and the 32 key bytes, so it always starts ``z6Mk``.
A did:key is ``did:key:`` + that string.
"""

from __future__ import annotations

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from credstack.vc.errors import InvalidKeyError

KeyError = InvalidKeyError  # the name the API contract (docs/vc-api.md) gives this error

ED25519_PUB_HEADER = b"\xed\x01"
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


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58btc(data)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: object) -> bytes:
    """Decode a multibase base58btc string (``z...``). Raises InvalidKeyError on bad input."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise InvalidKeyError(f"{_short(value)} is not multibase base58btc (it must start with 'z')")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidKeyError(f"{_short(value)} is not valid base58btc") from exc


def public_key_to_multibase(public_key: bytes) -> str:
    """A 32-byte Ed25519 public key as Multikey ``publicKeyMultibase``."""
    if len(public_key) != 32:
        raise InvalidKeyError("an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUB_HEADER + public_key)


def public_key_from_multibase(value: object) -> bytes:
    """The 32-byte Ed25519 public key in a ``z6Mk...`` Multikey string. Raises InvalidKeyError."""
    raw = multibase_decode(value)
    if raw[:2] != ED25519_PUB_HEADER or len(raw) != 34:
        raise InvalidKeyError(f"{_short(value)} is not an Ed25519 public key (multicodec 0xed01, 32 bytes)")
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
