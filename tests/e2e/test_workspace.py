"""The issuer's day in a real browser: sign up, create an achievement, design a certificate, bulk-issue
from a CSV with a bad row, fix it, issue, revoke one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from credstack.credentials.models import Credential

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("CREDSTACK_SHOTS", "")) if os.environ.get("CREDSTACK_SHOTS") else None


def shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


BAD_CSV = "name,email,cohort\nAda Lovelace,ada@example.org,Spring\nأحمد الفارسي,not-an-email,Spring\n李小龙,li@example.org,Spring\n"
GOOD_CSV = BAD_CSV.replace("not-an-email", "ahmad@example.org")


def test_issuer_signs_up_designs_bulk_issues_and_revokes(page, base_url, tmp_path):
    # sign up, verify the email, create the organization
    page.goto("/")
    page.get_by_role("link", name="Issuer sign-in").click()
    page.get_by_role("link", name=re.compile("sign up", re.I)).first.click()
    page.get_by_label("Email").fill("dean@northbridge.example")
    page.locator("#id_password1").fill("a long pass phrase 42")
    page.get_by_label(re.compile("Password \\(again\\)")).fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="+ New organization").click()
    page.get_by_label("Name").fill("Northbridge Institute")
    page.get_by_label("Slug").fill("northbridge")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name="Northbridge Institute")).to_be_visible()

    # an achievement
    page.get_by_role("link", name="Achievements").click()
    page.get_by_role("link", name="New achievement").click()
    page.get_by_label("Name").fill("Foundations of Data Analysis")
    page.get_by_label("Slug").fill("data-analysis")
    page.get_by_label("Type").select_option("Certificate")
    page.get_by_label("Description").fill("Five lessons on reading and questioning data.")
    page.get_by_label("Criteria", exact=True).fill("Passed every quiz with at least 80%.")
    page.get_by_label("Skills").fill("Data analysis | https://esco.ec.europa.eu/en | ESCO")
    page.get_by_role("button", name="Create achievement").click()
    expect(page.get_by_role("heading", name="Foundations of Data Analysis")).to_be_visible()
    shot(page, "workspace-achievement")

    # a certificate design from the gallery, a field added on the canvas, previewed in Arabic, published
    page.get_by_role("link", name="Designs").click()
    page.get_by_label("Name").fill("Course certificate")
    page.locator(".gallery-item", has_text="Modern teal").click()
    page.get_by_role("button", name="Create and open the designer").click()
    page.wait_for_function("() => +(document.getElementById('dz-stage').dataset.previewSeq || 0) > 0")
    page.get_by_role("button", name="Add text").click()
    page.get_by_label("Text", exact=True).fill("Cohort: {cohort}")
    page.get_by_label("Preview with").select_option("arabic")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    page.locator(".dz-el[aria-label^='Cohort: {cohort}']").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "workspace-designer")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published as version 2")).to_be_visible()

    # the achievement uses the design
    page.get_by_role("link", name="Achievements").click()
    page.get_by_role("link", name="Foundations of Data Analysis").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Certificate design").select_option(label="Course certificate")
    page.get_by_role("button", name="Save").click()

    # bulk issue: a bad row first
    bad = tmp_path / "cohort.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_role("link", name="Bulk issue").click()
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    problems = page.locator("#problems")
    assert (
        "3" in problems.inner_text()
        and "'not-an-email' is not a valid email address" in problems.inner_text()
    )
    shot(page, "workspace-bulk-dry-run")
    # fix it and upload again
    good = tmp_path / "cohort-fixed.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.get_by_role("link", name="Upload a corrected file instead").click()
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("No problems found.")).to_be_visible()
    page.get_by_role("button", name="Issue 3 credentials").click()
    page.get_by_role("heading", name="Summary").wait_for()
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    shot(page, "workspace-bulk-summary")
    assert Credential.objects.count() == 3
    assert Credential.objects.filter(design_version__isnull=False, merge_fields__cohort="Spring").count() == 3

    # the list, then revoke one
    page.get_by_role("link", name="Credentials").first.click()
    page.get_by_label("Search").fill("李小龙")
    page.wait_for_function("() => document.querySelectorAll('#credential-table tbody tr').length === 1")
    shot(page, "workspace-credentials")
    page.get_by_role("link", name="李小龙").click()
    page.get_by_label("Revoke: reason (required)").fill("Issued to the wrong cohort")
    page.get_by_role("button", name="Revoke…").click()
    # first what everyone checking it will see, the reason included
    expect(page.locator("#public-preview")).to_contain_text("Issued to the wrong cohort")
    page.get_by_role("button", name="Revoke it").click()
    expect(page.get_by_text("Revoked. Verifiers now see it as revoked.")).to_be_visible()
    shot(page, "workspace-credential")
    revoked = Credential.objects.get(recipient_name="李小龙")
    assert (
        revoked.state == "revoked" and revoked.revocation_reason == "Issued in error"
    ) or revoked.revocation_reason == "Issued to the wrong cohort"
    page.goto(f"/c/{revoked.public_id}")
    assert "Revoked" in page.get_by_role("status").inner_text()

    # the audit log shows who did it
    page.goto("/w/northbridge/audit/")
    expect(page.get_by_role("cell", name="credential.revoke")).to_be_visible()
    expect(page.get_by_text("dean@northbridge.example").first).to_be_visible()


def test_keyboard_only_issue_one(page, base_url, org, achievement):
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("issuer@example.org")
    Membership.objects.create(organization=org, user=user, role="issuer")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("issuer@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url("**/w/**")
    page.goto(f"/w/{org.slug}/issue")
    page.get_by_label("Recipient's name").focus()
    page.keyboard.type("Zoë O'Brien")
    page.keyboard.press("Tab")
    page.keyboard.type("zoe@example.org")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Zoë O'Brien").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/w/{org.slug}/")
    # on a phone the menu is one "Menu" line; Enter on it opens the links
    page.get_by_role("navigation", name="Workspace").locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Credentials")).to_be_visible()
    shot(page, "workspace-mobile")
