"""Issue 14: slugs were not filled in from names. Typing a name fills the address (accents folded), until
the person edits the address themselves."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from credstack.organizations.models import Membership

# a live server reads what the test wrote: real commits
pytestmark = pytest.mark.django_db(transaction=True)


def test_names_fill_the_address_until_it_is_edited(page, base_url, org):
    user = get_user_model().objects.create_user("slugs", "slugs@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="owner")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )

    page.goto("/w/new")
    page.locator("input[name=name]").fill("Université de Montréal — Formation continue")
    expect(page.locator("input[name=slug]")).to_have_value("universite-de-montreal-formation-continue")
    page.locator("input[name=slug]").fill("udem-fc")
    page.locator("input[name=name]").fill("Université de Montréal")
    expect(page.locator("input[name=slug]")).to_have_value("udem-fc")  # the person's own, kept

    page.goto(f"/w/{org.slug}/achievements/new")
    page.locator("input[name=name]").fill("Data Analysis: Level 2!")
    expect(page.locator("input[name=slug]")).to_have_value("data-analysis-level-2")
