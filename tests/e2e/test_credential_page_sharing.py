"""The credential page as its holder opens it from the email, on a phone (390x844) and a laptop (1280x800):
the state, who earned what, and the actions (add to LinkedIn, download, share, copy the link, verify) are
on the first screen; the technical checks are folded below. A revoked credential offers nothing to share.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credstack.credentials import actions
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LONG_NAME = (
    "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausenberger "
    "von Hohenzollern-Sigmaringen und Schleswig-Holstein"
)[:120]


def _open(browser, base_url, viewport, path):
    context = browser.new_context(
        base_url=base_url, viewport=viewport, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(path)
    return context, page


def _on_first_screen(locator, viewport) -> None:
    box = locator.bounding_box()
    assert box is not None, locator
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], (locator, box)
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], (locator, box)


@pytest.mark.parametrize(
    ("viewport", "name"),
    [(PHONE, "Ada Lovelace"), (PHONE, LONG_NAME), (LAPTOP, "Ada Lovelace")],
    ids=["phone", "phone-long-name", "laptop"],
)
def test_the_actions_are_on_the_first_screen_and_copy_link_copies(browser, base_url, issue, viewport, name):
    credential = issue(name=name, valid_until=timezone.now() + timedelta(days=730))
    context, page = _open(browser, base_url, viewport, f"/c/{credential.public_id}")
    try:
        assert "Valid credential" in page.get_by_role("status").inner_text()
        bar = page.locator("#actions")
        for label in ("Add to LinkedIn profile", "Download PDF", "Download badge"):
            _on_first_screen(bar.get_by_role("link", name=label), viewport)
        for label in ("Share on LinkedIn", "Verify"):
            _on_first_screen(bar.get_by_role("link", name=label, exact=True), viewport)
        _on_first_screen(bar.get_by_role("button", name="Copy link"), viewport)
        _on_first_screen(page.locator(".awarded").get_by_text(name), viewport)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        # no longer a 4,900 px phone page with the downloads at its bottom
        assert page.evaluate("document.documentElement.scrollHeight") < 2200
        save_screenshot(page, f"credential-actions-{viewport['width']}-{len(name)}", full_page=True)

        # the checks are folded below, one click away
        checks = page.locator("details.checks-card")
        assert checks.locator("summary").bounding_box()["y"] > bar.bounding_box()["y"]
        expect(checks.locator("ul.checks")).to_be_hidden()
        checks.locator("summary").click()
        expect(checks.locator("ul.checks").get_by_text("✔ proof")).to_be_visible()

        # LinkedIn's certification form, pre-filled with this credential
        href = bar.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
        url = urlsplit(href)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert (url.netloc, url.path) == ("www.linkedin.com", "/profile/add")
        assert query["startTask"] == "CERTIFICATION_NAME" and query["name"] == "Python Basics"
        assert query["organizationName"] == "Acme Training"
        assert query["certId"] == credential.public_id and query["certUrl"] == credential.uri
        assert query["expirationYear"] == str(credential.valid_until.year)
        post = bar.get_by_role("link", name="Share on LinkedIn").get_attribute("href")
        assert parse_qs(urlsplit(post).query)["url"] == [credential.uri]
        verify = bar.get_by_role("link", name="Verify", exact=True).get_attribute("href")
        assert parse_qs(urlsplit(verify).query)["url"] == [credential.uri]

        # Copy link puts the credential's URL on the clipboard and says so
        bar.get_by_role("button", name="Copy link").click()
        expect(bar.get_by_role("button", name="Link copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == credential.uri

        # the PDF downloads from the bar
        with page.expect_download() as download:
            bar.get_by_role("link", name="Download PDF").click()
        assert download.value.suggested_filename == f"certificate-{credential.public_id}.pdf"
    finally:
        context.close()


def test_a_revoked_credential_shows_its_state_and_nothing_to_share(browser, base_url, issue):
    credential = issue()
    actions.revoke_credential(credential, reason="Issued in error")
    context, page = _open(browser, base_url, PHONE, f"/c/{credential.public_id}")
    try:
        state = page.get_by_role("status")
        assert "Revoked" in state.inner_text() and "Issued in error" in state.inner_text()
        _on_first_screen(state, PHONE)
        assert page.locator("#actions").count() == 0
        for name in ("Add to LinkedIn profile", "Share on LinkedIn", "Download PDF", "Download badge"):
            assert page.get_by_role("link", name=name).count() == 0, name
        assert page.get_by_role("button", name="Copy link").count() == 0
        # the failing check is shown without a click
        expect(page.locator("ul.checks").get_by_text("status").first).to_be_visible()
        save_screenshot(page, "credential-revoked-390", full_page=True)
    finally:
        context.close()
