"""The credential's URL: a page for people, the signed JSON for machines."""

from __future__ import annotations

import json

import pytest

from credstack.credentials import actions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "accept", ["application/vc+ld+json", "application/ld+json", "application/ld+json, text/html;q=0.5"]
)
def test_machines_get_the_signed_credential(client, issue, accept):
    credential = issue()
    response = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response.content.decode() == credential.document


def test_format_json_and_dot_json(client, issue):
    credential = issue()
    assert client.get(f"/c/{credential.public_id}?format=json").content.decode() == credential.document
    download = client.get(f"/c/{credential.public_id}.json")
    assert download.content.decode() == credential.document
    assert download["Content-Disposition"] == f'attachment; filename="credential-{credential.public_id}.json"'


def test_people_get_a_page_with_state_and_checks(client, issue):
    credential = issue(name="أحمد الفارسي")
    page = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Valid credential" in html
    assert "أحمد الفارسي" in html and "Python Basics" in html and "Acme Training" in html


def test_page_shows_revocation_with_reason(client, issue):
    credential = issue()
    actions.revoke_credential(credential, reason="Issued in error")
    html = client.get(f"/c/{credential.public_id}").content.decode()
    assert "Revoked" in html and "Issued in error" in html
    assert "Valid credential" not in html


def test_unknown_credential_is_404(client, db):
    assert client.get("/c/doesnotexist").status_code == 404
    assert client.get("/c/doesnotexist.json").status_code == 404


def test_did_document_lists_the_signing_key(client, issue, org):
    credential = issue()
    doc = client.get("/orgs/acme/did.json").json()
    assert doc["id"] == org.did
    method = credential.signed()["proof"]["verificationMethod"]
    assert method in doc["assertionMethod"]
    assert any(vm["id"] == method and vm["type"] == "Multikey" for vm in doc["verificationMethod"])
    assert client.get("/orgs/nobody/did.json").status_code == 404


def test_status_lists_are_served_signed(client, issue):
    credential = issue()
    for entry in credential.signed()["credentialStatus"]:
        path = entry["statusListCredential"].removeprefix("http://testserver")
        response = client.get(path)
        assert response.status_code == 200
        doc = json.loads(response.content)
        assert "BitstringStatusListCredential" in doc["type"]
        assert doc["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        assert doc["issuer"] == credential.organization.did
        assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert client.get(f"/status/{credential.status_list.public_id}/nonsense").status_code == 404
