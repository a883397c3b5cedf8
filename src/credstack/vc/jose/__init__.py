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

One module per concern; import the names from here (``credstack.vc.jose``):

- ``compact``: a compact JWS split, decoded, signed, its signature checked; base64url and compact JSON;
- ``jwk``: public keys from verification methods and JWKs, did:key / did:jwk resolved locally;
- ``credential``: the credential inside a JWT (format, ``kid``, validity window, claims);
- ``key_proof``: a wallet's OpenID4VCI key proof;
- ``verifying``: :func:`verify_jwt`, the report.
"""

from .compact import (
    ALGORITHMS,
    JWT_PATTERN,
    MAX_TOKEN_BYTES,
    Decoded,
    JoseError,
    Parts,
    b64url_decode,
    b64url_encode,
    check_signature,
    compact_json,
    decode,
    from_epoch,
    is_numeric_date,
    looks_like_jwt,
    sign,
    signature_error,
    split_jws,
)
from .credential import (
    claim_window,
    claim_window_error,
    credential_claims,
    format_error,
    format_problem,
    issuer_id,
    key_id,
)
from .jwk import (
    DID_JWK_PREFIX,
    P256_PUB_HEADER,
    PublicKey,
    did_jwk,
    did_key_p256,
    public_key_from_jwk,
    public_key_from_multikey,
    public_key_of,
    resolve_local,
    verification_method,
)
from .key_proof import (
    KEY_PROOF_FUTURE_SECONDS,
    KEY_PROOF_MAX_AGE_SECONDS,
    KEY_PROOF_TYPE,
    KeyProof,
    check_key_proof,
)
from .verifying import verify_jwt

__all__ = [
    "ALGORITHMS",
    "DID_JWK_PREFIX",
    "JWT_PATTERN",
    "KEY_PROOF_FUTURE_SECONDS",
    "KEY_PROOF_MAX_AGE_SECONDS",
    "KEY_PROOF_TYPE",
    "MAX_TOKEN_BYTES",
    "P256_PUB_HEADER",
    "Decoded",
    "JoseError",
    "KeyProof",
    "Parts",
    "PublicKey",
    "b64url_decode",
    "b64url_encode",
    "check_key_proof",
    "check_signature",
    "claim_window",
    "claim_window_error",
    "compact_json",
    "credential_claims",
    "decode",
    "did_jwk",
    "did_key_p256",
    "format_error",
    "format_problem",
    "from_epoch",
    "is_numeric_date",
    "issuer_id",
    "key_id",
    "looks_like_jwt",
    "public_key_from_jwk",
    "public_key_from_multikey",
    "public_key_of",
    "resolve_local",
    "sign",
    "signature_error",
    "split_jws",
    "verification_method",
    "verify_jwt",
]
