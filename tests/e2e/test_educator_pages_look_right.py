"""The educator's pages as a user sees them, on a phone (390x844) and a laptop (1280x800).

What a user would notice: a quiz question that cannot be saved stays open with what was typed and the
problem right under the box it concerns (not in a banner at the top of a page that forgot the input), and
only the answer fields of the chosen question type are shown; a list of learners to invite that has a typo
keeps its lines; a pathway's components are a list of boxes under their own heading; the account pages
(email, two-factor) fit a phone and speak the workspace's sentence case, with the email's radio beside it.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.courses.factory import make_course
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PASSWORD = "a long pass phrase 42"


@pytest.fixture
def admin(org):
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("edu@acme.example", password=PASSWORD)
    Membership.objects.create(organization=org, user=user, role="admin")
    return user


def _signed_in(browser, base_url, viewport):
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(context, get_user_model().objects.get(email="edu@acme.example"))
    return context, page


def _sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _just_below(upper, lower, within=60) -> bool:
    a, b = upper.bounding_box(), lower.bounding_box()
    return 0 <= b["y"] - (a["y"] + a["height"]) <= within


def test_question_errors_sit_under_their_field_and_keep_what_was_typed(
    browser, base_url, org, achievement, admin
):
    course = make_course(org, achievement, lessons=1)
    lesson = course.lessons.get()
    context, page = _signed_in(browser, base_url, LAPTOP)
    try:
        # published and unchanged: nothing to publish, so no button that makes an identical version
        page.goto(f"/w/{org.slug}/courses/{course.public_id}/")
        assert page.get_by_text("Published and up to date.").is_visible()
        assert page.get_by_role("button", name=re.compile("^Publish")).count() == 0
        page.goto(f"/w/{org.slug}/courses/{course.public_id}/lessons/{lesson.key}/")
        adding = page.locator("#add-question")
        adding.locator("summary").click()
        kind = adding.get_by_label("Type")
        # only the answer fields of the chosen type are on screen
        kind.select_option("truefalse")
        expect(adding.get_by_label("Correct answer (true/false)")).to_be_visible()
        expect(adding.get_by_label("Answers (choice questions)")).not_to_be_visible()
        expect(adding.get_by_label("Accepted answers (short text)")).not_to_be_visible()
        kind.select_option("single")
        expect(adding.get_by_label("Answers (choice questions)")).to_be_visible()
        expect(adding.get_by_label("Correct answer (true/false)")).not_to_be_visible()

        adding.get_by_label("Question", exact=True).fill("Which keyword reads rows?")
        adding.get_by_label("Answers (choice questions)").fill("SELECT\nINSERT")
        adding.get_by_role("button", name="Add question").click()

        adding = page.locator("#add-question")
        assert adding.evaluate("e => e.open"), "the form with the problem stays open"
        answers = adding.get_by_label("Answers (choice questions)")
        assert answers.input_value() == "SELECT\nINSERT"
        assert adding.get_by_label("Question", exact=True).input_value() == "Which keyword reads rows?"
        error = adding.get_by_text("mark at least one answer as correct")
        expect(error).to_be_visible()
        assert _just_below(answers, error), "the message is right under the answers box"
        assert lesson.questions.count() == 1  # nothing was added

        answers.fill("*SELECT\nINSERT")
        adding.get_by_role("button", name="Add question").click()
        expect(page.get_by_text("Question added.")).to_be_visible()
        assert lesson.questions.count() == 2

        # a typo in the invitation list: the list stays, the problem is under it
        page.goto(f"/w/{org.slug}/courses/{course.public_id}/")
        invite = page.get_by_label("Learners to invite")
        invite.fill("ok@example.org\nbroken-address")
        page.get_by_role("button", name="Send invitations").click()
        invite = page.get_by_label("Learners to invite")
        assert invite.input_value() == "ok@example.org\nbroken-address"
        problem = page.locator("#invite .field-error", has_text="line 2")
        assert problem.is_visible() and _just_below(invite, problem, within=80)
        assert course.enrolments.count() == 0
        # the question added above is a change learners do not see yet: now there is something to publish
        expect(page.get_by_role("button", name="Publish a new version")).to_be_visible()
    finally:
        context.close()


def test_phone_pathway_form_and_account_pages(browser, base_url, org, achievement, admin):
    context, page = _signed_in(browser, base_url, PHONE)
    try:
        page.goto(f"/w/{org.slug}/pathways/new")
        legend = page.locator("legend", has_text="Component achievements")
        box = page.get_by_label(achievement.name, exact=True)
        assert legend.is_visible() and box.is_visible()
        assert legend.bounding_box()["y"] < box.bounding_box()["y"], "the heading is above its boxes"
        # "N" only matters for the N-of-M rule
        expect(page.get_by_label("N (for N of M)")).not_to_be_visible()
        page.get_by_label("Rule").select_option("n_of_m")
        expect(page.get_by_label("N (for N of M)")).to_be_visible()
        assert _sideways_scroll(page) <= 0

        page.goto("/accounts/email/")
        assert _sideways_scroll(page) <= 0, "the account menu wraps instead of widening the page"
        assert page.title().startswith("Email addresses")
        expect(page.get_by_role("heading", name="Email addresses", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Make primary", exact=True)).to_be_visible()
        radio = page.get_by_label(re.compile("edu@acme.example"))
        label = page.locator("label", has_text="edu@acme.example")
        r, lb = radio.bounding_box(), label.bounding_box()
        assert abs((r["y"] + r["height"] / 2) - (lb["y"] + lb["height"] / 2)) < lb["height"], (
            "radio beside it"
        )
        assert lb["x"] > r["x"]
        for button in page.locator("main button").all():
            b = button.bounding_box()
            assert b["x"] + b["width"] <= PHONE["width"]

        page.goto("/accounts/2fa/")
        assert _sideways_scroll(page) <= 0
        expect(page.get_by_role("heading", name="Two-factor authentication", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Authenticator app", exact=True)).to_be_visible()
        page.goto("/accounts/logout/")
        expect(page.get_by_role("heading", name="Sign out", exact=True)).to_be_visible()
    finally:
        context.close()
