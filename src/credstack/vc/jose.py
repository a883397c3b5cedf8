"""JWT-secured credentials: VC-JOSE-COSE (VC 2.0, the payload is the credential) and VC-JWT 1.1
(the credential in the ``vc`` claim, with ``iss``/``sub``/``nbf``/``exp``/``jti``).

Pure (no Django). :func:`verify_jwt` gives the same :class:`credstack.vc.verify.Report` as Data Integrity
credentials: ``format``, ``proof`` (the JWS signature and the issuer's key), ``validity`` and ``status``.

- Algorithms: ``EdDSA`` (Ed25519; ``Ed25519`` accepted as its fully-specified name) and ``ES256``
  (P-256). ``none``, HMAC and everything else are refused; so are unknown ``crit`` headers and
  unencoded payloads (``b64: false``).
- Keys: the header's ``kid`` is a verification method of the issuer (a relative ``#kid`` is taken
  relative to the issuer). With no ``kid``, an issuer whose DID *is* its key (did:key, did:jwk) is used.
  Key types: Multikey (Ed25519 ``z6Mk``, P-256 ``zDn``), Ed25519VerificationKey2020, JsonWebKey and
  JsonWebKey2020 (``publicKeyJwk``). DIDs: did:key, did:jwk (resolved locally) and did:web (fetched).
- Bounded: a token larger than :data:`MAX_TOKEN_BYTES` is refused before it is decoded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credstack.vc import contexts, dates, did, keys
from credstack.vc.errors import (
    DidError,
    DocumentError,
    DocumentTooLargeError,
    InvalidKeyError,
    VCError,
    error_reason,
)

if TYPE_CHECKING:
    from credstack.vc.verify import Check, Fetch, Report, Verifier

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey

MAX_TOKEN_BYTES = 1024 * 1024
ALGORITHMS = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256"}
JWT_PATTERN = re.compile(r"[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
P256_PUB_HEADER = b"\x80\x24"  # multicodec p256-pub (0x1200), varint
DID_JWK_PREFIX = "did:jwk:"
_JWK_TYPES = {"JsonWebKey", "JsonWebKey2020"}
# typ of a VC-JOSE-COSE credential: the current name, earlier drafts' names, or none/plain JWT
_JOSE_TYPES = {None, "vc+jwt", "application/vc+jwt", "vc+ld+json+jwt", "vc+ld+jwt", "JWT"}
_MULTIBASE_TYPES = {"Multikey", "Ed25519VerificationKey2020"}


class JoseError(VCError, ValueError):
    """A JWT that cannot be read or whose key cannot be used; the message says why."""


@dataclass(frozen=True)
class _Parts:
    """Any compact JWS, decoded (not yet verified): a credential, or a wallet's proof of its key."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header.get("alg"))


@dataclass(frozen=True)
class Decoded(_Parts):
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
            if name not in vc and _is_number(claims.get(claim)):
                vc[name] = dates.format_datetime(_from_epoch(claims[claim]))
        return vc


def looks_like_jwt(data: Any) -> bool:
    """True if ``data`` (text or bytes) has the shape of a compact JWS."""
    if isinstance(data, bytes):
        data = data.decode("ascii", "replace")
    return isinstance(data, str) and bool(JWT_PATTERN.fullmatch(data.strip()))  # linear; no backtracking


def _split(token: str | bytes) -> _Parts:
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
        signature = _b64decode(signature_b64)
    except (binascii.Error, ValueError):
        raise JoseError("the JWT's signature is not base64url", code="jwt.signature-not-base64url") from None
    return _Parts(header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def decode(token: str | bytes) -> Decoded:
    """Split and decode a compact JWS holding a credential. Raises JoseError (specific message)."""
    parts = _split(token)
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


def format_problem(decoded: Decoded) -> str | None:
    """What is wrong with the credential inside the JWT (None if it is well-formed)."""
    problem = format_error(decoded)
    return str(problem) if problem else None


def format_error(decoded: Decoded) -> JoseError | None:
    """:func:`format_problem` as an error with its code and params."""
    vc = decoded.credential
    claims = decoded.payload
    context = vc.get("@context")
    context = context if isinstance(context, list) else [context]
    expected = contexts.VC_V2 if decoded.flavour == "vc-jose-cose" else contexts.VC_V1
    if not context or context[0] not in (contexts.VC_V2, contexts.VC_V1):
        return JoseError(
            f"the first @context must be {expected}: this is not a Verifiable Credential",
            code="jwt.not-vc-context",
            context=expected,
        )
    if decoded.flavour == "vc-jose-cose" and context[0] != contexts.VC_V2:
        return JoseError(
            f"a VC-JOSE-COSE credential uses the VC 2.0 data model (first @context {contexts.VC_V2})",
            code="jwt.not-vc2",
            context=contexts.VC_V2,
        )
    types = vc.get("type")
    if "VerifiableCredential" not in (types if isinstance(types, list) else [types]):
        return JoseError("the type does not include VerifiableCredential", code="format.not-vc-type")
    if not issuer_id(vc):
        return JoseError("the credential names no issuer", code="format.no-issuer")
    if not vc.get("credentialSubject"):
        return JoseError("the credential has no credentialSubject", code="format.no-subject")
    if decoded.flavour == "vc-jwt-1.1":
        inner = decoded.payload["vc"].get("issuer")
        inner = inner.get("id") if isinstance(inner, dict) else inner
        if "iss" in claims and inner is not None and inner != claims["iss"]:
            return JoseError(
                f"the JWT's iss {claims['iss']!r} is not the credential's issuer {inner!r}",
                code="jwt.iss-not-issuer",
                iss=claims["iss"],
                issuer=inner,
            )
        for claim in ("nbf", "exp", "iat"):
            if claim in claims and not _is_number(claims[claim]):
                return JoseError(
                    f"the JWT's {claim} claim {claims[claim]!r} is not a NumericDate (seconds since 1970)",
                    code="jwt.claim-not-date",
                    claim=claim,
                    value=claims[claim],
                )
    if decoded.flavour == "vc-jose-cose":
        if "iss" in claims and claims["iss"] != issuer_id(vc):
            return JoseError(
                f"the JWT's iss {claims['iss']!r} is not the credential's issuer {issuer_id(vc)!r}",
                code="jwt.iss-not-issuer",
                iss=claims["iss"],
                issuer=issuer_id(vc),
            )
        # Open Badges 3.0 §8.2: jti is the credential's id, sub its subject's id
        if "jti" in claims and "id" in vc and claims["jti"] != vc["id"]:
            return JoseError(
                f"the JWT's jti {claims['jti']!r} is not the credential's id {vc['id']!r}",
                code="jwt.jti-not-id",
                jti=claims["jti"],
                id=vc["id"],
            )
        subject = vc.get("credentialSubject")
        subject_id = subject.get("id") if isinstance(subject, dict) else None
        if "sub" in claims and subject_id is not None and claims["sub"] != subject_id:
            return JoseError(
                f"the JWT's sub {claims['sub']!r} is not the credential subject's id {subject_id!r}",
                code="jwt.sub-not-subject",
                sub=claims["sub"],
                subject=subject_id,
            )
    typ = decoded.header.get("typ")
    if decoded.flavour == "vc-jose-cose" and typ not in _JOSE_TYPES:
        sd_jwt = "sd-jwt" in str(typ)
        return JoseError(
            f"the JWT's typ {typ!r} is not a credential's (vc+jwt)"
            + ("; selective disclosure (SD-JWT) is not supported" if sd_jwt else ""),
            code="jwt.typ-sd-jwt" if sd_jwt else "jwt.typ-not-vc",
            typ=typ,
        )
    return None


def key_id(decoded: Decoded) -> str:
    """The verification method that should have signed: ``kid`` made absolute against the issuer, or
    the issuer's only key when the issuer is a did:key or did:jwk and there is no ``kid``."""
    issuer = issuer_id(decoded.credential) or ""
    kid = decoded.header.get("kid")
    if kid is None:
        if issuer.startswith(keys.DID_KEY_PREFIX):
            return f"{issuer}#{issuer[len(keys.DID_KEY_PREFIX) :]}"
        if issuer.startswith(DID_JWK_PREFIX):
            return f"{issuer}#0"
        raise JoseError(
            "the JWT's header has no kid, so the issuer's signing key cannot be found", code="jwt.no-kid"
        )
    if not isinstance(kid, str) or not kid or len(kid) > 2000:
        raise JoseError("the JWT's kid is not a key id", code="jwt.kid-invalid")
    if kid.startswith("#"):
        return issuer + kid
    if kid.split("#", 1)[0] != issuer:
        raise JoseError(
            f"the signing key {kid!r} is not controlled by the issuer {issuer!r}",
            code="proof.key-not-issuers",
            key=kid,
            issuer=issuer,
        )
    return kid


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
            jwk = json.loads(_b64decode(subject[len(DID_JWK_PREFIX) :]))
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
            x = _b64decode(jwk.get("x", ""))
            if len(x) != 32:
                raise DidError("an Ed25519 JWK's x is 32 bytes", code="key.jwk-ed25519-length")
            return Ed25519PublicKey.from_public_bytes(x)
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x, y = _b64decode(jwk.get("x", "")), _b64decode(jwk.get("y", ""))
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


def check_signature(decoded: _Parts, public_key: object) -> str | None:
    """None if the signature verifies with ``public_key`` under the header's algorithm, else why not."""
    error = signature_error(decoded, public_key)
    return str(error) if error else None


def signature_error(decoded: _Parts, public_key: object) -> JoseError | None:
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


def claim_window(decoded: Decoded, now: datetime) -> tuple[str, str] | None:
    """(outcome, message) when the JWT's own nbf/exp claims put ``now`` outside its window."""
    window = claim_window_error(decoded, now)
    return (window[0], str(window[1])) if window else None


def claim_window_error(decoded: Decoded, now: datetime) -> tuple[str, JoseError] | None:
    """:func:`claim_window` with the message as an error with its code and params."""
    claims = decoded.payload
    if _is_number(claims.get("nbf")) and now < _from_epoch(claims["nbf"]):
        start = dates.format_datetime(_from_epoch(claims["nbf"]))
        return "not-yet-valid", JoseError(f"not valid until {start} (nbf)", code="jwt.nbf", start=start)
    if _is_number(claims.get("exp")) and now > _from_epoch(claims["exp"]):
        end = dates.format_datetime(_from_epoch(claims["exp"]))
        return "expired", JoseError(f"expired on {end} (exp)", code="jwt.exp", end=end)
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
    signing_input = f"{_b64encode(_compact(header))}.{_b64encode(_compact(credential_or_claims))}".encode()
    if alg in ("EdDSA", "Ed25519"):
        signature = private_key.sign(signing_input)
    else:
        r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input.decode()}.{_b64encode(signature)}"


def credential_claims(credential: dict[str, Any], subject_id: str | None = None) -> dict[str, Any]:
    """The JWT payload securing ``credential`` (a VC 2.0 credential; its embedded ``proof``, if any, is
    left out) as Open Badges 3.0 §8.2 "JSON Web Token Proof Format" and VC-JOSE-COSE describe it: the
    credential itself with the claims ``iss`` (issuer id), ``jti`` (id), ``nbf`` (validFrom), ``exp``
    (validUntil, if any) and ``sub`` (the subject's id). ``subject_id``: set ``credentialSubject.id`` to
    it (the holder the credential is bound to). Raises JoseError for a credential that lacks one of them."""
    claims = {name: value for name, value in credential.items() if name != "proof"}
    subject = claims.get("credentialSubject")
    if not isinstance(subject, dict):
        raise JoseError("the credential has no credentialSubject object")
    if subject_id is not None:
        # the subject's id first, as it reads in a credential (its other properties keep their order)
        claims["credentialSubject"] = {"id": subject_id, **{k: v for k, v in subject.items() if k != "id"}}
    issuer = issuer_id(claims)
    if issuer is None or not isinstance(claims.get("id"), str):
        raise JoseError("the credential has no issuer id or no id")
    valid_from = dates.parse_datetime(claims.get("validFrom"))
    valid_until = dates.parse_datetime(claims.get("validUntil"))
    if valid_from is None or ("validUntil" in claims and valid_until is None):
        raise JoseError("the credential's validFrom / validUntil are not dates")
    claims["iss"] = issuer
    claims["jti"] = claims["id"]
    claims["nbf"] = int(valid_from.timestamp())
    if valid_until is not None:
        claims["exp"] = int(valid_until.timestamp())
    sub = claims["credentialSubject"].get("id")
    if isinstance(sub, str):
        claims["sub"] = sub
    return claims


# OpenID4VCI 1.0 Appendix F.1: the typ of a key proof
KEY_PROOF_TYPE = "openid4vci-proof+jwt"
KEY_PROOF_FUTURE_SECONDS = 300  # clock skew allowed for a proof's iat
KEY_PROOF_MAX_AGE_SECONDS = 900


@dataclass(frozen=True)
class KeyProof:
    """A verified OpenID4VCI ``jwt`` key proof: the holder's DID (did:key, or did:jwk for a ``jwk``
    header) and the proof's ``nonce`` (None if it has none; the caller checks it)."""

    holder: str
    nonce: str | None


def check_key_proof(token: Any, audience: str, now: datetime) -> KeyProof:
    """Verify a wallet's key proof (OpenID4VCI 1.0 Appendix F.1, proof type ``jwt``): typ
    ``openid4vci-proof+jwt``, EdDSA or ES256, the key given as a did:key / did:jwk ``kid`` or a ``jwk``
    header, signed by that key, ``aud`` the Credential Issuer Identifier, ``iat`` recent. Raises
    JoseError saying what is wrong."""
    if not isinstance(token, str):
        raise JoseError("the key proof must be a JWT (a string)")
    parts = _split(token)
    header, claims = parts.header, parts.payload
    if header.get("typ") != KEY_PROOF_TYPE:
        raise JoseError(f"the key proof's typ must be {KEY_PROOF_TYPE!r}, not {header.get('typ')!r}")
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise JoseError("the key proof must name its key by exactly one of kid (a DID URL) or jwk")
    try:
        if jwk is not None:
            if not isinstance(jwk, dict) or "d" in jwk:
                raise JoseError("the key proof's jwk must be a public JWK")
            public = {k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}
            public_key = public_key_from_jwk(public)
            holder = did_jwk(public)
        else:
            if not isinstance(kid, str) or not kid.startswith((keys.DID_KEY_PREFIX, DID_JWK_PREFIX)):
                raise JoseError("the key proof's kid must be a did:key or did:jwk URL")
            holder = kid.split("#", 1)[0]
            document = resolve_local(holder)
            if document is None:  # cannot happen for these prefixes; keeps the type checker sure
                raise JoseError("the key proof's kid cannot be resolved")
            method = document["verificationMethod"][0]
            if "#" in kid and kid != method["id"]:
                raise JoseError(f"the key proof's kid {kid[:200]!r} is not the key of {holder[:200]!r}")
            public_key = public_key_of(method, holder)
    except VCError as exc:
        raise JoseError(f"the key proof's key cannot be used: {exc}") from None
    error = check_signature(parts, public_key)
    if error:
        raise JoseError(error.replace("the JWT's", "the key proof's").replace("issuer's key", "key it names"))
    if claims.get("aud") != audience:
        raise JoseError(f"the key proof's aud must be the Credential Issuer Identifier {audience!r}")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or not _is_number(iat):
        raise JoseError("the key proof has no iat (seconds since 1970)")
    age = (now - _from_epoch(iat)).total_seconds()
    if age < -KEY_PROOF_FUTURE_SECONDS:
        raise JoseError("the key proof's iat is in the future")
    if age > KEY_PROOF_MAX_AGE_SECONDS:
        raise JoseError("the key proof is too old (iat); make a new one")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise JoseError("the key proof's nonce must be a string")
    return KeyProof(holder, nonce)


def did_key_p256(public_key: ec.EllipticCurvePublicKey) -> str:
    """The did:key of a P-256 public key (compressed point, multicodec 0x1200)."""

    point = public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return keys.DID_KEY_PREFIX + keys.multibase_encode(P256_PUB_HEADER + point)


def did_jwk(jwk: dict[str, Any]) -> str:
    """The did:jwk of a public JWK."""
    return DID_JWK_PREFIX + _b64encode(_compact(jwk))


def issuer_id(vc: dict[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) and issuer else None


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


def _json_part(segment: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment), parse_constant=_no_constant)
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


def _b64decode(segment: str) -> bytes:
    if not isinstance(segment, str) or "=" in segment:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 253402300800


def _from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def verify_jwt(token: str | bytes, fetch: Fetch | None = None, now: datetime | None = None) -> Report:
    """Verify a JWT-secured credential: a :class:`credstack.vc.verify.Report` with the same checks as
    for Data Integrity credentials (``format``, ``proof``, ``validity``, ``status``)."""
    from credstack.vc import verify as vc_verify  # verify imports this module: a top-level import is a cycle

    now = now or datetime.now(UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    return vc_verify.Report(_checks(token, vc_verify.Verifier(fetch, now), vc_verify), now)


def _checks(token: str | bytes, verifier: Verifier, vc_verify: ModuleType) -> list[Check]:
    check: type[Check] = vc_verify.Check
    try:
        decoded = decode(token)
    except VCError as exc:
        return [vc_verify.failed_check("format", exc)]
    problem = format_error(decoded)
    if problem:
        return [vc_verify.failed_check("format", problem)]
    label = "VC-JOSE-COSE" if decoded.flavour == "vc-jose-cose" else "VC-JWT 1.1"
    result = [
        check(
            "format",
            True,
            f"a Verifiable Credential secured as a JWT ({label}, {decoded.alg})",
            details={"jwt_header": decoded.header, "securing": decoded.flavour},
            code="jwt.ok",
            params={"securing": label, "alg": decoded.alg},
        )
    ]
    result.append(_proof_check(decoded, verifier, vc_verify))
    vc = decoded.credential
    window = claim_window_error(decoded, verifier.now)
    result.append(
        vc_verify.failed_check("validity", window[1], window[0])
        if window
        else vc_verify.validity_check(vc, verifier.now)
    )
    entries = vc.get("credentialStatus")
    if entries is None:
        result.append(
            check(
                "status",
                True,
                "the credential has no credentialStatus (it cannot be revoked)",
                code="status.none",
            )
        )
    else:
        result.extend(
            verifier.status_check(vc, e) for e in (entries if isinstance(entries, list) else [entries])
        )
    return result


def _proof_check(decoded: Decoded, verifier: Verifier, vc_verify: ModuleType) -> Check:
    check: type[Check] = vc_verify.Check
    failed_check: Callable[..., Check] = vc_verify.failed_check
    unavailable: type[Exception] = vc_verify.Unavailable
    try:
        vm_id = key_id(decoded)
    except JoseError as exc:
        return failed_check("proof", exc)
    controller = vm_id.split("#", 1)[0]
    try:
        document = resolve_local(controller)
        if document is None:
            if controller.startswith(did.DID_WEB_PREFIX):
                url = did.did_web_url(controller)
            elif controller.startswith("https://"):
                url = controller
            else:
                raise DidError(
                    f"the key controller {controller[:100]!r} uses a method credstack cannot resolve "
                    "(only did:key, did:jwk, did:web and https URLs)",
                    code="did.method-unsupported-jwt",
                    controller=controller[:100],
                )
            try:
                document = verifier.fetch_document(url, "the issuer's DID document")
            except unavailable as exc:  # no fetch, or it failed: the check is not carried out
                return check(
                    "proof",
                    None,
                    f"not checked: {exc}",
                    "unverified",
                    code="proof.not-checked",
                    params={"reason": error_reason(exc)},
                )
        public_key = public_key_of(verification_method(document, vm_id), controller)
    except VCError as exc:
        return failed_check("proof", exc)
    error = signature_error(decoded, public_key)
    if error:
        return failed_check("proof", error)
    return check(
        "proof",
        True,
        f"signed by {vm_id} ({decoded.alg}, JWS)",
        details={"verificationMethod": vm_id},
        code="jwt.signed",
        params={"key": vm_id, "alg": decoded.alg},
    )
