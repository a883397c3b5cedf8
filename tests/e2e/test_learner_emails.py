"""An organization admin customises the credential email in a real browser, previews it, and saves it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from credstack.delivery.models import EmailTemplate
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_previews_and_saves_the_email(page, base_url, org, issue):
    from credstack.organizations.models import Membership

    issue(name="Amélie Dubois-Fontaine")
    user = get_user_model().objects.create_user("owner", "owner@acme.example", "pw-long-enough-123")
    Membership.objects.create(user=user, organization=org, role="owner")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page.goto("/w/acme/email-templates/")
    page.get_by_role("row", name="All achievements").get_by_role("link", name="Customise").first.click()
    page.get_by_label("Subject").fill("Congratulations {{ recipient_name }}!")
    page.get_by_label("Message").fill("Dear {{ recipient_name }},\n\nWell done on {{ achievement_name }}.")
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_test_id("preview-subject").inner_text() == "Congratulations Amélie Dubois-Fontaine!"
    frame = page.frame_locator("iframe[title='Email preview']")
    expect(frame.get_by_text("Well done on Python Basics.")).to_be_visible()
    expect(frame.get_by_role("link", name="View your credential")).to_be_visible()
    save_screenshot(page, "email-template", full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{base_url}/w/acme/email-templates/")
    assert EmailTemplate.objects.get(organization=org).subject == "Congratulations {{ recipient_name }}!"
    # a bad merge tag is refused, with the field named, and nothing changes
    page.goto("/w/acme/email-templates/issued/")
    page.get_by_label("Subject").fill("Hi {{ name }}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("unknown merge tag {{ name }}")).to_be_visible()
    assert EmailTemplate.objects.get(organization=org).subject == "Congratulations {{ recipient_name }}!"
