"""An educator builds a course in the workspace, publishes it, invites learners and reads analytics."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from credstack.courses.models import Course
from credstack.learning import actions as learning
from credstack.organizations.models import Membership
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("CREDSTACK_SHOTS")


def _sign_in(page, base_url, org):
    user = get_user_model().objects.create_user("edu", "edu@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_educator_builds_publishes_and_invites(page, base_url, org, achievement):
    _sign_in(page, base_url, org)
    page.goto(f"/w/{org.slug}/courses/")
    page.get_by_role("link", name="Create your first course").click()
    page.get_by_label("Title").fill("Spreadsheets That Work")
    page.get_by_label("Address").fill("sheets")
    page.get_by_label("Credential awarded on completion").select_option(label=achievement.name)
    page.get_by_role("button", name="Create course").click()
    expect(
        page.get_by_text("This course has 0 lessons; micro-courses work best with 4 to 8.")
    ).to_be_visible()
    page.get_by_label("New lesson title").fill("Cells and formulas")
    page.get_by_role("button", name="Add lesson").click()
    page.get_by_label("Content (Markdown)").fill(
        "## Cells\n\nA **formula** starts with `=`.\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="Save lesson").click()
    assert page.locator(".lesson-preview strong").inner_text() == "formula"
    assert page.locator(".lesson-preview script").count() == 0
    page.get_by_label("Type").select_option("truefalse")
    page.get_by_label("Question", exact=True).fill("A formula starts with =")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added.")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/course-lesson-editor.png", full_page=True)
    page.get_by_role("link", name="← Spreadsheets That Work").click()
    expect(page.get_by_text("This course has 1 lesson;")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published version 1.")).to_be_visible()
    page.get_by_label("Learners to invite").fill("ok@example.org\nbroken-address")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("line 2: email 'broken-address' is not a valid email address")).to_be_visible()
    page.get_by_label("Learners to invite").fill("ok@example.org\nЮлия Петрова <julia@example.org>")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invited 2 learners.")).to_be_visible()
    assert Course.objects.get(slug="sheets").enrolments.count() == 2


def test_analytics_page(page, base_url, org, achievement):
    course = make_course(org, achievement)
    for n in range(6):
        enrolment = learning.enrol(course, learning.learner_for(f"l{n}@example.org", f"Learner {n}"))
        for i, lesson in enumerate(enrolment.version.lessons[: n + 1]):
            learning.mark_read(enrolment, lesson["key"])
            q = lesson["quiz"]["questions"][0]
            if (n + i) % 3 == 0:
                learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "wrong"})
            learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
    _sign_in(page, base_url, org)
    page.goto(f"/w/{org.slug}/courses/{course.public_id}/analytics")
    stats = page.locator(".stats").inner_text()
    assert "6\nenrolled" in stats and "2\ncompleted (33%)" in stats
    expect(page.get_by_role("heading", name="Hardest questions")).to_be_visible()
    # only questions someone got wrong are "hard" (issue 14: it listed questions nobody got wrong)
    wrong = page.locator('#hardest-table td[data-label="Wrong"]').all_inner_texts()
    assert wrong and "0%" not in wrong
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=f"{SHOTS}/course-analytics.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == f"{course.slug}-learners.csv"
