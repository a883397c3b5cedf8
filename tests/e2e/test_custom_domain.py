"""The issuer's own domain, end to end in a browser, with a second host name on loopback
(``certs.acme.localhost``: Chromium resolves every ``*.localhost`` name to loopback by itself, no DNS).
The settings page checks the DNS through a resolver that lies (never real DNS). Saves screenshots for
docs/screenshots when CREDSTACK_SHOTS is set (phone 390x844 and laptop 1366x768)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from credstack.organizations import dns
from credstack.organizations.models import Membership
from tests.e2e.conftest import SHOTS, save_screenshot
from tests.e2e.test_accessibility import axe_violations

# a live server reads what the test wrote: real commits
pytestmark = pytest.mark.django_db(transaction=True)
HOST = "certs.acme.localhost"
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}


def _sign_in(context, base_url, org):
    user = get_user_model().objects.create_user("owner", "owner@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="owner")
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def test_an_issuer_moves_to_its_own_domain_and_a_stranger_checks_a_credential_there(
    browser, base_url, settings, org, issue, monkeypatch
):
    port = urlsplit(base_url).port
    settings.CREDSTACK_CUSTOM_DOMAIN_ORIGIN = f"http://{{host}}:{port}"
    monkeypatch.setattr(dns, "resolve", lambda host: {"127.0.0.1"} if host in (HOST, "localhost") else set())
    earlier = issue(name="Grace Hopper", email="grace@example.org")

    # the owner sets the domain in the workspace, reads the DNS and TLS guidance, checks the DNS
    # bypass_csp: axe is added to the page as a script of the test's (the CSP itself: test_content_security_policy)
    context = browser.new_context(base_url=base_url, viewport=SIZES["laptop"], bypass_csp=True)
    _sign_in(context, base_url, org)
    page = context.new_page()
    page.goto(f"/w/{org.slug}/settings")
    page.get_by_role("link", name="Serve your credentials at your own domain").click()
    page.get_by_label("Host name").fill("certs.example.edu:443")
    page.get_by_role("button", name="Save domain").click()
    expect(page.get_by_role("alert")).to_contain_text("without a port")
    page.get_by_label("Host name").fill(HOST)
    page.get_by_label("Sign new credentials as did:web of this host").check()
    page.get_by_role("button", name="Save domain").click()
    expect(page.get_by_text(f"did:web:{HOST}%3A{port}")).to_be_visible()
    page.get_by_role("button", name="Check DNS").click()
    expect(page.locator("#dns-result")).to_contain_text("points at this deployment")
    expect(page.locator("pre.snippet").first).to_contain_text(f"{HOST}.  3600  IN  CNAME  localhost.")
    save_screenshot(page, "custom-domain-settings-laptop", full_page=True)
    problems = axe_violations(page, "custom domain settings")
    page.set_viewport_size(SIZES["phone"])
    save_screenshot(page, "custom-domain-settings-phone", full_page=True)
    context.close()

    # a credential issued now lives on the domain; a stranger opens it there, on a phone and a laptop
    credential = issue()
    assert credential.uri == f"http://{HOST}:{port}/c/{credential.public_id}"
    for size, viewport in SIZES.items():
        stranger = browser.new_context(viewport=viewport, bypass_csp=True)
        page = stranger.new_page()
        page.goto(credential.uri)
        expect(page.locator(".topbar .brand")).to_contain_text("Acme Training")
        image = page.locator(".cert-image img")
        expect(image).to_be_visible()
        assert page.evaluate("document.querySelector('.cert-image img').naturalWidth") == 1200
        # the certificate is the first thing on the screen, on a phone too
        assert image.bounding_box()["y"] < viewport["height"] / 2
        expect(page.locator(".awarded")).to_have_text("Awarded to Ada Lovelace")
        save_screenshot(page, f"credential-custom-domain-{size}")
        card = page.locator('meta[property="og:image"]').get_attribute("content")
        assert card == f"{credential.uri}/og.png"
        # fetched by the browser (its resolver knows *.localhost; Playwright's own client does not)
        size_of = (
            "url => fetch(url).then(r => r.blob()).then(createImageBitmap).then(i => [i.width, i.height])"
        )
        assert page.evaluate(size_of, card) == [1200, 630]
        page.locator("#actions").scroll_into_view_if_needed()
        page.locator("details.embed > summary").click()
        expect(page.locator("#embed-code")).to_have_value(
            f'<a href="{credential.uri}" title="Python Basics: verify this credential"><img src="{credential.uri}.png" width="120" height="120" alt="Python Basics, awarded to Ada Lovelace by Acme Training"></a>'
        )
        expect(page.get_by_role("link", name="Post on X")).to_have_attribute(
            "href",
            f"https://twitter.com/intent/tweet?text=I%20earned%20Python%20Basics%20from%20Acme%20Training.&url=http%3A%2F%2F{HOST}%3A{port}%2Fc%2F{credential.public_id}",
        )
        expect(page.get_by_role("button", name="Copy code")).to_be_visible()
        if SHOTS:  # the share bar alone, embed code open
            page.locator("#actions").screenshot(path=os.path.join(SHOTS, f"share-bar-{size}.png"))
        problems += axe_violations(page, f"credential page on the custom domain ({size}, embed code open)")
        # the verifier on the domain, in the organization's brand, checks it by its URL
        page.goto(f"http://{HOST}:{port}/verify?url={credential.uri}")
        expect(page.locator(".topbar .brand")).to_contain_text("Acme Training")
        expect(page.get_by_text("Ada Lovelace").first).to_be_visible()
        stranger.close()
    assert not problems, "\n".join(problems)

    # the DID document at the host; the earlier credential still answers at its old address
    stranger = browser.new_context()
    page = stranger.new_page()
    did = page.goto(f"http://{HOST}:{port}/.well-known/did.json").json()
    assert did["id"] == f"did:web:{HOST}%3A{port}" and did["alsoKnownAs"] == [org.path_did]
    page.goto(earlier.uri)
    expect(page.locator(".awarded")).to_have_text("Awarded to Grace Hopper")
    # the domain vouches only for its own: the workspace is the deployment's
    page.goto(f"http://{HOST}:{port}/w/{org.slug}/")
    assert urlsplit(page.url).hostname in ("localhost", "127.0.0.1")
    stranger.close()
    assert not problems, "\n".join(problems)


def test_a_learner_stays_on_the_organizations_domain_from_sign_in_to_the_portal(
    browser, base_url, settings, org, achievement, issue
):
    """Issue 14: a learner who starts on the organization's own domain signs in, takes the course, gets the
    credential and opens the portal without ever landing on the deployment's address."""
    import re

    from django.core import mail

    from credstack.organizations.actions import set_domain
    from credstack.organizations.actors import Actor
    from tests.courses.factory import make_course

    port = urlsplit(base_url).port
    settings.CREDSTACK_CUSTOM_DOMAIN_ORIGIN = f"http://{{host}}:{port}"
    set_domain(org, HOST, False, Actor.command_line())
    course = make_course(org, achievement)
    origin = f"http://{HOST}:{port}"
    email = "amira@example.org"
    mail.outbox.clear()

    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    hosts: set[str] = set()
    page.on("framenavigated", lambda frame: hosts.add(urlsplit(frame.url).hostname or ""))
    page.goto(f"{origin}/learn/{org.slug}/{course.slug}")
    expect(page.locator(".topbar .brand")).to_contain_text("Acme Training")
    page.get_by_role("link", name="Sign in to enrol").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    message = next(m for m in reversed(mail.outbox) if email in m.to and "sign-in code" in m.subject)
    assert "Acme Training" in message.subject
    page.get_by_label("6-digit code").fill(re.search(r"\b(\d{6})\b", message.body).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Your name, as it should appear on your credential").fill("Amira Nakamura")
    page.get_by_role("button", name=re.compile("Enrol")).click()
    for n in range(1, 6):
        page.get_by_role("button", name=re.compile("take the quiz")).click()
        page.get_by_label(str(2 * n), exact=True).check()
        page.get_by_role("button", name="Submit answers").click()
        if n < 5:
            page.get_by_role("link", name="Next lesson").click()
    expect(page.get_by_role("heading", name=f"You completed {course.title}")).to_be_visible()
    assert urlsplit(page.url).hostname == HOST
    # the cap is a drawing, not an emoji no font here has (it was an empty box)
    cap = page.locator("svg.big-tick").bounding_box()
    assert cap and cap["width"] == 56 and cap["height"] == 56
    save_screenshot(page, "course-complete-phone", full_page=True)
    page.get_by_role("link", name="View your credential").click()
    expect(page.locator(".awarded")).to_have_text("Awarded to Amira Nakamura")
    assert page.url.startswith(f"{origin}/c/")

    # the portal, from the site's own menu: signed in already, in the brand, on the domain
    issue(name="Amira Nakamura", email=email)  # a second one from the same organization
    page.goto(f"{origin}/learn/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="My credentials").click()
    expect(page.get_by_role("heading", name="Your credentials")).to_be_visible()
    assert page.url == f"{origin}/me/"
    expect(page.locator(".org-banner")).to_contain_text("Acme Training")
    expect(page.locator("li.cred")).to_have_count(2)
    page.set_viewport_size(SIZES["laptop"])
    save_screenshot(page, "custom-domain-portal-laptop", full_page=True)
    assert hosts == {HOST}, f"the learner left the domain: {sorted(hosts)}"
    context.close()

    # a learner whose first step is the portal's own sign-in on the domain stays there too
    context = browser.new_context(viewport=SIZES["laptop"])
    page = context.new_page()
    hosts.clear()
    page.on("framenavigated", lambda frame: hosts.add(urlsplit(frame.url).hostname or ""))
    page.goto(f"{origin}/me/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    message = next(m for m in reversed(mail.outbox) if email in m.to and "sign-in code" in m.subject)
    page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", message.subject).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{origin}/me/")
    expect(page.locator("li.cred")).to_have_count(2)
    page.goto(f"{origin}/me/o/globex/")
    assert hosts == {HOST}, f"the learner left the domain: {sorted(hosts)}"
    context.close()
    links = [u for m in mail.outbox if email in m.to for u in re.findall(r"https?://[^\s\"'<>]+", m.body)]
    assert any(u.startswith(f"{origin}/c/") for u in links)
    assert not [u for u in links if u.startswith(base_url)], "an email sends the learner off the domain"
