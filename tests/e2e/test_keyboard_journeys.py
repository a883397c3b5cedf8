"""Keyboard only, as someone who cannot use a mouse: the learner goes from the course page through sign-in,
a lesson and its quiz to the completion page and the credential's public page; the issuer signs in, issues a
credential and revokes it. Nothing is clicked: the tests press Tab (and Shift+Tab), Enter, Space, and the
arrow keys inside a radio group (how a radio group is operated, WAI-ARIA APG), and type into the field that
has focus. Every element that takes focus on the way must show it: a computed outline or box-shadow.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.courses.factory import make_course

from .conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long pass phrase 42"

FOCUSED = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  const name = (e.getAttribute('aria-label') || label || e.innerText || e.value || e.name || '').trim();
  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: name.replace(/\\s+/g, ' ').slice(0, 80),
          visible: Boolean(outline || shadow),
          style: s.outlineStyle + ' ' + s.outlineWidth + ' / ' + s.boxShadow + ' focus=' + e.matches(':focus')};
}"""


def tab_to(page, name: str | re.Pattern, *, tag: str | None = None, limit: int = 80) -> dict:
    """Press Tab until the focused element's accessible text matches `name`; every element focused on the
    way must show its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        el = page.evaluate(FOCUSED)
        if el is None:
            continue
        assert el["visible"], (
            f"{page.url}: focus is invisible on <{el['tag']}> {el['name']!r} ({el['style']})"
        )
        seen.append(el["name"])
        matches = re.search(name, el["name"]) if isinstance(name, re.Pattern) else el["name"] == name
        if matches and (tag is None or el["tag"] == tag):
            return el
    raise AssertionError(f"{page.url}: Tab never reached {name!r}; focus went through {seen}")


def enter_to_next_page(page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _code_for(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to and "sign-in code" in m.subject)
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


def test_learner_course_to_credential_by_keyboard(page, base_url, org, achievement):
    course = make_course(org, achievement, lessons=1)
    email = "kofi@example.org"
    page.goto(f"/learn/{org.slug}/{course.slug}")

    # the first Tab offers to skip the header
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Skip to content"
    save_screenshot(page, "keyboard-skip-link")
    tab_to(page, "Sign in to enrol")
    enter_to_next_page(page)
    tab_to(page, "Email address", tag="input")
    page.keyboard.type(email)
    enter_to_next_page(page)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    tab_to(page, "6-digit code", tag="input")
    page.keyboard.type(_code_for(email))
    tab_to(page, "Sign in", tag="button")
    enter_to_next_page(page)

    tab_to(page, "Your name, as it should appear on your credential", tag="input")
    page.keyboard.type("Kofi Mensah")
    tab_to(page, re.compile("Enrol"), tag="button")
    enter_to_next_page(page)
    expect(page.get_by_role("heading", name="Lesson 1", level=1)).to_be_visible()
    tab_to(page, re.compile("take the quiz"), tag="button")
    enter_to_next_page(page)

    # the quiz: Tab into the group, arrows pick the answer "2", Space checks it, Enter submits
    page.wait_for_url(re.compile("/quiz$"))
    tab_to(page, re.compile(r"^\d$"), tag="input")
    for _ in range(4):
        if page.evaluate(FOCUSED)["name"] == "2":
            break
        page.keyboard.press("ArrowDown")
        assert page.evaluate(FOCUSED)["visible"]
    page.keyboard.press("Space")
    expect(page.get_by_label("2", exact=True)).to_be_checked()
    save_screenshot(page, "keyboard-quiz-focus")
    tab_to(page, "Submit answers", tag="button")
    enter_to_next_page(page)

    expect(page.get_by_role("heading", name=f"You completed {course.title}")).to_be_visible()
    tab_to(page, "View your credential", tag="a")
    enter_to_next_page(page)
    expect(page.get_by_role("status")).to_contain_text("Valid credential")
    assert re.search(r"/c/[^/]+$", page.url)
    # and the credential page's own links and buttons show their focus too
    tab_to(page, re.compile("PDF|Download", re.I))


def test_issuer_issues_and_revokes_by_keyboard(page, base_url, org, achievement):
    from credstack.credentials.models import Credential
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("registrar@acme.example", password=PASSWORD)
    Membership.objects.create(organization=org, user=user, role="admin")
    page.on("dialog", lambda dialog: dialog.accept())  # a confirm() is answered with Enter by a person too
    page.goto("/accounts/login/")
    tab_to(page, "Email", tag="input")
    page.keyboard.type("registrar@acme.example")
    tab_to(page, "Password", tag="input")
    page.keyboard.type(PASSWORD)
    enter_to_next_page(page)
    page.wait_for_url(re.compile("/w/"))

    page.goto(f"/w/{org.slug}/")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Skip to content"
    tab_to(page, re.compile("^Issue"), tag="a")
    enter_to_next_page(page)
    page.wait_for_url(re.compile("/issue$"))
    tab_to(page, "Recipient's name", tag="input")
    page.keyboard.type("Ngozi Okafor")
    tab_to(page, re.compile("^Recipient's email"), tag="input")
    page.keyboard.type("ngozi@example.org")
    tab_to(page, "Sign and issue", tag="button")
    enter_to_next_page(page)
    expect(page.get_by_role("heading", name="Ngozi Okafor")).to_be_visible()
    credential = Credential.objects.get(recipient_email="ngozi@example.org")
    assert credential.state == "active"

    tab_to(page, "Revoke: reason (required)", tag="input")
    page.keyboard.type("Issued to the wrong cohort")
    tab_to(page, "Revoke…", tag="button")
    save_screenshot(page, "keyboard-revoke-focus")
    enter_to_next_page(page)
    credential.refresh_from_db()
    assert credential.state == "active"  # the confirmation page first: nothing changed yet
    tab_to(page, re.compile("^Revoke it"), tag="button")
    enter_to_next_page(page)
    credential.refresh_from_db()
    assert credential.state == "revoked" and credential.revocation_reason == "Issued to the wrong cohort"
