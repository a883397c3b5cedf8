"""Refusals in the reader's language, in Chromium (issue 17): a launch the LTI tool cannot verify, shown
inside the LMS's iframe to a learner whose browser asks for Arabic, and an admin of an Arabic workspace
refused the removal of an owner. Both pages read right to left, in Arabic, in the site's look."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credstack.accounts.actions import set_language
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership
from tests.e2e.conftest import save_screenshot, sign_in
from tests.lti.browser_platform import registered_lms
from tests.workspace.conftest import make_user

# real commits: the live server's threads must see the platform, the users and their memberships
pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long pass phrase 42"


@pytest.fixture
def arabic(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_refused_launch_inside_the_lms_reads_in_arabic(arabic, base_url, org, achievement, settings):
    lms = registered_lms(base_url, org, achievement, settings, lessons=2)
    try:
        arabic.goto(f"{lms.url}/course?mode=badaud")  # an id_token for two audiences: refused
        frame = arabic.frame_locator("#tool")
        expect(frame.get_by_role("heading", name="تعذّر التحقق من عملية الإطلاق هذه")).to_be_visible()
        expect(frame.get_by_text("رُفضت رسالة الإطلاق من نظام إدارة التعلّم لهذا السبب:")).to_be_visible()
        # the LTI library's reason, as it gives it: English, left to right, below the Arabic
        expect(frame.locator('p[dir="ltr"][lang="en"]')).to_contain_text(
            "several audiences and no authorized party"
        )
        expect(frame.locator("html")).to_have_attribute("dir", "rtl")
        expect(frame.locator("html")).to_have_attribute("lang", "ar")
        expect(frame.get_by_text("This launch could not be verified")).to_have_count(0)
        save_screenshot(arabic, "lti-error-ar")
    finally:
        lms.close()


def test_an_admin_refused_in_an_arabic_workspace_reads_why(arabic, org):
    admin = make_user("admin@example.org", PASSWORD)
    Membership.objects.create(organization=org, user=admin, role="admin")
    set_language(admin, "ar", Actor.for_user(admin))
    owner = make_user("boss@example.org")
    Membership.objects.create(organization=org, user=owner, role="owner")

    sign_in(arabic, admin)
    arabic.goto(f"/w/{org.slug}/members")
    row = arabic.get_by_role("row").filter(has_text="boss@example.org")
    row.get_by_role("button", name="إزالة").click()
    expect(arabic.get_by_role("heading", name="غير مسموح")).to_be_visible()
    expect(arabic.get_by_text("لا يغيّر مالكًا آخر إلا مالك.")).to_be_visible()
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    assert Membership.objects.filter(user=owner, role="owner").exists()
    save_screenshot(arabic, "workspace-refusal-ar")
