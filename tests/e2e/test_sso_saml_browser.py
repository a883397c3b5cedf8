"""SAML single sign-on in Chromium, with the IdP on another site than credstack (``127.0.0.1`` vs
``localhost``): its answer is a cross-site form POST to the ACS. A new person lands in the workspace with
the role their ``memberOf`` attribute maps to; a learner of the same domain signs in to the portal and the
course player through the same IdP, without a code and without becoming a member."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership, Role
from credstack.sso import actions
from tests.e2e.conftest import save_screenshot
from tests.sso.dnsproof import prove_domains
from tests.sso.idps import SamlIdp

# real commits: the live server's thread reads what the test wrote
pytestmark = pytest.mark.django_db(transaction=True)

USERS = {
    "ada@acme.example": {"mail": ["ada@acme.example"], "memberOf": ["staff", "it"]},
    "lin@acme.example": {"mail": ["lin@acme.example"], "memberOf": ["students"]},
}


@pytest.fixture
def idp(base_url, org):
    with SamlIdp(USERS, audience=f"{base_url}/accounts/saml/acme/metadata/") as running:
        connection = actions.configure_saml(
            org, metadata_url=running.metadata_url, domains=["acme.example"], actor=Actor.command_line()
        )
        prove_domains(connection)
        actions.set_policy(
            connection,
            default_role="viewer",
            groups_attribute="memberOf",
            role_map={"it": "admin", "staff": "issuer"},
            required=True,
            actor=Actor.command_line(),
        )
        yield running


def test_a_saml_sign_in_makes_a_member_with_the_highest_mapped_role(page, base_url, org, idp):
    idp.next_user = "ada@acme.example"
    page.goto("/accounts/login/")
    page.locator("#sso-email").fill("ada@acme.example")
    page.get_by_role("button", name="Continue with single sign-on").click()
    page.wait_for_url(f"{idp.base}/sso?**")
    page.get_by_role("button", name="Sign in as ada@acme.example").click()  # cross-site POST to the ACS
    page.wait_for_url(f"{base_url}/w/**")
    membership = Membership.objects.get(organization=org, user__email="ada@acme.example")
    assert membership.role == Role.ADMIN  # it = admin beats staff = issuer
    expect(page.get_by_role("link", name="Single sign-on")).to_be_visible()  # an admin's menu


def test_a_learner_signs_in_to_the_portal_through_the_idp(page, base_url, org, idp):
    idp.next_user = "lin@acme.example"
    page.goto("/me/login")
    page.locator("input[name=email]").fill("lin@acme.example")
    page.locator("form").filter(has=page.locator("input[name=email]")).locator("button[type=submit]").click()
    page.wait_for_url(f"{idp.base}/sso?**")  # no code: the address's organization signs it in
    save_screenshot(page, "sso-portal-idp")
    page.get_by_role("button", name="Sign in as lin@acme.example").click()
    page.wait_for_url(f"{base_url}/me/")
    expect(page.get_by_text("lin@acme.example").first).to_be_visible()
    assert not Membership.objects.filter(user__email="lin@acme.example").exists()  # a learner, not a member
