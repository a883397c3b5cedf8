"""Every kind of page draws its text with the bundled Noto fonts, not with whatever fonts the machine has.

A page that asked for `system-ui` laid out differently on a machine with only DejaVu and Liberation (the
credential list overflowed a laptop screen there); the same fonts everywhere give the same layout everywhere.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import save_screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC = "فاطمة الزهراء"


def _fonts_in_use(page) -> dict:
    """The font faces the page loaded, and the family its body text asks for first."""
    return page.evaluate(
        """async () => {
            await document.fonts.ready;
            const loaded = [...document.fonts].filter(f => f.status === "loaded")
                .map(f => `${f.family.replaceAll('"', '')} ${f.weight}`);
            const body = getComputedStyle(document.body).fontFamily;
            const button = document.querySelector("button, .btn");
            return {loaded, body: body.split(",")[0].replaceAll('"', '').trim(),
                    button: button ? getComputedStyle(button).fontFamily.split(",")[0].replaceAll('"', '').trim()
                                   : "Noto Sans"};
        }"""
    )


def test_every_kind_of_page_uses_the_bundled_fonts(page, org, issue):
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    owner = make_user("owner@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=owner, role="owner")
    arabic = issue(ARABIC, "fatima@example.org")
    pages = {
        "public credential": f"/c/{arabic.public_id}",
        "verifier": "/verify",
        "learner sign-in": "/learn/sign-in",
        "portal sign-in": "/me/login",
        "staff sign-in": "/accounts/login/",
    }
    for name, url in pages.items():
        page.goto(url)
        fonts = _fonts_in_use(page)
        assert fonts["body"] == "Noto Sans" and fonts["button"] == "Noto Sans", (name, fonts)
        assert "Noto Sans 400" in fonts["loaded"], (name, fonts)
        save_screenshot(page, f"fonts-{name.replace(' ', '-')}", full_page=True)
    # the Arabic name on the public page is drawn with the bundled Arabic face
    page.goto(f"/c/{arabic.public_id}")
    assert any(face.startswith("Noto Sans Arabic") for face in _fonts_in_use(page)["loaded"])

    # the workspace, signed in
    sign_in(page, owner)
    for url in (f"/w/{org.slug}/credentials/", f"/w/{org.slug}/issue", f"/w/{org.slug}/developers/"):
        page.goto(url)
        fonts = _fonts_in_use(page)
        assert fonts["body"] == "Noto Sans" and "Noto Sans 700" in fonts["loaded"], (url, fonts)
        save_screenshot(page, "fonts-workspace-" + url.strip("/").replace("/", "-"), full_page=True)
