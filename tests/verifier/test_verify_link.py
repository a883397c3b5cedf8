"""/verify?url=…: the "Verify" button of a credential's page, or a link someone was sent."""

from __future__ import annotations

import pytest

from credstack.credentials import actions
from credstack.credentials.models import Credential

pytestmark = pytest.mark.django_db


def test_a_credentials_link_is_verified_with_the_checks(client, issue):
    credential = issue()
    page = client.get("/verify", {"url": credential.uri})
    html = page.content.decode()
    assert page.status_code == 200 and "Valid credential" in html
    assert "Checked the credential at" in html and credential.uri in html
    actions.revoke_credential(credential, reason="issued in error")
    assert "Revoked" in client.get("/verify", {"url": credential.uri}).content.decode()


def test_a_private_credential_is_not_verified_for_a_stranger_by_its_link(client, issue):
    credential = issue(name="Private Person")
    Credential.objects.filter(pk=credential.pk).update(is_public=False)
    page = client.get("/verify", {"url": credential.uri})
    html = page.content.decode()
    assert page.status_code == 400 and "no credential at that link" in html and "Private Person" not in html


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:9/c/x", "private or local address"),  # refused before any connection
        ("http://[::127.0.0.1]/c/x", "private or local address"),
        ("javascript:alert(1)", "web address"),
        ("file:///etc/passwd", "web address"),
    ],
)
def test_links_that_cannot_be_fetched_say_why(client, db, url, message):
    page = client.get("/verify", {"url": url})
    assert page.status_code == 400 and message in page.content.decode()
