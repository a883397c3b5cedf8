"""The public portfolio in a real browser, on a laptop (1280 px) and a phone (390 px): the learner picks
credentials and publishes; a stranger sees them grouped by issuer (each with its logo) and pathway, the
skills, checks them all at once, scans the QR code; after "Stop sharing" the address says so."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from credstack.organizations import actions as org_actions
from credstack.organizations.actors import Actor

from .conftest import save_screenshot
from .test_branded_pages import _logo

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: the page scrolls sideways ({widths[0]} px at {widths[1]} px)"


def _images_loaded(page) -> None:
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")


@pytest.fixture
def holdings(org, achievement, issue):
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization
    from credstack.pathways.actions import create_pathway

    org_actions.update_organization_settings(org, {}, ("image/png", _logo()), Actor.command_line())
    sql = create_achievement(
        organization=org,
        slug="sql",
        name="SQL Essentials",
        description="d",
        criteria_narrative="c",
        alignments=[{"name": "Databases", "url": "https://example.org/db", "framework": "ESCO"}],
    )
    stack = create_achievement(
        organization=org, slug="data", name="Data Analyst Pathway", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=stack, components=[achievement, sql])
    globex = create_organization(slug="globex", name="Globex University", url="https://globex.example")
    writing = create_achievement(
        organization=globex,
        slug="writing",
        name="Technical Writing for Engineers and Analysts",
        description="d",
        criteria_narrative="c",
        alignments=[{"name": "Written communication", "url": "https://example.org/w", "framework": "O*NET"}],
    )
    email = "ada@example.org"
    return [
        issue(email=email),
        issue(email=email, achievement=sql),
        issue_credential(achievement=writing, recipient_name="Ada Lovelace", recipient_email=email),
    ]


def test_publish_share_verify_and_withdraw(browser, page, base_url, holdings):
    # the learner signs in with a code and builds the portfolio
    page.goto("/me/login")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("6-digit code").fill(re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Public portfolio").click()
    expect(page.get_by_role("heading", name="Your public portfolio")).to_be_visible()
    expect(page.get_by_label("Address")).to_have_value("ada-lovelace")
    page.get_by_label("Address").fill("admin")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“admin” is reserved")).to_have_count(2)  # in the summary and by the field
    page.get_by_label("Address").fill("ada-lovelace")
    page.get_by_label("Headline").fill("Data analyst: Python, SQL and clear writing")
    for name in ("Python Basics", "SQL Essentials", "Technical Writing"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Your portfolio is shared")).to_be_visible()
    _images_loaded(page)
    _no_sideways_scroll(page, "the editor")
    save_screenshot(page, "portfolio-editor", full_page=True)
    page.set_viewport_size(SIZES["phone"])
    _no_sideways_scroll(page, "the editor (phone)")
    save_screenshot(page, "portfolio-editor-mobile", full_page=True)

    stranger = browser.new_context(base_url=base_url)
    public = stranger.new_page()
    for size, viewport in SIZES.items():
        public.set_viewport_size(viewport)
        public.goto("/p/ada-lovelace")
        expect(public.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
        # by issuer, each with its logo; Acme's pathway first
        acme = public.locator(".pf-group", has_text="Acme Training")
        expect(acme.locator("img.pf-logo")).to_be_visible()
        expect(acme.get_by_role("heading", name="Pathway Data Analyst Pathway")).to_be_visible()
        expect(public.get_by_role("heading", name="Globex University")).to_be_visible()
        expect(public.locator(".skill")).to_have_count(3)
        _images_loaded(public)
        _no_sideways_scroll(public, f"the portfolio ({size})")
        save_screenshot(public, f"portfolio-public{'-mobile' if size == 'phone' else ''}", full_page=True)

        public.get_by_role("link", name="Verify all 3 now").click()
        expect(public.get_by_role("heading", name="All 3 credentials verified")).to_be_visible()
        expect(public.locator(".pf-result-ok")).to_have_count(3)
        _no_sideways_scroll(public, f"verify all ({size})")
        _images_loaded(public)
        if size == "laptop":
            save_screenshot(public, "portfolio-verified", full_page=True)

    # a credential its issuer revokes stays, marked, and fails the check; its skill goes
    from credstack.credentials.actions import revoke_credential

    revoke_credential(holdings[2], reason="Issued to the wrong learner by mistake")
    public.goto("/p/ada-lovelace/verify")
    expect(public.get_by_role("heading", name="2 of 3 credentials verified")).to_be_visible()
    revoked = public.locator(f'[data-credential="{holdings[2].public_id}"]')
    expect(revoked.locator(".pf-result-bad")).to_contain_text("Revoked")
    expect(revoked).to_contain_text("Issued to the wrong learner by mistake")
    expect(public.locator(".skill")).to_have_count(2)
    _images_loaded(public)
    _no_sideways_scroll(public, "a revoked credential checked (phone)")
    save_screenshot(public, "portfolio-verified-revoked-mobile", full_page=True)

    # the QR code scans to the portfolio's address
    public.set_viewport_size(SIZES["laptop"])
    public.goto("/p/ada-lovelace")
    public.get_by_text("QR code of this page").click()
    qr = public.get_by_role("img", name=re.compile("QR code of"))
    expect(qr).to_be_visible()
    _images_loaded(public)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))]
    assert found == [f"{base_url}/p/ada-lovelace"]

    # the learner stops sharing: the address says so, in words
    page.get_by_role("button", name="Stop sharing").click()
    expect(page.get_by_text("Your portfolio is no longer shared")).to_be_visible()
    for size, viewport in SIZES.items():
        public.set_viewport_size(viewport)
        response = public.goto("/p/ada-lovelace")
        assert response.status == 410
        expect(public.get_by_role("heading", name="This portfolio is no longer shared")).to_be_visible()
        expect(public.get_by_text("Python Basics")).to_have_count(0)
        _no_sideways_scroll(public, f"the withdrawn portfolio ({size})")
        save_screenshot(public, f"portfolio-withdrawn{'-mobile' if size == 'phone' else ''}", full_page=True)
    stranger.close()
