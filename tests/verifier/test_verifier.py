"""The verify page and API: anyone pastes or uploads a credential (JSON, JWT, PDF, PNG, SVG)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.credentials import actions
from credstack.credentials.models import CredentialEvent

pytestmark = pytest.mark.django_db(transaction=True)
DCC = (
    Path(__file__).resolve().parents[1] / "vc/fixtures/dcc/verifiableCredentials/v2/dataIntegrityProof/didKey"
)


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


def test_jwt_is_detected_and_explained(client, db):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "ES256", "typ": "vc+jwt"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": "did:example:1",
            }
        ).encode()
    ).rstrip(b"=")
    token = (header + b"." + payload + b".c2ln").decode()
    response = client.post("/verify", {"credential": token})
    html = response.content.decode()
    assert _state(response) == "unverified"
    assert "VC-JOSE-COSE" in html and "ES256" in html and "does not check JWT signatures" in html


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
