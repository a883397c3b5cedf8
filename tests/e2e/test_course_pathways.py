"""Pathway progress in the browser: the learner sees "1 of 2", the educator sees who is one step away,
and finishing the course completes the pathway."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import issue_credential
from credstack.learning import actions as learning
from credstack.learning.auth import SESSION_KEY
from credstack.organizations.models import Membership
from credstack.pathways.actions import create_pathway
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("CREDSTACK_SHOTS")


def _cookie(page, base_url, client):
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_pathway_progress_for_learner_and_educator(page, base_url, org, achievement):
    data = create_achievement(
        organization=org, slug="data", name="Data Literacy", description="d", criteria_narrative="c"
    )
    stack = create_achievement(
        organization=org,
        slug="analyst",
        name="Junior Analyst",
        description="d",
        criteria_narrative="c",
        achievement_type="Certificate",
    )
    create_pathway(achievement=stack, components=[achievement, data])
    issue_credential(achievement=data, recipient_name="Noor", recipient_email="noor@example.org")
    course = make_course(org, achievement, lessons=4)
    learner = learning.learner_for("noor@example.org", "Noor")
    enrolment = learning.enrol(course, learner)

    client = Client()
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    _cookie(page, base_url, client)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/learn/")
    pathway = page.locator(".pathway")
    assert "Junior Analyst" in pathway.inner_text() and "1 of 2" in pathway.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/course-pathway-progress.png", full_page=True)

    educator = get_user_model().objects.create_user("edu", "edu@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=educator, role="viewer")
    staff = Client()
    staff.force_login(educator)
    page.context.clear_cookies()
    _cookie(page, base_url, staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/w/{org.slug}/pathways/")
    page.get_by_role("link", name="Junior Analyst").click()
    row = page.get_by_role("row", name="noor@example.org")
    assert "1 of 2" in row.inner_text() and "one step away" in row.inner_text()

    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        q = lesson["quiz"]["questions"][0]
        learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
    page.reload()
    assert "Awarded" in page.get_by_role("row", name="noor@example.org").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/course-pathway-educator.png", full_page=True)
