"""The credential's URL: a page for people, the signed JSON for machines."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from credstack.credentials import actions
from credstack.credentials.models import Credential

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


def _actions_bar(client, credential) -> str:
    """The page's actions bar, "" when the page has none."""
    html = client.get(f"/c/{credential.public_id}").content.decode()
    if 'id="actions"' not in html:
        return ""
    return html.split('id="actions"', 1)[1].split("</section>", 1)[0]


def _hrefs(bar: str) -> dict[str, str]:
    """Each link and button of the bar by its label: its href (or the URL a button copies)."""
    found = re.findall(r'<(?:a|button) [^>]*?(?:href|data-copy-link)="([^"]+)"[^>]*>([^<]+)</', bar)
    return {label: unescape(href) for href, label in found}


def test_the_actions_bar_adds_to_linkedin_shares_downloads_and_verifies(client, org, achievement, issue):
    achievement.name = "Data & Ethics"
    achievement.save(update_fields=["name"])
    credential = issue()
    links = _hrefs(_actions_bar(client, credential))
    add = urlsplit(links["Add to LinkedIn profile"])
    assert (add.netloc, add.path) == ("www.linkedin.com", "/profile/add")
    form = {k: v[0] for k, v in parse_qs(add.query).items()}
    assert form == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Data & Ethics",
        "organizationName": "Acme Training",
        "issueYear": str(credential.issued_at.year),
        "issueMonth": str(credential.issued_at.month),
        "certUrl": credential.uri,
        "certId": credential.public_id,
    }
    post = urlsplit(links["Share on LinkedIn"])
    assert post.netloc == "www.linkedin.com" and parse_qs(post.query) == {"url": [credential.uri]}
    assert links["Copy link"] == credential.uri
    assert links["Download PDF"] == f"{credential.uri}.pdf"
    assert links["Download badge"] == f"{credential.uri}.png?download=1"
    assert links["Verify"] == f"/verify?url={quote(credential.uri, safe='')}"
    assert links["Email"].startswith("mailto:?subject=")
    # the page loads the script behind "Copy link" from a static file (the CSP runs no inline script)
    html = client.get(f"/c/{credential.public_id}").content.decode()
    assert re.search(r'<script src="[^"]*/credentials/credential\.js" defer></script>', html)
    assert "<script>" not in html and "onclick" not in html


def test_revoked_suspended_and_replaced_credentials_offer_nothing_to_share(client, issue):
    revoked, suspended = issue(email="r@example.org"), issue(email="s@example.org")
    actions.revoke_credential(revoked, reason="Issued in error")
    actions.suspend_credential(suspended, reason="under review")
    old, new = issue(email="o@example.org"), issue(email="o@example.org")
    Credential.objects.filter(pk=old.pk).update(replaced_by=new)
    for credential in (revoked, suspended, old):
        html = client.get(f"/c/{credential.public_id}").content.decode()
        assert _actions_bar(client, credential) == ""
        for text in ("linkedin.com", "Copy link", f"{credential.uri}.pdf", "Download badge"):
            assert text not in html, (credential.state, text)
    assert _actions_bar(client, new)  # the replacement offers them


def test_unknown_credential_is_404(client, db):
    assert client.get("/c/doesnotexist").status_code == 404
    assert client.get("/c/doesnotexist.json").status_code == 404


def test_did_document_lists_the_signing_key(client, issue, org):
    credential = issue()
    doc = client.get("/orgs/acme/did.json").json()
    assert doc["id"] == org.did
    method = credential.signed()["proof"][0]["verificationMethod"]
    assert method in doc["assertionMethod"]
    assert any(vm["id"] == method and vm["type"] == "Multikey" for vm in doc["verificationMethod"])
    assert client.get("/orgs/nobody/did.json").status_code == 404


def test_status_lists_are_served_signed(client, issue):
    credential = issue()
    for purpose in ("revocation", "suspension"):  # the credential names one; both lists are served
        entry = {"statusListCredential": credential.status_list.url(purpose), "statusPurpose": purpose}
        path = entry["statusListCredential"].removeprefix("http://testserver")
        response = client.get(path)
        assert response.status_code == 200
        doc = json.loads(response.content)
        assert "BitstringStatusListCredential" in doc["type"]
        assert doc["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        assert doc["issuer"] == credential.organization.did
        assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert client.get(f"/status/{credential.status_list.public_id}/nonsense").status_code == 404
