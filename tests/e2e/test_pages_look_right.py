"""How the pages look on a phone (390x844) and a laptop (1280x800), with the names that break layouts: a
120-character name, a very long email address and an Arabic name.

What a user would notice: the page never scrolls sideways, a bulk upload's problems are on screen (not in a
column hidden off to the right), every column of the credential list fits a laptop screen, and an expired
credential is called expired in the workspace as it is on its public page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LONG_NAME = (
    "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausenberger "
    "von Hohenzollern-Sigmaringen und Schleswig-Holstein"
)[:120]
LONG_EMAIL = "maximiliana.alexandrina.konstantinopoulou-wolfeschlegelsteinhausenberger@very-long-university.example.edu"
ARABIC = "فاطمة الزهراء بنت عبد الرحمن الهاشمي"
PASSWORD = "a long pass phrase 42"


@pytest.fixture
def issued(org, achievement, issue):
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    Membership.objects.create(
        organization=org, user=make_user("issuer@acme.example", password=PASSWORD), role="issuer"
    )
    return {
        "long": issue(LONG_NAME, LONG_EMAIL),
        "arabic": issue(ARABIC, "fatima@example.org"),
        "expired": issue("Expired Person", "old@example.org", valid_until=timezone.now() - timedelta(days=3)),
    }


def _signed_in(browser, base_url, viewport):
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("issuer@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile("/w/"))
    return context, page


def _sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when everything fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_pages_never_scroll_sideways_and_bulk_problems_are_on_screen(browser, base_url, org, issued):
    context, page = _signed_in(browser, base_url, PHONE)
    try:
        page.goto(f"/w/{org.slug}/credentials/")
        row = page.locator("#credential-table tbody tr", has_text="Maximiliana")
        assert row.is_visible()
        assert _sideways_scroll(page) <= 0
        # the long email and the state are inside the screen, not in a column beyond its right edge
        for cell in (row.get_by_text(LONG_EMAIL[:20]), row.locator(".pill").first):
            box = cell.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"], cell
        assert (
            page.locator("#credential-table tbody tr", has_text="Expired Person")
            .locator(".pill-expired")
            .is_visible()
        )

        for credential in issued.values():
            page.goto(f"/w/{org.slug}/credentials/{credential.public_id}/")
            assert _sideways_scroll(page) <= 0, credential.recipient_name

        # a bulk upload with a bad row: the problem is readable without scrolling a table sideways
        page.goto(f"/w/{org.slug}/bulk/")
        page.get_by_label("File").set_input_files(
            files=[
                {
                    "name": "cohort.csv",
                    "mimeType": "text/csv",
                    "buffer": f"name,email\n{ARABIC},not-an-email\n{LONG_NAME},{LONG_EMAIL}\n".encode(),
                }
            ]
        )
        page.get_by_role("button", name="Upload and check").click()
        problem = page.locator("#problems").get_by_text("is not a valid email address")
        assert problem.is_visible()
        box = problem.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert _sideways_scroll(page) <= 0
    finally:
        context.close()

    # the public page and the home page, as a visitor on a phone
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    try:
        page = context.new_page()
        for key in ("long", "arabic", "expired"):
            page.goto(f"/c/{issued[key].public_id}")
            assert page.get_by_text(issued[key].recipient_name).first.is_visible()
            assert _sideways_scroll(page) <= 0, key
        page.goto("/")  # its table of issuers shows each organization's long did:web
        assert _sideways_scroll(page) <= 0
    finally:
        context.close()


def test_every_column_of_the_credential_list_fits_a_laptop_screen(browser, base_url, org, issued):
    context, page = _signed_in(browser, base_url, LAPTOP)
    try:
        page.goto(f"/w/{org.slug}/credentials/")
        expires = page.get_by_role("columnheader", name="Expires")
        box = expires.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"]
        # nothing hidden inside the table's own scroller either
        assert (
            page.evaluate(
                "(() => { const w = document.querySelector('#credential-table').parentElement;"
                " return w.scrollWidth - w.clientWidth; })()"
            )
            <= 0
        )
    finally:
        context.close()
