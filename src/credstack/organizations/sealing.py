"""Encryption at rest for signing keys.

A private key is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the deployment's
secret. The row it belongs to is bound in as associated data, so a sealed key copied onto another
row does not open. The database never holds a private key in clear.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
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


# --- other secrets at rest (webhook and inbound endpoint secrets): decision 0029 --------------------------

_TEXT_PREFIX = "sealed:"
_GCM_TEXT = b"\x02"
_SIV_TEXT = b"\x03"


def _text_key(kind: bytes, length: int) -> bytes:
    info = b"credstack secret sealing v1 " + kind
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
        settings.SECRET_KEY.encode()
    )


def is_sealed_text(value: str) -> bool:
    return value.startswith(_TEXT_PREFIX)


def seal_text(text: str, context: str, *, deterministic: bool = False) -> str:
    """``sealed:`` + base64url of the sealed text. ``deterministic``: AES-SIV, the same text always seals the
    same way (so a column can be looked up by equality); otherwise AES-GCM with a random nonce."""
    plain = text.encode()
    if deterministic:
        blob = _SIV_TEXT + AESSIV(_text_key(b"siv", 64)).encrypt(plain, [context.encode()])
    else:
        nonce = os.urandom(12)
        blob = _GCM_TEXT + nonce + AESGCM(_text_key(b"gcm", 32)).encrypt(nonce, plain, context.encode())
    return _TEXT_PREFIX + base64.urlsafe_b64encode(blob).decode().rstrip("=")


def unseal_text(value: str, context: str) -> str:

    raw = value.removeprefix(_TEXT_PREFIX)
    try:
        blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if blob[:1] == _SIV_TEXT:
            return AESSIV(_text_key(b"siv", 64)).decrypt(blob[1:], [context.encode()]).decode()
        if blob[:1] == _GCM_TEXT:
            return AESGCM(_text_key(b"gcm", 32)).decrypt(blob[1:13], blob[13:], context.encode()).decode()
    except Exception as exc:
        raise SealingError(
            f"cannot open a sealed {context}: CREDSTACK_SECRET_KEY differs from the one it was sealed with"
        ) from exc
    raise SealingError(f"unknown sealed format for {context}")
