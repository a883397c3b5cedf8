"""The public /verify page says why a credential is not valid in the visitor's language, in the browser:
a revoked and a tampered credential, in German and in Arabic (right to left), the language picked with
the footer's switcher (issue 17: the check messages of credstack.vc, translated by their codes)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from credstack.credentials import actions
from tests.e2e.conftest import save_screenshot

# real commits: the live server's threads see the rows
pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "de": {
        "revoked": "Widerrufen",
        "revoked_reason": "ausgesetzt: Bit ",
        "tampered": "Nicht gültig",
        "tampered_reason": "die Signatur passt nicht zum Dokument: es wurde nach dem Signieren verändert",
        "verify": "Prüfen",
    },
    "ar": {
        "revoked": "ملغاة",
        "revoked_reason": "معلّقة: البت ",
        "tampered": "غير صالحة",
        "tampered_reason": "التوقيع لا يطابق المستند: عُدّل بعد التوقيع، أو وُقّع بمفتاح آخر",
        "verify": "تحقق",
    },
}


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_revoked_and_tampered_credentials_say_why_in_the_visitors_language(page, base_url, issue, lang):
    words = WORDS[lang]
    revoked = issue(name="Ada Lovelace")
    actions.revoke_credential(revoked, reason="fraud")
    tampered = issue(name="Grace Hopper").signed()
    tampered["credentialSubject"]["name"] = "Mallory"

    page.goto(f"/verify?lang={lang}")  # the footer's switcher: a cookie, then the same page
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.goto(f"/verify?url={revoked.uri}")
    state = page.locator("[data-state]")
    expect(state).to_have_attribute("data-state", "revoked")
    expect(state).to_contain_text(words["revoked"])
    checks = page.locator("ul.checks")
    expect(checks).to_contain_text(words["revoked_reason"])
    expect(checks).not_to_contain_text("is set")
    save_screenshot(page, f"verify-revoked-{lang}", full_page=True)

    page.goto("/verify")
    page.locator("#credential").fill(json.dumps(tampered))
    page.locator("form.verify-form button[type=submit]").click()
    expect(state).to_have_attribute("data-state", "invalid")
    expect(state).to_contain_text(words["tampered"])
    expect(checks).to_contain_text(words["tampered_reason"])
    expect(checks).not_to_contain_text("does not match")
    if lang == "ar":  # right to left: the checks start at the right edge
        box = checks.bounding_box()
        first = checks.locator("li").first.bounding_box()
        assert box and first and first["x"] + first["width"] >= box["x"] + box["width"] - 2
    save_screenshot(page, f"verify-tampered-{lang}", full_page=True)
