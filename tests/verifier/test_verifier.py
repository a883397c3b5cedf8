"""The verify page and API: anyone pastes or uploads a credential (JSON, JWT, PDF, PNG, SVG)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.credentials import actions
from credstack.credentials.models import CredentialEvent
from credstack.vc import jose

pytestmark = pytest.mark.django_db
DCC = (
    Path(__file__).resolve().parents[1] / "vc/fixtures/dcc/verifiableCredentials/v2/dataIntegrityProof/didKey"
)


ECDSA_SD = Path(__file__).resolve().parents[1] / "vc/fixtures/ecdsa-sd"


def _upload(client, name: str, data: bytes):
    return client.post("/verify", {"file": SimpleUploadedFile(name, data)})


def _state(response) -> str:
    return response.content.decode().split('data-state="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("ext", ["pdf", "png", "svg", "json"])
def test_our_files_verify_on_the_page(client, issue, ext):
    credential = issue(name="Ольга Петрова")
    data = client.get(f"/c/{credential.public_id}.{ext}").content
    response = _upload(client, f"certificate.{ext}", data)
    html = response.content.decode()
    assert response.status_code == 200 and _state(response) == "valid", html[:3000]
    assert "Valid credential" in html and "Ольга Петрова" in html and "Python Basics" in html
    assert CredentialEvent.objects.filter(credential=credential, kind="verified").exists()


def test_pasted_json_and_revocation(client, issue):
    credential = issue()
    assert _state(client.post("/verify", {"credential": credential.document})) == "valid"
    actions.revoke_credential(credential, reason="fraud")
    assert _state(client.post("/verify", {"credential": credential.document})) == "revoked"


def test_tampered_credential_is_not_valid(client, issue):
    doc = issue().signed()
    doc["credentialSubject"]["name"] = "Mallory"
    response = client.post("/verify", {"credential": json.dumps(doc)})
    assert _state(response) == "invalid" and "proof" in response.content.decode()


def test_other_issuers_did_key_and_legacy_suite(client, db):
    doc = (DCC / "legacyRegistry-noStatus-noExpiry-basicOBv3.json").read_text()
    response = client.post("/verify", {"credential": doc})
    assert _state(response) == "valid", response.content.decode()[:3000]


def test_selective_disclosure_from_another_issuer(client, db):
    """An ecdsa-sd-2023 derived credential (Digital Bazaar's suite) pasted on the public page: valid,
    showing what was disclosed; one with a disclosed value changed: not valid."""
    doc = json.loads((ECDSA_SD / "p-256-derived.json").read_text())
    response = client.post("/verify", {"credential": json.dumps(doc)})
    html = response.content.decode()
    assert _state(response) == "valid", html[:3000]
    assert "Ada Lovelace" in html and "ecdsa-sd-2023" in html
    doc["credentialSubject"]["name"] = "Mallory Forger"
    response = client.post("/verify", {"credential": json.dumps(doc)})
    assert _state(response) == "invalid" and "signature of disclosed statement" in response.content.decode()


def _org_jwt(credential, **changes) -> str:
    """The credential re-secured as VC-JOSE-COSE with its organization's own Ed25519 key (did:web)."""
    key = credential.organization.keys.get(active=True)
    vc = {k: v for k, v in credential.signed().items() if k != "proof"}
    vc.update(changes)
    return jose.sign(vc, key.load()._private, key.verification_method, "EdDSA")


def test_jwt_secured_credential_verifies_and_revocation_shows(client, issue):
    credential = issue(name="Ольга Петрова")
    token = _org_jwt(credential)
    response = client.post("/verify", {"credential": token})
    html = response.content.decode()
    assert _state(response) == "valid", html[:3000]
    assert "Ольга Петрова" in html and "VC-JOSE-COSE, EdDSA" in html and "JWS" in html
    assert CredentialEvent.objects.filter(credential=credential, kind="verified").exists()
    actions.revoke_credential(credential, reason="fraud")
    assert _state(client.post("/verify", {"credential": token})) == "revoked"


def test_jwt_file_upload_and_api(client, issue):
    credential = issue()
    token = _org_jwt(credential)
    response = _upload(client, "credential.jwt", token.encode())
    assert _state(response) == "valid"
    body = client.post(
        "/verify/api/credential", {"credential": token}, content_type="application/json"
    ).json()
    assert body["status"] == "valid" and body["source"] == "jwt"
    assert body["details"]["securing"] == "vc-jose-cose" and body["credential"]["recipient"] == "Ada Lovelace"


def test_tampered_and_expired_jwts(client, issue):
    credential = issue()
    head, payload, sig = _org_jwt(credential).split(".")
    vc = json.loads(base64.urlsafe_b64decode(payload + "=="))
    vc["credentialSubject"]["name"] = "Mallory"
    forged = ".".join([head, base64.urlsafe_b64encode(json.dumps(vc).encode()).rstrip(b"=").decode(), sig])
    response = client.post("/verify", {"credential": forged})
    assert _state(response) == "invalid"
    assert "signature does not verify" in response.content.decode()
    expired = _org_jwt(credential, validUntil="2020-01-01T00:00:00Z")
    assert _state(client.post("/verify", {"credential": expired})) == "expired"


def test_unsigned_and_non_credential_jwts_are_refused(client, db):
    def b64(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    response = client.post("/verify", {"credential": f"{b64({'alg': 'none'})}.{b64(vc)}."})
    assert _state(response) == "invalid"
    assert "alg &#x27;none&#x27;, is never accepted" in response.content.decode()
    response = client.post("/verify", {"credential": f"{b64({'alg': 'ES256'})}.{b64({'sub': 'x'})}.c2ln"})
    assert _state(response) == "invalid" and "not a Verifiable Credential" in response.content.decode()


def test_cli_verifies_a_jwt_file(client, issue, tmp_path, capsys):
    from credstack.cli import main

    credential = issue()
    path = tmp_path / "credential.jwt"
    path.write_text(_org_jwt(credential) + "\n")
    # our own did:web is resolved from this deployment's database (no HTTP): the CLI is offline here
    code = main(["verify", str(path), "--offline"])
    out = capsys.readouterr().out
    assert code != 0 and "UNVERIFIED" in out and "[not checked] proof" in out
    other = jose_issuer()
    path.write_text(jose.sign(other["vc"], other["key"], other["kid"], "ES256"))
    assert main(["verify", str(path), "--offline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID") and "ES256, JWS" in out
    path.write_text(jose.sign(other["vc"], other["key"], other["kid"], "ES256")[:-4] + "AAAA")
    assert main(["verify", str(path), "--offline"]) != 0
    assert "does not verify" in capsys.readouterr().out


def jose_issuer() -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = jose.did_key_p256(key.public_key())
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"name": "Zoë"},
    }
    return {"key": key, "kid": f"{issuer}#{issuer[8:]}", "vc": vc}


def test_ob2_assertion_is_explained(client, issue):
    credential = issue()
    assertion = client.get(f"/c/{credential.public_id}/ob2").content
    response = client.post("/verify", {"credential": assertion.decode()})
    assert _state(response) == "unverified" and "Open Badges 2.0 assertion" in response.content.decode()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("x.txt", b"hello there", "not a credential"),
        ("x.json", b"{not json", "not valid JSON"),
        ("x.json", b"[1, 2]", "a credential is a JSON object, not list"),
        ("x.json", b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (
            "x.png",
            b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82",
            "not a baked badge",
        ),
        ("x.pdf", b"%PDF-1.7\n%%EOF", "cannot read the PDF"),
        ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a baked badge"),
        ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "JPEG"),
    ],
)
def test_unreadable_input_gets_a_specific_error(client, db, name, data, message):
    response = _upload(client, name, data)
    assert _state(response) == "unreadable"
    assert message in response.content.decode().replace("&#x27;", "'")


def test_huge_upload_is_refused(client, db):
    response = _upload(client, "big.pdf", b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024))
    assert response.status_code == 400 and "the limit is 20 MiB" in response.content.decode()


def test_empty_submission(client, db):
    response = client.post("/verify", {"credential": "   "})
    assert response.status_code == 400 and "Paste a credential or choose a file" in response.content.decode()


def test_private_addresses_are_never_fetched(client, issue):
    from credstack.vc import keys, ob3, proofs
    from credstack.vc.dates import now

    key = keys.Ed25519Key.generate()
    did = "did:web:127.0.0.1%3A9"
    doc = ob3.compose(
        issuer={"id": did, "name": "Local"},
        achievement={"id": "https://x.example/a", "name": "A", "description": "d", "criteria": "c"},
        recipient_email="a@example.org",
        recipient_name="A",
        credential_id="https://x.example/c/1",
        valid_from=now(),
    )
    signed = proofs.sign(doc, key, f"{did}#key-1")
    response = client.post("/verify", {"credential": json.dumps(signed)})
    assert "private or local address" in response.content.decode()
    assert _state(response) in ("unverified", "invalid")


def test_api_file_and_json(client, issue):
    credential = issue()
    pdf = client.get(f"/c/{credential.public_id}.pdf").content
    response = client.post("/verify/api/file", {"file": SimpleUploadedFile("c.pdf", pdf, "application/pdf")})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "valid" and body["valid"] is True
    assert body["source"] == "pdf" and body["details"]["attachment"] == "credential.json"
    assert [c["name"] for c in body["checks"]][:3] == ["format", "proof", "validity"]
    assert body["credential"]["recipient"] == "Ada Lovelace"
    response = client.post(
        "/verify/api/credential", {"credential": credential.signed()}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "valid"
    response = client.post(
        "/verify/api/credential", {"credential": "garbage"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["error"].startswith("not a credential")
    assert client.get("/verify/api/openapi.json").status_code == 200


def test_a_badge_with_only_an_ob2_assertion_is_explained(client, issue):
    """A PNG baked the OB 2.0 way alone (the assertion's JSON in the ``openbadges`` chunk) is read, and
    the verifier explains what it found."""
    import io  # only this test builds an image

    from PIL import Image  # only this test builds an image

    from credstack.vc import baking  # only this test bakes

    credential = issue()
    buf = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(buf, "PNG")
    assertion = client.get(f"/c/{credential.public_id}/ob2").content.decode()
    png = baking.bake_png(buf.getvalue(), assertion, baking.OB2_KEYWORD)
    upload = io.BytesIO(png)
    upload.name = "badge.png"
    response = client.post("/verify", {"file": upload})
    assert _state(response) == "unverified" and "Open Badges 2.0 assertion" in response.content.decode()
