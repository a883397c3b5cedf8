"""In a real browser: the holder adds a credential to a wallet from its page (QR code + link), an admin
replaces a compromised signing key, an endorser without an account endorses a credential (decisions 0053,
0054); each page also through axe-core (WCAG 2.1 AA, no serious or critical violation). Contexts here bypass
the CSP only so that axe can be injected, as in test_accessibility.py."""

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
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)  # the browser talks to a live server


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


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
    assert axe_violations(page, "wallet offer") == []


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
    assert axe_violations(page, "signing keys") == []


def test_issuer_asks_an_endorser_without_an_account_and_the_page_shows_it(
    page, browser, base_url, org, issue
):
    credential = issue()
    user = get_user_model().objects.create_user("iss", "issuer@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="issuer")
    issuer = Client()
    issuer.force_login(user)
    _cookie(page, base_url, issuer)

    page.goto(f"/w/{org.slug}/")
    page.get_by_role("link", name="Endorsements").click()
    page.get_by_label("What is endorsed").select_option("credential")
    page.get_by_label("Credential id or link (for one credential)").fill(credential.uri)
    page.get_by_label("A note to the endorser (optional)").fill("You supervised Ada's capstone project.")
    page.get_by_role("button", name="Create the link").click()
    link = page.get_by_label("Link for the endorser").input_value()
    assert link.startswith(f"{base_url}/endorse/")
    save_screenshot(page, "endorsement-request", full_page=True)
    assert axe_violations(page, "endorsement requests") == []

    stranger = browser.new_context(
        base_url=base_url, viewport={"width": 900, "height": 900}, bypass_csp=True
    ).new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Acme Training asks for your endorsement")).to_be_visible()
    stranger.get_by_label("Your name, or your organization's").fill("Institute of Data Engineers")
    stranger.get_by_label("Web address (optional)").fill("https://ide.example")
    stranger.get_by_label("Your endorsement").fill("Ada's capstone met our professional standard.")
    save_screenshot(stranger, "endorsement-form", full_page=True)
    assert axe_violations(stranger, "endorsement form") == []
    stranger.get_by_role("button", name="Sign and send the endorsement").click()
    expect(stranger.get_by_role("heading", name="Thank you")).to_be_visible()

    stranger.goto(f"/c/{credential.public_id}")
    section = stranger.locator("#endorsements")
    expect(section).to_contain_text("Institute of Data Engineers")
    expect(section).to_contain_text("Signature verified")
    section.scroll_into_view_if_needed()
    save_screenshot(stranger, "credential-endorsed", full_page=True)
    assert axe_violations(stranger, "endorsed credential page") == []
    stranger.context.close()
