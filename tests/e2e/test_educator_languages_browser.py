"""The workspace in its user's language, in the browser (issue 17): a user whose browser asks for English
picks French on the language page, and the course editor and the certificate designer (its script's
words too) speak French; then Arabic, laid out right to left. The sign-in page speaks the browser's
language, allauth's words included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credstack.designs import actions as design_actions
from credstack.designs import editor
from credstack.organizations.models import Membership
from tests.courses.factory import make_course
from tests.e2e.conftest import save_screenshot
from tests.workspace.conftest import make_user

# real commits: the live server's threads see the rows
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long pass phrase 42"


def _choose_language(page, label: str) -> None:
    page.goto("/w/language")
    page.get_by_role("radio", name=label).check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_course_editor_designer_and_sign_in_in_french_and_arabic(browser, base_url, org, achievement):
    user = make_user("polyglot@acme.example", password=PASSWORD)
    Membership.objects.create(organization=org, user=user, role="admin")
    course = make_course(org, achievement, lessons=2, publish=False)
    design = design_actions.create_design(
        org, name="Certificate", data=editor.gallery_design("classic-navy", org.brand_color)
    )

    context = browser.new_context(base_url=base_url, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.locator("input[name=login]").fill("polyglot@acme.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/w/"))

    # French, chosen on the language page (linked from the account pages), whatever the browser asks
    _choose_language(page, "Français")
    page.goto(f"/w/{org.slug}/courses/{course.public_id}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Détails du cours")).to_be_visible()
    expect(page.get_by_role("button", name="Ajouter la leçon")).to_be_visible()
    save_screenshot(page, "course-editor-fr", full_page=True)

    page.goto(f"/w/{org.slug}/designs/{design.public_id}/")
    expect(page.get_by_role("button", name="Annuler", exact=True)).to_be_visible()
    page.get_by_role("button", name="Ajouter un texte").click()
    expect(page.locator("#save-status")).to_contain_text(
        re.compile("Brouillon enregistré|Enregistrement|non enregistrées")
    )
    expect(page.locator("#dz-inspector")).to_contain_text("Police")  # the inspector, drawn by the script
    expect(page.locator("#dz-inspector")).to_contain_text("Avancer")
    expect(page.locator("#dz-stage")).to_have_attribute("data-preview-seq", re.compile(r"\d"))
    save_screenshot(page, "designer-fr")

    # Arabic: right to left
    _choose_language(page, "العربية")
    page.goto(f"/w/{org.slug}/courses/{course.public_id}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="تفاصيل الدورة")).to_be_visible()
    # the sidebar is on the right of the page
    main = page.locator("main").bounding_box()
    side = page.locator("nav.ws-side").bounding_box()
    assert side["x"] > main["x"], (side, main)
    save_screenshot(page, "course-editor-ar", full_page=True)

    page.goto(f"/w/{org.slug}/designs/{design.public_id}/")
    expect(page.get_by_role("button", name="تراجع", exact=True)).to_be_visible()
    page.locator("#dz-layer [data-index]").first.click()
    expect(page.locator("#dz-inspector")).to_contain_text("الدوران")  # Rotation
    expect(page.locator("#dz-stage")).to_have_attribute("data-preview-seq", re.compile(r"\d"))
    save_screenshot(page, "designer-ar")
    context.close()

    # signed out: the sign-in page in the browser's language, allauth's own words included
    for locale, heading, remember, shot in (
        ("fr-FR", "Se connecter", "Se souvenir de moi", "sign-in-fr"),
        ("ar", "تسجيل الدخول", "تذكرني", "sign-in-ar"),
    ):
        context = browser.new_context(
            base_url=base_url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator("main")).to_contain_text(remember)
        save_screenshot(page, shot, full_page=True)
        context.close()
