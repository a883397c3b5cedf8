"""Checking that a delivery comes from the source: each scheme as its source documents it.

- ``typeform``: ``Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>``
- ``classmarker``: ``X-Classmarker-Hmac-Sha256: <base64 HMAC-SHA256(secret phrase, raw body)>``
- ``thinkific``: ``X-Thinkific-Hmac-Sha256: <hex HMAC-SHA256(API key, raw body)>``
- ``hmac_sha256_hex`` (generic): ``X-Credstack-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``
- ``shared_secret`` (Google Forms, Zapier, Make, Moodle, LearnDash...): ``X-Credstack-Secret: <secret>``

A scheme is enforced only when the endpoint has a signing secret. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SCHEMES = {
    "none": ("", "No signature"),
    "shared_secret": ("X-Credstack-Secret", "Shared secret header"),
    "hmac_sha256_hex": ("X-Credstack-Signature", "HMAC-SHA256 (hex) of the body"),
    "typeform": ("Typeform-Signature", "Typeform signature"),
    "classmarker": ("X-Classmarker-Hmac-Sha256", "ClassMarker HMAC"),
    "thinkific": ("X-Thinkific-Hmac-Sha256", "Thinkific HMAC"),
}


def _digest(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def expected(scheme: str, secret: str, body: bytes) -> str:
    """The header value a genuine delivery carries (also used by the tests to sign samples)."""
    if scheme == "shared_secret":
        return secret
    digest = _digest(secret, body)
    if scheme == "typeform":
        return "sha256=" + base64.b64encode(digest).decode()
    if scheme == "classmarker":
        return base64.b64encode(digest).decode()
    if scheme == "thinkific":
        return digest.hex()
    if scheme == "hmac_sha256_hex":
        return "sha256=" + digest.hex()
    raise ValueError(f"unknown signature scheme {scheme!r}")


def check(scheme: str, secret: str, body: bytes, headers) -> str | None:
    """None when the delivery is genuine (or nothing is to be checked); else why it is refused."""
    if not secret or scheme == "none" or scheme not in SCHEMES:
        return None
    header = SCHEMES[scheme][0]
    given = (headers.get(header) or "").strip()
    if not given:
        return f"the {header} header is missing (this endpoint requires signed deliveries)"
    want = expected(scheme, secret, body)
    if scheme == "thinkific":
        given = given.lower()
    if not hmac.compare_digest(given.encode(), want.encode()):
        return f"the {header} header does not match the signing secret"
    return None
