"""The learner's journey in a real browser: the email arrives, its link opens the portal sign-in, the
code signs in, the portfolio shows the credential, the PDF downloads, and the verify page accepts it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str) -> None:
    save_screenshot(page, name, full_page=True)


def test_email_portal_pdf_verify(page, base_url, org, achievement, issue, tmp_path):
    from credstack.achievements.actions import create_achievement
    from credstack.pathways.actions import create_pathway

    sql = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="d", criteria_narrative="c"
    )
    stack = create_achievement(
        organization=org, slug="data", name="Data Analyst Pathway", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=stack, components=[achievement, sql])
    mail.outbox.clear()
    credential = issue(name="Анастасия Кузнецова", email="anastasia@example.org")
    [email] = mail.outbox
    assert email.to == ["anastasia@example.org"] and "Анастасия Кузнецова" in email.body
    html = email.alternatives[0][0]
    portal_link = re.search(r'href="([^"]+/go/portal)"', html).group(1)
    assert portal_link.startswith(base_url)

    page.goto(portal_link)
    assert page.url.startswith(f"{base_url}/me/login")
    email_box = page.get_by_label("Email address")
    assert email_box.input_value() == "anastasia@example.org"
    _shot(page, "portal-login")
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_url(re.compile(r"/me/login/code"))
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/me/")

    card = page.locator(f'[data-credential="{credential.public_id}"]')
    expect(card.get_by_role("heading", name="Python Basics")).to_be_visible()
    assert "Acme Training" in card.inner_text() and "Valid" in card.inner_text()
    pathway = page.get_by_role("progressbar", name="Data Analyst Pathway: 1 of 2")
    expect(pathway).to_be_visible()
    page.set_viewport_size({"width": 1100, "height": 800})
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    _shot(page, "portfolio")

    with page.expect_download() as download:
        card.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"certificate-{credential.public_id}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    page.goto("/verify")
    page.get_by_label("Upload a file").set_input_files(str(pdf))
    page.get_by_role("button", name="Verify").click()
    state = page.get_by_role("status")
    assert state.inner_text().startswith("✔")
    assert "Valid credential" in state.inner_text() and "PDF" in state.inner_text()
    expect(page.get_by_text("Анастасия Кузнецова")).to_be_visible()
    _shot(page, "verify")


def test_public_page_states_and_mobile_view(page, base_url, issue):
    from credstack.credentials import actions
    from credstack.credentials.models import Credential

    old = issue(name="Grace Hoper", email="grace@example.org")
    new = issue(name="Grace Hopper", email="grace@example.org")
    Credential.objects.filter(pk=old.pk).update(replaced_by=new)
    page.goto(f"/c/{old.public_id}")
    state = page.get_by_role("status")
    assert "Replaced" in state.inner_text()
    state.get_by_role("link", name="see the replacement").click()
    page.wait_for_url(f"{base_url}/c/{new.public_id}")
    assert "Valid credential" in page.get_by_role("status").inner_text()
    _shot(page, "credential")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # nothing overflows sideways on a phone
    _shot(page, "credential-mobile")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + ':' + e.scrollWidth + '/' + e.clientWidth)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    _shot(page, "credential-mobile")
    suspended = issue(email="s@example.org")
    actions.suspend_credential(suspended, reason="under review")
    page.goto(f"/c/{suspended.public_id}")
    assert "Suspended" in page.get_by_role("status").inner_text()
