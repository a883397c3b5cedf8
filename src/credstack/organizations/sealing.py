"""Encryption at rest for signing keys.

A private key is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the deployment's
secret. The row it belongs to is bound in as associated data, so a sealed key copied onto another
row does not open. The database never holds a private key in clear.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = b"\x01"
_INFO = b"credstack signing-key sealing v1"


class SealingError(Exception):
    """The sealed key cannot be opened (wrong deployment secret, or tampered data)."""


def _kek() -> AESGCM:
    secret = settings.SECRET_KEY.encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return AESGCM(key)


def seal(plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + _kek().encrypt(nonce, plaintext, context.encode())


def unseal(blob: bytes, context: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != _VERSION:
        raise SealingError("unknown sealed-key format")
    try:
        return _kek().decrypt(blob[1:13], blob[13:], context.encode())
    except Exception as exc:  # cryptography raises InvalidTag
        raise SealingError(
            "cannot open the signing key: CREDSTACK_SECRET_KEY differs from the one it was sealed with"
        ) from exc
