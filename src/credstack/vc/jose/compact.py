"""A compact JWS read and written: split and decoded (``decode``: a credential, flavour VC-JOSE-COSE
or VC-JWT 1.1), its signature checked with a public key (EdDSA or ES256), and signed (``sign``).
Bounded: a token larger than :data:`MAX_TOKEN_BYTES` is refused before it is decoded."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from credstack.vc import dates
from credstack.vc.errors import DocumentError, DocumentTooLargeError, VCError

MAX_TOKEN_BYTES = 1024 * 1024
ALGORITHMS = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256"}
JWT_PATTERN = re.compile(r"[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")


class JoseError(VCError, ValueError):
    """A JWT that cannot be read or whose key cannot be used; the message says why."""


@dataclass(frozen=True)
class Parts:
    """Any compact JWS, decoded (not yet verified): a credential, or a wallet's proof of its key."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header.get("alg"))


@dataclass(frozen=True)
class Decoded(Parts):
    """A compact JWS holding a credential, decoded (not yet verified)."""

    flavour: str  # "vc-jose-cose" or "vc-jwt-1.1"

    @property
    def credential(self) -> dict[str, Any]:
        """The credential: the payload (VC-JOSE-COSE), or the ``vc`` claim completed with the JWT
        claims (VC-JWT 1.1: ``iss`` -> issuer, ``sub`` -> subject id, ``jti`` -> id, ``nbf``/``exp``
        -> issuanceDate/expirationDate when the credential has none)."""
        if self.flavour == "vc-jose-cose":
            return self.payload
        vc = dict(self.payload["vc"])
        claims = self.payload
        if "issuer" not in vc and isinstance(claims.get("iss"), str):
            vc["issuer"] = claims["iss"]
        if "id" not in vc and isinstance(claims.get("jti"), str):
            vc["id"] = claims["jti"]
        subject = vc.get("credentialSubject")
        if isinstance(subject, dict) and "id" not in subject and isinstance(claims.get("sub"), str):
            vc["credentialSubject"] = {**subject, "id": claims["sub"]}
        for claim, name in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            if name not in vc and is_numeric_date(claims.get(claim)):
                vc[name] = dates.format_datetime(from_epoch(claims[claim]))
        return vc


def looks_like_jwt(data: Any) -> bool:
    """True if ``data`` (text or bytes) has the shape of a compact JWS."""
    if isinstance(data, bytes):
        data = data.decode("ascii", "replace")
    return isinstance(data, str) and bool(JWT_PATTERN.fullmatch(data.strip()))  # linear; no backtracking


def split_jws(token: str | bytes) -> Parts:
    """Split and decode any compact JWS signed with an accepted algorithm. Raises JoseError."""
    if isinstance(token, bytes):
        token = token.decode("ascii", "replace")
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise DocumentTooLargeError(
            f"the JWT is {len(token)} bytes; the limit is {MAX_TOKEN_BYTES // 1024} KiB",
            code="jwt.too-large",
            size=len(token),
            limit=MAX_TOKEN_BYTES // 1024,
        )
    if not JWT_PATTERN.fullmatch(token):
        raise JoseError("not a compact JWT (three base64url parts separated by dots)", code="jwt.not-compact")
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = _json_part(header_b64, "header")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise JoseError(
            f"the JWT's algorithm {alg!r} is not accepted: only EdDSA (Ed25519) and ES256 are"
            + (" (an unsigned JWT, alg 'none', is never accepted)" if str(alg).lower() == "none" else ""),
            code="jwt.alg-none" if str(alg).lower() == "none" else "jwt.alg-unsupported",
            alg=alg,
        )
    if header.get("b64") is False:
        raise JoseError("unencoded JWS payloads (b64: false) are not accepted", code="jwt.b64-false")
    crit = header.get("crit")
    if crit is not None:
        raise JoseError(
            f"the JWT marks header parameters {crit!r} as critical; none are understood here",
            code="jwt.crit",
            crit=repr(crit),
        )
    payload = _json_part(payload_b64, "payload")
    try:
        signature = b64url_decode(signature_b64)
    except (binascii.Error, ValueError):
        raise JoseError("the JWT's signature is not base64url", code="jwt.signature-not-base64url") from None
    return Parts(header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def decode(token: str | bytes) -> Decoded:
    """Split and decode a compact JWS holding a credential. Raises JoseError (specific message)."""
    parts = split_jws(token)
    payload = parts.payload
    if isinstance(payload.get("vc"), dict):
        flavour = "vc-jwt-1.1"
    elif "@context" in payload:
        flavour = "vc-jose-cose"
    else:
        raise JoseError(
            "this JWT is not a Verifiable Credential: its payload has neither a 'vc' claim (VC-JWT 1.1) "
            "nor an @context (VC-JOSE-COSE)",
            code="jwt.not-vc",
        )
    return Decoded(parts.header, payload, parts.signing_input, parts.signature, flavour)


def check_signature(decoded: Parts, public_key: object) -> str | None:
    """None if the signature verifies with ``public_key`` under the header's algorithm, else why not."""
    error = signature_error(decoded, public_key)
    return str(error) if error else None


def signature_error(decoded: Parts, public_key: object) -> JoseError | None:
    """:func:`check_signature` as an error with its code and params."""
    curve = ALGORITHMS[decoded.alg]
    mismatch = JoseError(
        "the JWT's signature does not verify with the issuer's key", code="jwt.signature-mismatch"
    )
    if curve == "Ed25519":
        if not isinstance(public_key, Ed25519PublicKey):
            return JoseError(
                f"the JWT is signed with {decoded.alg} but the issuer's key is not an Ed25519 key",
                code="jwt.key-not-ed25519",
                alg=decoded.alg,
            )
        try:
            public_key.verify(decoded.signature, decoded.signing_input)
        except InvalidSignature:
            return mismatch
        return None
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        return JoseError(
            f"the JWT is signed with {decoded.alg} but the issuer's key is not a P-256 key",
            code="jwt.key-not-p256",
            alg=decoded.alg,
        )
    if len(decoded.signature) != 64:
        return JoseError("an ES256 signature is 64 bytes (r and s)", code="jwt.es256-length")
    r, s = int.from_bytes(decoded.signature[:32], "big"), int.from_bytes(decoded.signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), decoded.signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return mismatch
    return None


def sign(
    credential_or_claims: dict[str, Any],
    private_key: Any,  # Ed25519PrivateKey for EdDSA, EllipticCurvePrivateKey for ES256
    kid: str | None,
    alg: str,
    typ: str | None = "vc+jwt",
) -> str:
    """A compact JWS over ``credential_or_claims`` (for tests and tools; credstack issues Data Integrity
    credentials). ``private_key`` is a ``cryptography`` Ed25519 or P-256 private key."""
    header = {"alg": alg, **({"typ": typ} if typ else {}), **({"kid": kid} if kid else {})}
    signing_input = (
        f"{b64url_encode(compact_json(header))}.{b64url_encode(compact_json(credential_or_claims))}".encode()
    )
    if alg in ("EdDSA", "Ed25519"):
        signature = private_key.sign(signing_input)
    else:
        r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input.decode()}.{b64url_encode(signature)}"


def _json_part(segment: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment), parse_constant=_no_constant)
    except RecursionError:
        raise DocumentError(f"the JWT's {name} is nested too deeply", code=_PART_CODES[name][0]) from None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise JoseError(
            f"the JWT's {name} is not base64url-encoded JSON", code=_PART_CODES[name][1]
        ) from None
    if not isinstance(value, dict):
        raise JoseError(f"the JWT's {name} is not a JSON object", code=_PART_CODES[name][2])
    return value


# a JWT part's codes (nested too deeply, not base64url JSON, not an object) by the part
_PART_CODES = {
    "header": ("jwt.header-too-deep", "jwt.header-not-json", "jwt.header-not-object"),
    "payload": ("jwt.payload-too-deep", "jwt.payload-not-json", "jwt.payload-not-object"),
}


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def b64url_decode(segment: str) -> bytes:
    if not isinstance(segment, str) or "=" in segment:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def is_numeric_date(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 253402300800


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)
