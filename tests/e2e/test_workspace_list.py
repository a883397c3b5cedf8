"""The credential list in a real browser: search as you type (trigram index), the email delivery column,
and a bulk action on every credential matching the filter, confirmed with its count."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from credstack.credentials.models import Credential
from credstack.delivery.actions import record_open
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ["CREDSTACK_SHOTS"]) if os.environ.get("CREDSTACK_SHOTS") else None


def shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_search_delivery_column_and_suspend_every_match(page, org, achievement):
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("issuer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="issuer")
    names = ["Ольга Петрова", "Grace Hopper", "王小明", "محمد الفارسي"]
    for i in range(60):
        issue_credential(
            achievement=achievement,
            recipient_name=f"Spring Cohort {names[i % 4]} {i}",
            recipient_email=f"s{i}@example.org",
        )
    other = issue_credential(
        achievement=achievement, recipient_name="Autumn Person", recipient_email="a@example.org"
    )
    first = Credential.objects.get(recipient_email="s0@example.org")
    # issued for real (the email went out at commit): the recipient opens it
    record_open(first.deliveries.get().token)

    sign_in(page, user)
    page.goto(f"/w/{org.slug}/credentials/")
    expect(page.get_by_role("columnheader", name="Email delivery")).to_be_visible()
    page.get_by_label("Search").fill("ПЕТРОВА")  # other case, other script; search as you type
    rows = page.locator("#credential-table tbody tr")
    page.wait_for_function("() => document.querySelectorAll('#credential-table tbody tr').length === 15")
    assert "Ольга Петрова" in rows.first.inner_text()
    page.get_by_label("Search").fill("spring cohort")
    page.wait_for_function("() => document.querySelectorAll('#credential-table tbody tr').length === 50")
    assert page.locator("#credential-table .pill-delivery-sent").count() == 50  # every email went out
    page.get_by_label("With selected").select_option("suspend")
    page.get_by_label("Reason").fill("Exam re-take")
    page.get_by_label("Every credential matching the filter, on all pages").check()
    shot(page, "workspace-credentials-list")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Suspend 60 credentials?")).to_be_visible()
    assert "search “spring cohort”" in page.locator("#confirm-count").inner_text()
    shot(page, "workspace-bulk-confirm")
    page.get_by_role("button", name="Suspend 60 credentials").click()
    expect(page.get_by_text("Suspend: 60 credential(s).")).to_be_visible()
    assert Credential.objects.filter(state="suspended").count() == 60
    other.refresh_from_db()
    assert other.state == "active"

    # the credential page shows its email's state
    page.goto(f"/w/{org.slug}/credentials/{first.public_id}/")
    expect(page.locator(".pill-delivery-opened").first).to_be_visible()
    expect(page.get_by_role("heading", name="Emails")).to_be_visible()
