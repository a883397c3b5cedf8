"""JWT-secured credentials (VC-JOSE-COSE and VC-JWT 1.1): signed here with fresh keys, checked by
``credstack.vc.verify`` exactly like Data Integrity credentials."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credstack.vc import contexts, did, jose, keys, proofs, status, verify

from .helpers import fetch_from

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())


class Issuer:
    """A fresh key and the DID that names it (did:key, did:jwk or did:web)."""

    def __init__(self, alg: str, method: str = "key") -> None:
        self.alg = alg
        if alg == "EdDSA":
            self.private = Ed25519PrivateKey.generate()
            raw = self.private.public_key().public_bytes_raw()
            multibase = keys.public_key_to_multibase(raw)
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            numbers = self.private.public_key().public_numbers()
            multibase = jose.did_key_p256(self.private.public_key())[len("did:key:") :]
            jwk = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")),
                   "y": _b64(numbers.y.to_bytes(32, "big"))}  # fmt: skip
        self.documents: dict[str, dict] = {}
        if method == "key":
            self.did = "did:key:" + multibase
            self.kid = f"{self.did}#{multibase}"
        elif method == "jwk":
            self.did = jose.did_jwk(jwk)
            self.kid = f"{self.did}#0"
        else:
            self.did = "did:web:issuer.example:orgs:demo"
            self.kid = f"{self.did}#key-1"
            self.documents[did.did_web_url(self.did)] = {
                "@context": [contexts.DID_V1],
                "id": self.did,
                "verificationMethod": [
                    {"id": self.kid, "type": "JsonWebKey", "controller": self.did, "publicKeyJwk": jwk}
                ],
                "assertionMethod": [self.kid],
            }

    def credential(self, **changes) -> dict:
        vc = {
            "@context": [contexts.VC_V2, contexts.OB_V3],
            "id": "urn:uuid:4b0e8a1e-6bcb-4a0b-9d0e-2a7d5c1f0001",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": self.did, "name": "Académie Ünïcode 学院"},
            "validFrom": "2026-01-01T00:00:00Z",
            "name": "Python Basics",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "name": "Ольга Петрова",
                "achievement": {
                    "id": "https://academy.example/a/python-basics",
                    "type": ["Achievement"],
                    "name": "Python Basics",
                    "criteria": {"narrative": "Pass every quiz."},
                },
            },
        }
        vc.update(changes)
        return vc

    def jose(self, vc: dict | None = None, **header) -> str:
        """VC-JOSE-COSE: the credential is the payload."""
        return jose.sign(vc or self.credential(), self.private, header.pop("kid", self.kid), self.alg,
                         header.pop("typ", "vc+jwt"))  # fmt: skip

    def jwt11(self, **claims) -> str:
        """VC-JWT 1.1: the credential in ``vc``, with registered claims."""
        vc = self.credential()
        vc["@context"] = [contexts.VC_V1, contexts.OB_V3]
        for name in ("id", "issuer", "validFrom"):
            vc.pop(name)
        payload = {"iss": self.did, "sub": "did:example:learner", "jti": "urn:uuid:1", "nbf": EPOCH - 86400,
                   "exp": EPOCH + 86400, "vc": vc}  # fmt: skip
        payload.update(claims)
        return jose.sign(payload, self.private, self.kid, self.alg, "JWT")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _check(report: verify.Report, name: str) -> verify.Check:
    return next(c for c in report.checks if c.name == name)


def _verify(token, issuer: Issuer | None = None, now=NOW, documents=None):
    docs = {**(issuer.documents if issuer else {}), **(documents or {})}
    return verify.verify_credential(token, fetch=fetch_from(docs), now=now)


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
@pytest.mark.parametrize("method", ["key", "jwk", "web"])
def test_vc_jose_cose_verifies(alg, method):
    issuer = Issuer(alg, method)
    report = _verify(issuer.jose(), issuer)
    assert report.status == "valid", report.to_dict()
    assert [c.name for c in report.checks] == ["format", "proof", "validity", "status"]
    assert "VC-JOSE-COSE" in _check(report, "format").message
    assert _check(report, "proof").message == f"signed by {issuer.kid} ({alg}, JWS)"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_vc_jwt_11_verifies_and_maps_its_claims(alg):
    issuer = Issuer(alg)
    token = issuer.jwt11()
    report = _verify(token, issuer)
    assert report.status == "valid", report.to_dict()
    assert "VC-JWT 1.1" in _check(report, "format").message
    decoded = jose.decode(token)
    assert decoded.credential["issuer"] == issuer.did
    assert decoded.credential["credentialSubject"]["id"] == "did:example:learner"
    assert decoded.credential["expirationDate"] == "2026-03-02T12:00:00Z"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_tampered_payload_is_invalid(alg):
    issuer = Issuer(alg)
    head, payload, sig = issuer.jose().split(".")
    vc = json.loads(base64.urlsafe_b64decode(payload + "=="))
    vc["credentialSubject"]["name"] = "Mallory"
    report = _verify(".".join([head, _b64(json.dumps(vc).encode()), sig]), issuer)
    assert report.status == "invalid"
    assert _check(report, "proof").message == "the JWT's signature does not verify with the issuer's key"


def test_signed_by_another_key_is_invalid():
    issuer, other = Issuer("ES256"), Issuer("ES256")
    token = jose.sign(issuer.credential(), other.private, issuer.kid, "ES256")
    report = _verify(token, issuer)
    assert report.status == "invalid" and "does not verify" in _check(report, "proof").message


def test_kid_of_someone_else_is_refused():
    issuer, other = Issuer("EdDSA"), Issuer("EdDSA")
    token = jose.sign(issuer.credential(), other.private, other.kid, "EdDSA")
    report = _verify(token, issuer)
    assert report.status == "invalid"
    assert "is not controlled by the issuer" in _check(report, "proof").message


def test_algorithm_and_key_type_must_agree():
    issuer = Issuer("EdDSA")
    p256 = ec.generate_private_key(ec.SECP256R1())
    token = jose.sign(issuer.credential(), p256, issuer.kid, "ES256")
    report = _verify(token, issuer)
    assert report.status == "invalid"
    assert (
        _check(report, "proof").message
        == "the JWT is signed with ES256 but the issuer's key is not a P-256 key"
    )


@pytest.mark.parametrize(
    ("changes", "outcome", "message"),
    [
        ({"validUntil": "2026-02-01T00:00:00Z"}, "expired", "expired on 2026-02-01T00:00:00Z"),
        ({"validFrom": "2027-01-01T00:00:00Z"}, "not-yet-valid", "not valid until 2027-01-01T00:00:00Z"),
    ],
)
def test_validity_window_of_the_credential(changes, outcome, message):
    issuer = Issuer("ES256")
    report = _verify(issuer.jose(issuer.credential(**changes)), issuer)
    assert report.status == outcome and _check(report, "proof").ok is True
    assert _check(report, "validity").message == message


@pytest.mark.parametrize(
    ("claims", "outcome", "message"),
    [
        ({"exp": EPOCH - 60}, "expired", "expired on 2026-03-01T11:59:00Z (exp)"),
        ({"nbf": EPOCH + 3600}, "not-yet-valid", "not valid until 2026-03-01T13:00:00Z (nbf)"),
    ],
)
def test_validity_window_of_the_jwt_claims(claims, outcome, message):
    issuer = Issuer("EdDSA")
    report = _verify(issuer.jwt11(**claims), issuer)
    assert report.status == outcome and _check(report, "validity").message == message


def _unsigned(header: dict, payload: dict, signature: str = "") -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{signature}"


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "RS256", None])
def test_unaccepted_algorithms_are_refused(alg):
    issuer = Issuer("EdDSA")
    header = {"typ": "vc+jwt", "kid": issuer.kid, **({"alg": alg} if alg else {})}
    report = _verify(_unsigned(header, issuer.credential(), "c2ln"), issuer)
    [check] = report.checks
    assert report.status == "invalid" and check.name == "format"
    assert f"algorithm {alg!r} is not accepted" in check.message
    if alg == "none":
        assert "never accepted" in check.message


def test_alg_none_with_empty_signature_is_refused():
    issuer = Issuer("EdDSA")
    report = _verify(_unsigned({"alg": "none"}, issuer.credential()), issuer)
    assert report.status == "invalid" and "alg 'none'" in report.checks[0].message


def test_oversized_token_is_refused_before_decoding():
    issuer = Issuer("EdDSA")
    vc = issuer.credential(description="x" * (jose.MAX_TOKEN_BYTES))
    report = _verify(issuer.jose(vc), issuer)
    assert report.status == "invalid" and "the limit is 1024 KiB" in report.checks[0].message


@pytest.mark.parametrize(
    ("header", "payload", "message"),
    [
        ({"alg": "EdDSA", "crit": ["exp"]}, None, "marks header parameters ['exp'] as critical"),
        ({"alg": "EdDSA", "b64": False}, None, "b64: false"),
        ({"alg": "EdDSA"}, {"hello": "world"}, "is not a Verifiable Credential"),
        ({"alg": "EdDSA", "typ": "at+jwt"}, None, "typ 'at+jwt' is not a credential's"),
        ({"alg": "EdDSA", "typ": "vc+sd-jwt"}, None, "selective disclosure (SD-JWT) is not supported"),
    ],
)
def test_malformed_jwts_are_explained(header, payload, message):
    issuer = Issuer("EdDSA")
    token = jose.sign(payload or issuer.credential(), issuer.private, issuer.kid, "EdDSA", None)
    head = _b64(json.dumps({**header, "kid": issuer.kid}).encode())
    token = ".".join([head, *token.split(".")[1:]])
    report = _verify(token, issuer)
    assert report.status == "invalid" and message in report.checks[0].message


def test_vc_jose_iss_claim_must_be_the_issuer():
    issuer = Issuer("EdDSA")
    report = _verify(issuer.jose({**issuer.credential(), "iss": "did:example:evil"}), issuer)
    assert report.status == "invalid" and "is not the credential's issuer" in report.checks[0].message


def test_open_badges_claims_are_made_from_the_credential_and_must_agree_with_it():
    """OB 3.0 §8.2: iss, jti, nbf, exp and sub mirror the credential; a JWT whose jti or sub says otherwise
    is refused even when its signature is good."""
    issuer = Issuer("EdDSA", "web")
    vc = issuer.credential(validUntil="2027-01-01T00:00:00Z", proof=[{"type": "DataIntegrityProof"}])
    claims = jose.credential_claims(vc, "did:example:holder")
    assert (
        "proof" not in claims and claims["credentialSubject"]["id"] == claims["sub"] == "did:example:holder"
    )
    assert (claims["iss"], claims["jti"]) == (issuer.did, vc["id"])
    assert (claims["nbf"], claims["exp"]) == (1767225600, 1798761600)
    assert _verify(issuer.jose(claims, typ="JWT"), issuer).status == "valid"
    for claim, value in (("jti", "urn:uuid:other"), ("sub", "did:example:someone-else")):
        report = _verify(issuer.jose({**claims, claim: value}, typ="JWT"), issuer)
        assert report.status == "invalid" and f"the JWT's {claim}" in report.checks[0].message
    with pytest.raises(jose.JoseError, match="validFrom"):
        jose.credential_claims(issuer.credential(validFrom="yesterday"))


def test_vc_jwt_iss_must_be_the_credential_issuer():
    issuer = Issuer("EdDSA")
    vc = issuer.credential()
    vc["@context"] = [contexts.VC_V1]
    token = jose.sign({"iss": "did:example:someone", "vc": vc}, issuer.private, issuer.kid, "EdDSA")
    report = _verify(token, issuer)
    assert "is not the credential's issuer" in report.checks[0].message


def test_did_web_offline_is_not_checked_never_valid():
    issuer = Issuer("ES256", "web")
    report = verify.verify_credential(issuer.jose(), fetch=None, now=NOW)
    assert report.status == "unverified" and _check(report, "proof").ok is None
    assert "offline" in _check(report, "proof").message


def test_did_web_key_not_listed_for_assertion_is_refused():
    issuer = Issuer("ES256", "web")
    [document] = issuer.documents.values()
    document["assertionMethod"] = []
    report = _verify(issuer.jose(), issuer)
    assert report.status == "invalid" and "does not list the key" in _check(report, "proof").message


def test_no_kid_uses_a_did_key_issuers_own_key():
    issuer = Issuer("ES256")
    report = _verify(issuer.jose(kid=None), issuer)
    assert report.status == "valid", report.to_dict()


@pytest.mark.parametrize("purpose_set", [None, "revocation", "suspension"])
def test_status_list_is_checked(purpose_set):
    """An Ed25519 did:key issuer signs its status lists with eddsa-rdfc-2022 and its credential as a JWT."""
    seed = Ed25519PrivateKey.generate()
    signer = keys.Ed25519Key(seed)
    issuer = Issuer("EdDSA")
    issuer.private = seed
    issuer.did = keys.did_key(signer.public_bytes())
    issuer.kid = f"{issuer.did}#{signer.public_multibase}"
    documents = {}
    for purpose in status.PURPOSES:
        bits = status.StatusBits()
        bits.set(77, purpose == purpose_set)
        url = f"https://academy.example/status/{purpose}"
        unsigned = status.list_credential(
            url, issuer.did, purpose, bits.encode(), datetime(2026, 1, 1, tzinfo=UTC)
        )
        documents[url] = proofs.sign(unsigned, signer, issuer.kid, created="2026-01-01T00:00:00Z")
    entries = [status.entry(f"https://academy.example/status/{p}", 77, p) for p in status.PURPOSES]
    report = _verify(issuer.jose(issuer.credential(credentialStatus=entries)), issuer, documents=documents)
    expected = {None: "valid", "revocation": "revoked", "suspension": "suspended"}[purpose_set]
    assert report.status == expected, report.to_dict()
    assert len([c for c in report.checks if c.name == "status"]) == 2


def test_looks_like_jwt_does_not_catch_json():
    assert not jose.looks_like_jwt('{"a": 1}') and jose.looks_like_jwt(Issuer("EdDSA").jose())
