"""The credential inside a JWT: its format checked against its JWT claims (``format_error``), the key
that should have signed it (``key_id``), the claims' validity window, and the claims that secure a
credential (``credential_claims``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from credstack.vc import contexts, dates, keys

from .compact import Decoded, JoseError, from_epoch, is_numeric_date
from .jwk import DID_JWK_PREFIX

# typ of a VC-JOSE-COSE credential: the current name, earlier drafts' names, or none/plain JWT
_JOSE_TYPES = {None, "vc+jwt", "application/vc+jwt", "vc+ld+json+jwt", "vc+ld+jwt", "JWT"}


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
            if claim in claims and not is_numeric_date(claims[claim]):
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


def claim_window(decoded: Decoded, now: datetime) -> tuple[str, str] | None:
    """(outcome, message) when the JWT's own nbf/exp claims put ``now`` outside its window."""
    window = claim_window_error(decoded, now)
    return (window[0], str(window[1])) if window else None


def claim_window_error(decoded: Decoded, now: datetime) -> tuple[str, JoseError] | None:
    """:func:`claim_window` with the message as an error with its code and params."""
    claims = decoded.payload
    if is_numeric_date(claims.get("nbf")) and now < from_epoch(claims["nbf"]):
        start = dates.format_datetime(from_epoch(claims["nbf"]))
        return "not-yet-valid", JoseError(f"not valid until {start} (nbf)", code="jwt.nbf", start=start)
    if is_numeric_date(claims.get("exp")) and now > from_epoch(claims["exp"]):
        end = dates.format_datetime(from_epoch(claims["exp"]))
        return "expired", JoseError(f"expired on {end} (exp)", code="jwt.exp", end=end)
    return None


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


def issuer_id(vc: dict[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) and issuer else None
