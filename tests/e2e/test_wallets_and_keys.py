"""In a real browser: the holder adds a credential to a wallet from its page (QR code + link), and an admin
replaces a compromised signing key (decisions 0053, 0054)."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from credstack.organizations.models import Membership, SigningKey
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)  # the browser talks to a live server


def _cookie(page, base_url, client: Client) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_holder_adds_the_credential_to_a_wallet(page, base_url, issue):
    credential = issue(email="ada@example.org")
    holder = Client()
    holder.post("/me/login", {"email": "ada@example.org"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert holder.post("/me/login/code", {"code": code}).status_code == 302
    _cookie(page, base_url, holder)

    page.goto(f"/c/{credential.public_id}")
    page.get_by_role("link", name="Add to your wallet").click()
    page.wait_for_url(re.compile(rf"/me/c/{credential.public_id}/wallet$"))
    page.get_by_role("button", name="Show the wallet code").click()
    qr = page.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    link = page.get_by_role("link", name="Open in a wallet app").get_attribute("href")
    assert link.startswith("openid-credential-offer://?credential_offer=")
    # what a phone's camera reads from the screen is the same offer as the link
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert found.text == link
    page.set_viewport_size({"width": 900, "height": 900})
    save_screenshot(page, "wallet-offer", full_page=True)


def test_admin_replaces_a_compromised_key(page, base_url, org, issue):
    issue()
    old = SigningKey.objects.get(organization=org, active=True)
    user = get_user_model().objects.create_user("admin", "admin@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    admin = Client()
    admin.force_login(user)
    _cookie(page, base_url, admin)

    page.goto(f"/w/{org.slug}/settings")
    page.get_by_role("link", name="Signing keys").click()
    page.get_by_role("button", name="Replace the compromised key").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to confirm")
    page.get_by_label("What happened (kept in the audit log)").fill(
        "The key file was committed to a public repository"
    )
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Replace the compromised key").click()
    expect(page.get_by_text("Every credential is being signed again.")).to_be_visible()
    row = page.locator("#keys tr", has_text=old.fragment)
    expect(row).to_contain_text("Compromised")
    expect(row).to_contain_text("Every credential it signed is signed again.")
    save_screenshot(page, "signing-keys-compromised", full_page=True)
