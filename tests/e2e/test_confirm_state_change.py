"""In a browser: revoking asks first and shows the public page's state line as it will read; the revoked
credential's page then says its files are marked and shows the marked badge; issuing the same achievement
again to its holder asks "issue anyway, replace or cancel" (issue 14)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credstack.credentials.models import Credential
from tests.e2e.conftest import save_screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_revoke_confirms_with_the_public_line_and_the_page_shows_marked_files(page, org, achievement):
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("issuer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="issuer")
    c = issue_credential(
        achievement=achievement, recipient_name="Tomás Ortega", recipient_email="t@example.org"
    )
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    sign_in(page, user)
    page.goto(f"/w/{org.slug}/credentials/{c.public_id}/")
    page.get_by_label("Revoke: reason (required)").fill("Exam rules broken")
    page.get_by_role("button", name="Revoke…").click()
    expect(page.get_by_role("heading", name="Revoke Tomás Ortega’s credential?")).to_be_visible()
    preview = page.locator("#public-preview [role=status]")
    expect(preview).to_contain_text("Revoked")
    expect(preview).to_contain_text("Revoked by Acme Training on")
    expect(preview).to_contain_text("Exam rules broken")
    expect(page.get_by_text("The reason is public")).to_be_visible()
    assert Credential.objects.get(pk=c.pk).state == "active"
    save_screenshot(page, "workspace-revoke-confirm", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "workspace-revoke-confirm-mobile", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Revoke it").click()
    expect(page.get_by_text("Revoked. Verifiers now see it as revoked.")).to_be_visible()
    assert Credential.objects.get(pk=c.pk).state == "revoked"

    page.goto(f"/c/{c.public_id}")
    expect(page.locator(".state")).to_contain_text("Exam rules broken")
    expect(page.locator("#files-marked")).to_contain_text("“REVOKED” band")
    badge = page.locator("img.hero-badge")
    expect(badge).to_be_visible()
    assert page.evaluate("() => document.querySelector('img.hero-badge').naturalWidth") > 0
    save_screenshot(page, "credential-revoked")
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_issuing_again_to_a_holder_asks_first(page, org, achievement):
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("issuer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="issuer")
    held = issue_credential(
        achievement=achievement, recipient_name="Grace Hopper", recipient_email="g@example.org"
    )
    sign_in(page, user)
    page.goto(f"/w/{org.slug}/issue")
    page.get_by_label("Achievement").select_option(value=achievement.public_id)
    page.get_by_label("Recipient's name").fill("Grace Hopper")
    page.get_by_label("Recipient's email").fill("g@example.org")
    page.get_by_role("button", name="Sign and issue").click()
    warning = page.locator("#already-held")
    expect(warning).to_contain_text("Grace Hopper already holds this achievement")
    expect(warning).to_contain_text(held.public_id)
    for name in ("Issue anyway", f"Replace: revoke {held.public_id} and issue this one"):
        expect(warning.get_by_role("button", name=name)).to_be_visible()
    expect(warning.get_by_role("link", name="Cancel")).to_be_visible()
    save_screenshot(page, "workspace-issue-already-held", full_page=True)
    assert Credential.objects.count() == 1
    page.get_by_role("button", name=re.compile("^Replace")).click()
    expect(page.get_by_text(f"{held.public_id} is revoked and points here")).to_be_visible()
    held.refresh_from_db()
    assert held.state == "revoked" and held.replaced_by is not None
