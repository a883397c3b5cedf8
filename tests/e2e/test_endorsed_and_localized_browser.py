"""In the browser (decision 0062): a credential carries the endorsements of its achievement and issuer and
its page shows each verified; the issuer revokes one in the workspace; the analytics page breaks credentials
down by skill; the credential page writes its dates in German and in Arabic."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from credstack.achievements import actions as achievement_actions
from credstack.endorsements import actions
from credstack.organizations.models import Membership
from tests.achievements.test_skills import _case
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_accessibility import axe_violations


def _endorse(org, target, achievement=None, name="", comment=""):
    made = actions.request_endorsement(org, target=target, achievement=achievement, actor="test")
    return actions.endorse(made.token, name=name, url="https://ide.example", comment=comment)


def test_carried_endorsements_revocation_skills_and_dates(browser, base_url, org, achievement, issue):
    _endorse(org, "achievement", achievement, "Institute of Data Engineers", "Graduates can write Python.")
    _endorse(org, "issuer", None, "Ministry of Learning", "Acme Training is an accredited provider.")
    framework = achievement_actions.import_framework(org, kind="case", data=_case())
    achievement_actions.align_skills(achievement, list(framework.skills.all()), actor="test")
    credential = issue(valid_until=datetime(2028, 12, 5, tzinfo=UTC))
    # axe-core is injected as a script: the page's CSP would refuse it
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    ).new_page()

    page.goto(f"/c/{credential.public_id}")
    section = page.locator("#endorsements")
    expect(section).to_contain_text("Institute of Data Engineers")
    expect(section).to_contain_text("Ministry of Learning")
    expect(section.get_by_text("Signature verified")).to_have_count(2)
    expect(section.get_by_text("Carried inside this credential.")).to_have_count(2)
    section.scroll_into_view_if_needed()
    save_screenshot(page, "credential-endorsements-carried", full_page=True)
    assert axe_violations(page, "credential with carried endorsements") == []

    user = get_user_model().objects.create_user("iss", "issuer@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="issuer")
    issuer = Client()
    issuer.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": issuer.cookies["sessionid"].value, "url": base_url}]
    )
    page.goto(f"/w/{org.slug}/endorsements/")
    page.get_by_role("button", name="Revoke").nth(0).click()
    expect(
        page.get_by_text("The endorsement is revoked: new credentials no longer carry it.")
    ).to_be_visible()
    expect(page.locator("#endorsement-requests")).to_contain_text("revoked on")
    save_screenshot(page, "endorsements-revoked", full_page=True)
    assert axe_violations(page, "endorsement requests with a revoked one") == []

    page.goto(f"/w/{org.slug}/analytics/")
    skills = page.locator("#analytics-by-skill")
    expect(skills).to_contain_text("Data analysis")
    skills.scroll_into_view_if_needed()
    save_screenshot(page, "analytics-by-skill", full_page=True)
    assert axe_violations(page, "analytics by skill") == []

    page.context.close()
    for lang, until in (("de", "5. Dezember 2028"), ("ar", "5 ديسمبر، 2028")):
        context = browser.new_context(base_url=base_url, viewport={"width": 1100, "height": 800}, locale=lang)
        localized = context.new_page()
        localized.set_extra_http_headers({"Accept-Language": lang})
        localized.goto(f"/c/{credential.public_id}")
        expect(localized.locator("p.when")).to_contain_text(until)
        save_screenshot(localized, f"credential-dates-{lang}")
        context.close()
