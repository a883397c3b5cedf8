"""The designer in French, in the browser: a text the renderer refuses is explained beside its field in
French (the render core's problem, translated by its code: issue 17)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credstack.accounts.actions import set_language
from credstack.designs import actions, editor
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership
from tests.e2e.conftest import save_screenshot, sign_in
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes


def test_a_refused_text_is_explained_in_french_beside_its_field(page, org):
    user = make_user("designer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    set_language(user, "fr", Actor.for_user(user))  # the Language page of the account
    design = actions.create_design(org, name="Principal", data=editor.gallery_design("classic-navy"))
    sign_in(page, user)

    page.goto(f"/w/{org.slug}/designs/{design.public_id}/")
    heading = page.locator(".dz-el[aria-label^='Certificate']").first
    heading.click()
    page.locator("#dz-f-text").fill("Certificat de {oups")
    error = page.locator("[data-error-for=text]")
    expect(error).to_have_text(re.compile("^Texte : « \\{ » sans correspondance"))
    expect(error).not_to_contain_text("unbalanced")
    expect(page.locator("#save-status")).not_to_contain_text("Draft saved")
    save_screenshot(page, "designer-problem-fr")
