"""A JWT-secured credential pasted into the verify page, in a real browser: keyboard only, valid, then
tampered and refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credstack.vc import jose
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_paste_a_jwt_and_verify(page, base_url, issue):
    credential = issue(name="José Ñúñez 李雷")
    key = credential.organization.keys.get(active=True)
    vc = {k: v for k, v in credential.signed().items() if k != "proof"}
    token = jose.sign(vc, key.load()._private, key.verification_method, "EdDSA")

    page.goto("/verify")
    page.get_by_label("Paste a credential (JSON or JWT)").fill(token)
    page.get_by_label("Paste a credential (JSON or JWT)").press("Tab")
    page.keyboard.press("Enter")  # the Verify button has the focus
    state = page.get_by_role("status")
    assert state.inner_text().startswith("✔") and "Valid credential" in state.inner_text()
    assert "a JWT" in state.inner_text()
    expect(page.get_by_text("José Ñúñez 李雷")).to_be_visible()
    expect(page.get_by_text("VC-JOSE-COSE, EdDSA")).to_be_visible()
    save_screenshot(page, "verify-jwt", full_page=True)

    head, payload, signature = token.split(".")
    page.get_by_label("Paste a credential (JSON or JWT)").fill(f"{head}.{payload}.{signature[::-1]}")
    page.get_by_role("button", name="Verify").click()
    state = page.get_by_role("status")
    assert state.inner_text().startswith("✖") and "Not valid" in state.inner_text()
    expect(page.get_by_text("the JWT's signature does not verify with the issuer's key")).to_be_visible()
