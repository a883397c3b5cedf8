"""A visitor opens a credential's link in a real browser."""

import pytest
from playwright.sync_api import expect

from credstack.credentials import actions

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_sees_a_valid_credential_and_can_download_it(page, base_url, issue):
    credential = issue(name="أحمد الفارسي")
    page.goto(f"/c/{credential.public_id}")
    assert page.get_by_role("status").inner_text().startswith("✔")
    assert "Valid credential" in page.get_by_role("status").inner_text()
    expect(page.get_by_text("أحمد الفارسي")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed credential").click()
    assert download.value.suggested_filename == f"credential-{credential.public_id}.json"


def test_visitor_sees_a_revoked_credential(page, issue):
    credential = issue()
    actions.revoke_credential(credential, reason="Issued in error")
    page.goto(f"/c/{credential.public_id}")
    state = page.get_by_role("status").inner_text()
    assert "Revoked" in state and "Issued in error" in state
