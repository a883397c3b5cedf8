"""How the pages look on a phone (390x844) and a laptop (1280x800), with the names that break layouts: a
120-character name, a very long email address and an Arabic name.

What a user would notice: the page never scrolls sideways, a bulk upload's problems are on screen (not in a
column hidden off to the right), every column of the credential list fits a laptop screen, and an expired
credential is called expired in the workspace as it is on its public page. On a phone the workspace menu is
one line that opens, and the course list and analytics tables become cards; the sign-in page has its
remember-me box beside its label; the brand colour is picked with a colour picker kept in step with its code.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

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


def _signed_in(browser, base_url, viewport, email="issuer@acme.example"):
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(context, get_user_model().objects.get(email=email))
    return context, page


def _sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when everything fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_pages_never_scroll_sideways_and_bulk_problems_are_on_screen(browser, base_url, org, issued):
    context, page = _signed_in(browser, base_url, PHONE)
    try:
        page.goto(f"/w/{org.slug}/credentials/")
        row = page.locator("#credential-table tbody tr", has_text="Maximiliana")
        expect(row).to_be_visible()
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
        expect(problem).to_be_visible()
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
            expect(page.get_by_text(issued[key].recipient_name).first).to_be_visible()
            assert _sideways_scroll(page) <= 0, key
        page.goto("/")  # the home page: three plain paths, side by side on a laptop, stacked here
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


def _inside_the_screen(locator, viewport) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def _tables_scrolling_sideways(page) -> list[str]:
    """The ids of tables whose own scroller hides columns to the right."""
    return page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1)"
        ".map(w => (w.querySelector('table') || {}).id || '?')"
    )


def test_phone_menu_is_one_line_that_opens(browser, base_url, org, issued):
    context, page = _signed_in(browser, base_url, PHONE)
    try:
        page.goto(f"/w/{org.slug}/")
        menu = page.get_by_role("navigation", name="Workspace")
        # the page starts right under the top bar and one "Menu" line (it sat under ~170 px of links)
        assert page.locator("#main").bounding_box()["y"] <= 110
        toggle = menu.locator("summary")
        assert toggle.is_visible() and "Dashboard" in toggle.inner_text()  # says where you are
        expect(menu.get_by_role("link", name="Credentials")).not_to_be_visible()
        toggle.click()
        expect(menu.get_by_role("link", name="Credentials")).to_be_visible()
        menu.get_by_role("link", name="Credentials").click()
        page.wait_for_url(re.compile("/credentials/"))
        assert "Credentials" in menu.locator("summary").inner_text()
        assert not menu.get_by_role("link", name="Dashboard").is_visible()  # closed again on the new page
        # from the keyboard: Tab to it, Enter opens it
        toggle = menu.locator("summary")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(menu.get_by_role("link", name="Achievements")).to_be_visible()
        assert _sideways_scroll(page) <= 0
    finally:
        context.close()

    # on a laptop the menu is a sidebar, every link showing, no toggle
    context, page = _signed_in(browser, base_url, LAPTOP)
    try:
        page.goto(f"/w/{org.slug}/")
        menu = page.get_by_role("navigation", name="Workspace")
        expect(menu.locator("summary")).not_to_be_visible()
        for name in ("Dashboard", "Credentials", "Achievements", "Analytics"):
            assert menu.get_by_role("link", name=name).is_visible(), name
        assert menu.get_by_role("link", name="Dashboard").get_attribute("aria-current") == "page"
    finally:
        context.close()


def test_course_list_and_analytics_are_cards_on_a_phone(browser, base_url, org, achievement, issued):
    from tests.courses.factory import make_course

    course = make_course(org, achievement, title="Reading and questioning data: a course with a long title")
    context, page = _signed_in(browser, base_url, PHONE)
    try:
        page.goto(f"/w/{org.slug}/courses/")
        card = page.locator("#course-table tbody tr", has_text="Reading and questioning data")
        # every column is on screen, labelled: the last one (Analytics) was cut off at the right edge
        for cell in (
            card.get_by_role("link", name=re.compile("^Analytics")),
            card.locator('td[data-label="Completed"]'),
        ):
            assert _inside_the_screen(cell, PHONE), cell
        assert (
            card.locator('td[data-label="Learners"]').evaluate(
                "td => getComputedStyle(td, '::before').content"
            )
            == '"Learners"'
        )
        assert _sideways_scroll(page) <= 0 and _tables_scrolling_sideways(page) == []

        card.get_by_role("link", name=re.compile("^Analytics")).click()
        page.wait_for_url(re.compile(f"/{course.public_id}/analytics"))
        lesson = page.locator("#funnel-table tbody tr").first
        assert _inside_the_screen(lesson.locator('td[data-label="Stopped here"]'), PHONE)
        assert _sideways_scroll(page) <= 0 and _tables_scrolling_sideways(page) == []

        page.goto(f"/w/{org.slug}/analytics/")
        row = page.locator("#analytics-table tbody tr", has_text="Python Basics")
        assert _inside_the_screen(row.locator('td[data-label="Verified by others"]'), PHONE)
        assert _sideways_scroll(page) <= 0 and _tables_scrolling_sideways(page) == []
    finally:
        context.close()


def test_sign_in_page_reads_like_the_workspace_on_a_phone(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        assert page.title() == "Sign in · credstack"
        expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
        labels = page.locator("form label").all_inner_texts()
        # the password form, then single sign-on's address (decision 0055)
        assert labels == ["Email", "Password", "Remember me", "Your work address"]
        # the remember-me box sits on its label's line, before it (it sat alone under "Remember Me:")
        box, label = (
            page.get_by_label("Remember me").bounding_box(),
            page.locator("label[for=id_remember]").bounding_box(),
        )
        assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 6
        assert box["x"] + box["width"] <= label["x"]
        page.get_by_text("Remember me").click()  # the label ticks the box
        assert page.get_by_label("Remember me").is_checked()
        page.get_by_role("link", name="Sign up").first.click()
        expect(page.get_by_role("heading", name="Sign up", exact=True)).to_be_visible()
        assert _sideways_scroll(page) <= 0
    finally:
        context.close()


def test_brand_colour_picker_and_its_code_stay_in_step(browser, base_url, org, issued):
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    Membership.objects.create(
        organization=org, user=make_user("owner@acme.example", password=PASSWORD), role="owner"
    )
    context, page = _signed_in(browser, base_url, LAPTOP, email="owner@acme.example")
    try:
        page.goto(f"/w/{org.slug}/settings")
        assert page.get_by_role("heading", level=1).inner_text() == "Settings"
        assert (
            page.get_by_role("navigation", name="Workspace")
            .get_by_role("link", name="Settings")
            .get_attribute("aria-current")
            == "page"
        )
        picker, code = (
            page.get_by_label("Pick the brand colour"),
            page.get_by_label("Brand colour", exact=True),
        )
        assert picker.get_attribute("type") == "color" and picker.input_value() == org.brand_color.lower()
        picker.fill("#aa3300")
        assert code.input_value() == "#aa3300"
        code.fill("#12ab9f")
        assert picker.input_value() == "#12ab9f"
        code.fill("#12ab9")  # half typed: marked invalid, the picker stays where it was
        assert code.evaluate("el => el.matches(':invalid')") and picker.input_value() == "#12ab9f"
        code.fill("#0f766e")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Settings saved")).to_be_visible()
        org.refresh_from_db()
        assert org.brand_color == "#0f766e"
    finally:
        context.close()
