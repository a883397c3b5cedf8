"""Single sign-on in Chromium against a real OpenID Connect provider (panva's oidc-provider, started by the
test on loopback, interop/oidc-idp.mjs): the owner connects it in the workspace and maps a group to a role;
a new person enters their work email on the sign-in page, is sent to the provider by the domain, signs in
there and lands in the workspace as a member with the mapped role."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership, Role
from credstack.sso import actions
from credstack.sso.models import Connection
from tests.e2e.conftest import save_screenshot
from tests.sso.dnsproof import lying_txt, prove_domains
from tests.sso.idps import OidcIdp
from tests.workspace.conftest import make_user

# real commits: the live server's thread and the provider's calls back read what the test wrote
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def idp(base_url):
    client = {
        "client_id": "credstack-acme",
        "client_secret": "s3cret-of-the-test-client",
        "redirect_uris": [f"{base_url}/accounts/oidc/acme/login/callback/"],
    }
    users = {
        "ada": {"email": "ada@acme.example", "name": "Ada Lovelace", "groups": ["staff", "credential-team"]}
    }
    with OidcIdp(client, users) as running:
        yield running


def test_discovery_by_domain_signs_a_new_member_in_with_the_mapped_role(page, base_url, org, idp):
    owner = make_user("owner@acme.example")
    Membership.objects.create(organization=org, user=owner, role=Role.OWNER)

    page.goto("/accounts/login/")
    page.locator("#id_login").fill("owner@acme.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("#id_password")).get_by_role(
        "button", name="Sign in"
    ).click()
    page.goto("/w/acme/sso/")
    page.locator("#f-oidc-issuer").fill(idp.issuer)
    page.locator("#f-oidc-client").fill("credstack-acme")
    page.locator("#f-oidc-secret").fill("s3cret-of-the-test-client")
    page.locator("#f-oidc-domains").fill("acme.example")
    page.get_by_role("button", name="Save OpenID Connect").click()
    expect(page.get_by_text("OpenID Connect sign-in is on for Acme Training.")).to_be_visible()
    page.locator("#f-groups-attr").fill("groups")
    page.locator("#f-role-map").fill("credential-team = issuer")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("The single sign-on policy is saved.")).to_be_visible()
    expect(page.locator("#sso-summary")).to_contain_text(idp.issuer)
    # the domain routes no sign-in until its TXT record proves the organization holds it (decision 0062)
    expect(page.locator("#sso-summary")).to_contain_text("not verified: routes no sign-in")
    domain = Connection.objects.get(organization=org).domains.get()
    expect(page.locator("#sso-domains")).to_contain_text(domain.record_value)
    with lying_txt({domain.record_name: []}):
        page.get_by_role("button", name="Check the DNS record of acme.example").click()
        expect(page.locator("#sso-errors")).to_contain_text("has no TXT record yet")
        page.locator("#domain-proof-card").scroll_into_view_if_needed()
        save_screenshot(page, "sso-domain-not-verified")
    with lying_txt({domain.record_name: [domain.record_value]}):
        page.get_by_role("button", name="Check the DNS record of acme.example").click()
        expect(page.get_by_text("acme.example is verified")).to_be_visible()
    expect(page.locator("#sso-domains")).to_contain_text("verified on")
    save_screenshot(page, "sso-settings", full_page=True)
    page.context.clear_cookies()

    page.goto("/accounts/login/")
    page.locator("#sso-email").fill("ada@acme.example")
    save_screenshot(page, "sso-sign-in-discovery")
    page.get_by_role("button", name="Continue with single sign-on").click()
    page.wait_for_url(f"{idp.issuer}/**")  # at the provider, sent there by the address's domain
    page.locator("input[name=login]").fill("ada")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the provider's consent: "Continue"
    page.wait_for_url(f"{base_url}/w/**")
    membership = Membership.objects.select_related("user").get(
        organization=org, user__email="ada@acme.example"
    )
    assert membership.role == Role.ISSUER  # the provider's groups claim: credential-team = issuer
    page.goto("/w/acme/")
    expect(page.get_by_text("Acme Training").first).to_be_visible()


def test_sso_required_refuses_a_members_password_with_a_clear_message(page, base_url, org, idp, settings):
    connection = actions.configure_oidc(
        org,
        issuer=idp.issuer,
        client_id="credstack-acme",
        secret="s3cret-of-the-test-client",
        domains=["acme.example"],
        actor=Actor.command_line(),
    )
    prove_domains(connection)
    actions.set_policy(
        connection,
        default_role="viewer",
        groups_attribute="",
        role_map={},
        required=True,
        actor=Actor.command_line(),
    )
    issuer = make_user("bo@acme.example")
    Membership.objects.create(organization=org, user=issuer, role=Role.ISSUER)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("bo@acme.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("#id_password")).get_by_role(
        "button", name="Sign in"
    ).click()
    expect(page.get_by_text("Acme Training requires single sign-on")).to_be_visible()
    save_screenshot(page, "sso-required-refuses-password")
