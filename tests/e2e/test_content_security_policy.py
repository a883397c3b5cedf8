"""The Content-Security-Policy in a real browser: htmx, the certificate designer and the small page
behaviours (select all, submit on change, confirm before a destructive form, the colour picker) work, and
Chromium reports no violation on any page visited."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_work_under_the_policy_with_no_violation(page, org, achievement):
    from credstack.credentials.actions import issue_credential
    from credstack.credentials.models import Credential
    from credstack.designs import actions, editor
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    user = make_user("admin@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    for i in range(3):
        issue_credential(
            achievement=achievement, recipient_name=f"Ada {i}", recipient_email=f"a{i}@example.org"
        )
    issue_credential(achievement=achievement, recipient_name="Grace", recipient_email="g@example.org")
    design = actions.create_design(org, name="Main", data=editor.build({}))

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@acme.example")
    page.get_by_label("Password").fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile("/w/"))

    # the designer: designer.js draws the preview (fetch), the frames and the inspector
    page.goto(f"/w/{org.slug}/designs/{design.public_id}/")
    page.wait_for_function("() => +(document.getElementById('dz-stage').dataset.previewSeq || 0) > 0")
    page.get_by_role("button", name="Add text").click()
    page.get_by_label("Text", exact=True).fill("Score: {score}")
    page.locator(".dz-el[aria-label^='Score: {score}']").wait_for()
    save_screenshot(page, "csp-designer")

    # the credential list: htmx search as you type, then "select all" (was an onclick=)
    page.goto(f"/w/{org.slug}/credentials/")
    page.get_by_label("Search").fill("ada")
    page.get_by_label("Search").blur()  # its change event makes htmx swap the rows once more: let it
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => document.querySelectorAll('#credential-table tbody tr').length === 3")
    page.locator("#select-all").check()
    assert page.locator("input[name=ids]:checked").count() == 3
    save_screenshot(page, "csp-credentials")

    # analytics: changing the period submits the form (was an onchange=)
    page.goto(f"/w/{org.slug}/analytics/")
    options = page.locator("#chart-days option").all()
    page.locator("#chart-days").select_option(options[-1].get_attribute("value"))
    page.wait_for_url(re.compile(r"days="))

    # settings: the colour text box moves the picker (was an inline <script>)
    page.goto(f"/w/{org.slug}/settings")
    page.locator("#id_brand_color").fill("#12ab56")
    assert page.locator("input[data-colour-for]").input_value() == "#12ab56"

    # a destructive form asks first (was onsubmit="return confirm(...)"): dismissing it changes nothing
    credential = Credential.objects.get(recipient_email="g@example.org")
    page.goto(f"/c/{credential.public_id}")
    assert page.get_by_role("button", name="Print").is_visible()
    from credstack.api.actions import create_api_key
    from credstack.api.models import ApiKey

    create_api_key(org, name="CRM", scope="read")
    answers = [False, True]
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(f"/w/{org.slug}/developers/")
    page.get_by_role("button", name="Revoke CRM").click()
    page.wait_for_timeout(300)
    assert ApiKey.objects.get(name="CRM").revoked_at is None  # dismissed: nothing changed
    with page.expect_navigation():  # accepted: the form is sent
        page.get_by_role("button", name="Revoke CRM").click()
    assert ApiKey.objects.get(name="CRM").revoked_at is not None
    assert asked and asked[0].startswith("Revoke the key “CRM”?")
    assert violations == [], violations
