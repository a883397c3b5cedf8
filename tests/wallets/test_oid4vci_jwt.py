"""OpenID4VCI 1.0 ``jwt_vc_json`` (decision 0065): the same Open Badges 3.0 credential as a JWT, bound to the
key the wallet proves it holds. Sphereon's client receives it from the live server, panva's ``jose`` (an
independent JOSE implementation) verifies it, ``credstack verify`` says "valid" and, after the credential is
revoked, the same verdict as for the stored credential; tampered tokens are refused by both."""

from __future__ import annotations

import json
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from credstack.cli import main as cli
from credstack.credentials import actions as credential_actions
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry
from credstack.vc import jose, keys, verify
from credstack.wallets import actions, protocol
from credstack.wallets.models import WalletOffer
from tests.interop.conftest import ensure_node_modules
from tests.interop.verifier import INTEROP_DIR
from tests.unchanged import changes_nothing
from tests.wallets.test_oid4vci import _offer_from_page, _token

JWT_CONFIG = protocol.JWT_CONFIGURATION_ID


def _wallet(offer_uri: str, configuration: str) -> dict:
    ensure_node_modules()
    proc = subprocess.run(
        ["node", "oid4vci-wallet.mjs", offer_uri, configuration],
        cwd=INTEROP_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _jose_verify(token: str, did_document: dict) -> dict:
    """panva's ``jose`` (interop/jwt-verify.mjs) checks the signature and the OB 3.0 §8.2 claims."""
    proc = subprocess.run(
        ["node", "jwt-verify.mjs"],
        cwd=INTEROP_DIR,
        input=json.dumps({"token": token, "didDocument": did_document}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cli_verify(capsys, path) -> dict:
    cli(["verify", str(path), "--json"])
    return json.loads(capsys.readouterr().out)


def _tampered(token: str) -> str:
    """The same header and signature over a payload that names someone else."""
    head, payload, signature = token.split(".")
    claims = json.loads(jose.b64url_decode(payload))
    claims["credentialSubject"]["name"] = "Mallory"
    return f"{head}.{jose.b64url_encode(jose.compact_json(claims))}.{signature}"


@pytest.mark.interop
@pytest.mark.django_db(transaction=True)  # the Node wallet and `credstack verify` reach the live server
def test_a_real_wallet_receives_the_jwt_and_independent_checks_agree(
    live_server, settings, issue, portal_login, node_verifier, capsys, tmp_path
):
    settings.CREDSTACK_BASE_URL = live_server.url
    credential = issue(email="ada@example.org")
    uri = _offer_from_page(portal_login("ada@example.org", Client()), credential)
    offer = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    assert offer["credential_configuration_ids"] == [protocol.CONFIGURATION_ID, JWT_CONFIG]

    out = _wallet(uri, JWT_CONFIG)
    assert out["ok"] is True, out
    assert (
        out["metadata"]["credentialIssuerMetadata"]["credential_configurations_supported"][JWT_CONFIG][
            "format"
        ]
        == "jwt_vc_json"
    )
    [item] = out["response"]["credentials"]
    token = item["credential"]
    assert isinstance(token, str) and token.count(".") == 2  # a compact JWS, not re-encoded (A.1.1)

    # the stored credential, bound to the wallet's did:key; its status entry is the stored one's
    credential.refresh_from_db()
    stored = credential.signed()
    decoded = jose.decode(token)
    assert decoded.header == {"alg": "EdDSA", "typ": "JWT", "kid": stored["proof"][0]["verificationMethod"]}
    payload = decoded.payload
    assert payload["credentialSubject"]["id"] == payload["sub"] == out["holder"]
    assert payload["jti"] == payload["id"] == credential.uri
    assert payload["credentialStatus"] == stored["credentialStatus"]
    without = {k: v for k, v in stored.items() if k != "proof"}
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "exp", "sub")} == {
        **without,
        "credentialSubject": {"id": out["holder"], **stored["credentialSubject"]},
    }
    audit = AuditEntry.objects.get(target=credential.public_id, action="credential.wallet_delivered")
    assert out["holder"] in audit.detail and "jwt_vc_json" in audit.detail

    # an independent JOSE implementation verifies it with the key of the issuer's did:web document
    did_document = local_fetch(credential.organization.did)
    checked = _jose_verify(token, did_document)
    assert checked["verified"] is True, checked
    refused = _jose_verify(_tampered(token), did_document)
    assert refused["verified"] is False and "signature" in refused["error"]

    # credstack verify: valid; a tampered token is invalid
    path = tmp_path / "badge.jwt"
    path.write_text(token)
    report = _cli_verify(capsys, path)
    assert report["status"] == "valid", report
    bad = tmp_path / "tampered.jwt"
    bad.write_text(_tampered(token))
    assert _cli_verify(capsys, bad)["status"] == "invalid"

    # revoking the credential revokes both forms: the JWT gets the stored credential's verdict
    credential_actions.revoke_credential(credential, reason="issued by mistake")
    stored_file = tmp_path / "badge.json"
    stored_file.write_text(credential.document)
    after = _cli_verify(capsys, path)
    assert after["status"] in ("revoked", "suspended"), after
    assert after["status"] == _cli_verify(capsys, stored_file)["status"]

    # the offer worked once, whichever format
    assert _wallet(uri, protocol.CONFIGURATION_ID)["ok"] is False
    assert WalletOffer.objects.get(credential=credential).delivered_at is not None


# ---- the credential endpoint's rules, without a network (Django's test client) ----------------------


def _holder() -> tuple[Ed25519PrivateKey, str]:
    private = Ed25519PrivateKey.generate()
    return private, keys.did_key(private.public_key().public_bytes_raw())


def _proof(private, kid: str | None, **claims) -> str:
    payload = {"aud": protocol.issuer(), "iat": int(time.time()), **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jose.sign(payload, private, kid, "EdDSA", typ="openid4vci-proof+jwt")


def _ask(client: Client, token: str, body: dict):
    return client.post(
        "/oid4vci/credential",
        {"credential_configuration_id": JWT_CONFIG, **body},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.django_db
def test_jwt_vc_json_needs_a_fresh_proof_and_binds_to_its_key(issue, client, settings):
    settings.CREDSTACK_BASE_URL = "https://credstack.example"
    credential = issue(email="ada@example.org")
    token = _token(client, actions.make_offer(credential, actor="test").code).json()["access_token"]
    nonce = client.post("/oid4vci/nonce").json()["c_nonce"]
    private, did = _holder()
    kid = f"{did}#{did.removeprefix('did:key:')}"
    other, _ = _holder()

    refusals = [
        ({}, "invalid_proof", "key proof"),
        ({"proofs": {"jwt": [_proof(private, kid)]}}, "invalid_proof", "no nonce"),
        ({"proofs": {"jwt": [_proof(private, kid, nonce="made-up")]}}, "invalid_nonce", "not a c_nonce"),
        ({"proofs": {"jwt": [_proof(private, kid, nonce=nonce, aud="https://else.example")]}}, "invalid_proof", "aud"),
        ({"proofs": {"jwt": [_proof(other, kid, nonce=nonce)]}}, "invalid_proof", "signature"),
        ({"proofs": {"jwt": [_proof(private, kid, nonce=nonce, iat=int(time.time()) - 3600)]}}, "invalid_proof", "too old"),
        ({"proofs": {"jwt": [_proof(private, "https://evil.example/key", nonce=nonce)]}}, "invalid_proof", "did:key"),
        ({"proofs": {"jwt": ["not a jwt"]}}, "invalid_proof", "compact JWT"),
    ]  # fmt: skip
    for body, error, says in refusals:
        with changes_nothing():
            refused = _ask(client, token, body)
        assert refused.status_code == 400, (body, refused.content)
        assert refused.json()["error"] == error and says in refused.json()["error_description"], (
            refused.json()
        )

    # 1.0's proofs.jwt (the drafts' single `proof` is taken too: tests above use Sphereon's form live)
    ok = _ask(client, token, {"proofs": {"jwt": [_proof(private, kid, nonce=nonce)]}})
    assert ok.status_code == 200 and ok["Cache-Control"] == "no-store"
    jwt = ok.json()["credentials"][0]["credential"]
    decoded = jose.decode(jwt)
    assert decoded.payload["sub"] == decoded.payload["credentialSubject"]["id"] == did
    # a self-contained check here (the did:web document served from the database)
    assert verify.verify_credential(jwt, fetch=local_fetch).status == "valid"
    # one delivery per token, whichever format
    again = _ask(client, token, {"proofs": {"jwt": [_proof(private, kid, nonce=nonce)]}})
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"


@pytest.mark.django_db
def test_a_jwk_key_proof_binds_to_its_did_jwk(issue, client, settings):
    settings.CREDSTACK_BASE_URL = "https://credstack.example"
    credential = issue(email="ada@example.org")
    token = _token(client, actions.make_offer(credential, actor="test").code).json()["access_token"]
    nonce = client.post("/oid4vci/nonce").json()["c_nonce"]
    private, _ = _holder()
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": jose.b64url_encode(private.public_key().public_bytes_raw())}
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": jwk}
    payload = {"aud": protocol.issuer(), "iat": int(time.time()), "nonce": nonce}
    signing_input = (
        f"{jose.b64url_encode(jose.compact_json(header))}.{jose.b64url_encode(jose.compact_json(payload))}"
    )
    proof = f"{signing_input}.{jose.b64url_encode(private.sign(signing_input.encode()))}"
    ok = _ask(client, token, {"proof": {"proof_type": "jwt", "jwt": proof}})  # the drafts' form
    assert ok.status_code == 200, ok.content
    assert jose.decode(ok.json()["credentials"][0]["credential"]).payload["sub"] == jose.did_jwk(jwk)


@pytest.mark.django_db
def test_a_revoked_credential_gets_no_jwt_either(issue, client):
    credential = issue(email="ada@example.org")
    token = _token(client, actions.make_offer(credential, actor="test").code).json()["access_token"]
    credential_actions.revoke_credential(credential, reason="issued by mistake")
    private, did = _holder()
    nonce = client.post("/oid4vci/nonce").json()["c_nonce"]
    with changes_nothing():
        refused = _ask(client, token, {"proofs": {"jwt": [_proof(private, did, nonce=nonce)]}})
    assert refused.status_code == 403 and refused.json()["error"] == "credential_request_denied"


def test_metadata_offers_jwt_vc_json_beside_ldp_vc(client, settings):
    settings.CREDSTACK_BASE_URL = "https://credstack.example"
    configs = client.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]
    assert set(configs) == {protocol.CONFIGURATION_ID, JWT_CONFIG}
    jwt = configs[JWT_CONFIG]
    assert jwt["format"] == "jwt_vc_json"
    assert jwt["credential_definition"] == {"type": ["VerifiableCredential", "OpenBadgeCredential"]}
    assert jwt["credential_signing_alg_values_supported"] == ["EdDSA"]
    assert "did:key" in jwt["cryptographic_binding_methods_supported"]
    assert "EdDSA" in jwt["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    assert "cryptographic_binding_methods_supported" not in configs[protocol.CONFIGURATION_ID]
