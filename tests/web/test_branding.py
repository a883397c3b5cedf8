"""The organization's brand everywhere a learner or a verifier goes: its name, logo and colour on the pages
(not "credstack"), readable whatever colour it picked, its name as the sender of every email, and "powered
by credstack" only when it wants it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from credstack.learning import auth
from credstack.organizations import actions as org_actions
from credstack.organizations.actors import Actor
from credstack.organizations.brand import contrast_ratio, readable_on_white, sender, text_colour_on
from credstack.organizations.models import Membership, Role
from credstack.portal import actions as portal_actions
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db
CLI = Actor.command_line()


def _set(org, **changes):
    org_actions.update_organization_settings(org, changes, None, CLI)
    org.refresh_from_db()


def _header(html: str) -> str:
    return re.search(r'<header class="topbar">.*?</header>', html, re.S).group(0)


def _footer(html: str) -> str:
    return re.search(r'<footer class="footer">.*?</footer>', html, re.S).group(0)


def _brand_style(html: str) -> dict[str, str]:
    style = re.search(r"<style nonce=\"[^\"]+\">:root \{([^}]*)\}</style>", html).group(1)
    return dict(re.findall(r"(--[a-z-]+): (#[0-9a-f]{6})", style))


# ---- contrast -----------------------------------------------------------------------------------------


def test_contrast_is_the_wcag_ratio():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss


@pytest.mark.parametrize(
    "colour", ["#ffeb3b", "#7fdbff", "#ffffff", "#2e86de", "#1d3f6e", "#000000", "#ff4136"]
)
def test_text_on_any_brand_colour_and_the_colour_on_white_reach_aa(colour):
    assert contrast_ratio(colour, text_colour_on(colour)) >= 4.5
    link = readable_on_white(colour)
    assert contrast_ratio(link, "#ffffff") >= 4.5
    if contrast_ratio(colour, "#ffffff") >= 4.5:
        assert link == colour  # a colour already readable is kept as it is


def test_a_light_brand_colour_gets_dark_text_on_its_buttons_and_darker_links(client, org, issue):
    _set(org, brand_color="#ffeb3b")  # a light yellow
    html = client.get(issue().uri.removeprefix("http://testserver")).text
    style = _brand_style(html)
    assert style["--brand-fill"] == "#ffeb3b" and style["--on-brand"] == "#111827"
    assert style["--brand"] != "#ffeb3b" and contrast_ratio(style["--brand"], "#ffffff") >= 4.5


# ---- pages --------------------------------------------------------------------------------------------


def test_the_credential_page_wears_the_organization_brand_not_credstack(client, org, issue):
    _set(org, brand_color="#aa3300")
    html = client.get(f"/c/{issue().public_id}").text
    header = _header(html)
    assert "Acme Training" in header and ">credstack<" not in header
    assert _brand_style(html)["--brand-fill"] == "#aa3300"
    assert 'class="branded"' in html
    assert "Acme Training" in _footer(html) and "powered by" in _footer(html)


def test_the_logo_is_in_the_header_when_the_organization_has_one(client, org, issue):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    org_actions.update_organization_settings(org, {}, ("image/png", png), CLI)
    org.refresh_from_db()
    html = client.get(f"/c/{issue().public_id}").text
    assert f'<img class="brand-logo" src="{org.logo_url}" alt="">' in _header(html)


def test_powered_by_credstack_goes_when_the_organization_turns_it_off(client, org, issue):
    credential = issue()
    assert "powered by" in _footer(client.get(f"/c/{credential.public_id}").text)
    _set(org, show_powered_by=False)
    footer = _footer(client.get(f"/c/{credential.public_id}").text)
    assert "powered by" not in footer and "credstack" not in footer and "Acme Training" in footer


def test_course_landing_sign_in_and_portal_entry_show_the_organization(client, org, achievement):
    _set(org, brand_color="#006644")
    make_course(org, achievement)
    pages = {
        "course landing": client.get("/learn/acme/python-101").text,
        "player sign-in": client.get("/learn/sign-in?org=acme").text,
        "portal sign-in": client.get("/me/login?org=acme").text,
    }
    for name, html in pages.items():
        assert "Acme Training" in _header(html), name
        assert ">credstack<" not in _header(html), name
        assert _brand_style(html)["--brand-fill"] == "#006644", name


def test_pages_of_no_organization_keep_the_platform_look(client):
    html = client.get("/verify").text
    assert ">credstack<" in _header(html) and "--brand-fill:" not in html


# ---- emails -------------------------------------------------------------------------------------------


def test_the_sign_in_code_email_is_the_organizations(org, settings):
    settings.DEFAULT_FROM_EMAIL = "credstack <no-reply@certs.example>"
    auth.send_code("ada@example.org", org=org)
    message = mail.outbox[-1]
    assert re.fullmatch(r"\d{6} is your Acme Training sign-in code", message.subject)
    assert message.from_email == '"Acme Training" <no-reply@certs.example>'
    assert "Your Acme Training sign-in code:" in message.body
    html = message.alternatives[0][0]
    assert "Acme Training" in html and "#1d3f6e" in html  # its name and colour in the header
    assert "Sent by" in html and "with credstack" in html


def test_a_sign_in_code_of_no_organization_is_credstacks(settings):
    settings.DEFAULT_FROM_EMAIL = "credstack <no-reply@certs.example>"
    portal_actions.request_code("ada@example.org")
    message = mail.outbox[-1]
    assert message.subject.endswith(" is your credstack sign-in code")
    assert message.from_email == "credstack <no-reply@certs.example>"


def test_the_credential_email_comes_from_the_organization(
    org, issue, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "credstack <no-reply@certs.example>"
    _set(org, show_powered_by=False)
    with django_capture_on_commit_callbacks(execute=True):
        issue(email="grace@example.org")
    message = next(m for m in mail.outbox if m.to == ["grace@example.org"])
    assert message.from_email == '"Acme Training" <no-reply@certs.example>'
    assert message.message()["From"] == '"Acme Training" <no-reply@certs.example>'
    assert "credstack" not in message.body.split("-- ")[-1]  # the signature: its name alone
    assert "with credstack" not in message.alternatives[0][0]


def test_a_name_with_quotes_accents_or_a_line_break_is_a_safe_sender(org, settings):
    settings.DEFAULT_FROM_EMAIL = "no-reply@certs.example"
    org.name = 'Tomás "TJ" Academy\r\nBcc: x@evil.example'
    assert sender(org) == '"Tomás \\"TJ\\" Academy Bcc: x@evil.example" <no-reply@certs.example>'
    message = mail.EmailMessage("s", "b", sender(org), ["a@example.org"]).message()
    assert "\n" not in message["From"] and "no-reply@certs.example" in message["From"]
    assert message["Bcc"] is None


def test_the_settings_page_shows_the_colour_as_learners_see_it(client, org, django_user_model):
    user = django_user_model.objects.create_user("owner", "owner@example.org", "pw-123456789")
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    client.force_login(user)
    _set(org, brand_color="#ffeb3b")
    html = client.get("/w/acme/settings").text
    assert 'style="background:#ffeb3b;color:#111827">Sign in to enrol' in html
    assert "Dark text on your colour: contrast 14.5:1" in html
    assert (
        "your colour is too light for text on white, so links and outlines use a darker shade of it" in html
    )
