"""A wallet's proof of its key (OpenID4VCI 1.0 Appendix F.1, proof type ``jwt``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.vc import keys
from credstack.vc.errors import VCError

from .compact import JoseError, check_signature, from_epoch, is_numeric_date, split_jws
from .jwk import DID_JWK_PREFIX, did_jwk, public_key_from_jwk, public_key_of, resolve_local

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
    parts = split_jws(token)
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
    if not isinstance(iat, int | float) or not is_numeric_date(iat):
        raise JoseError("the key proof has no iat (seconds since 1970)")
    age = (now - from_epoch(iat)).total_seconds()
    if age < -KEY_PROOF_FUTURE_SECONDS:
        raise JoseError("the key proof's iat is in the future")
    if age > KEY_PROOF_MAX_AGE_SECONDS:
        raise JoseError("the key proof is too old (iat); make a new one")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise JoseError("the key proof's nonce must be a string")
    return KeyProof(holder, nonce)
