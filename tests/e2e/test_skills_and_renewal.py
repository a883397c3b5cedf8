"""In a browser: an admin imports a skills framework, aligns skills to an achievement, and the issued
credential shows them; a learner whose credential is due takes the course again and gets it renewed."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from credstack.credentials.models import Credential
from credstack.learning import actions as learning
from credstack.learning.auth import SESSION_KEY
from credstack.organizations.models import Membership
from tests.achievements.test_skills import CASE_PACKAGE
from tests.courses.factory import make_course
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes


def _admin(page, base_url, org):
    user = get_user_model().objects.create_user("admin", "admin@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_an_admin_imports_a_framework_and_aligns_skills_that_credentials_then_show(
    page, base_url, org, achievement, issue, tmp_path
):
    _admin(page, base_url, org)
    package = tmp_path / "digital-skills.json"
    package.write_text(json.dumps(CASE_PACKAGE), encoding="utf-8")
    page.goto(f"/w/{org.slug}/")
    page.get_by_role("link", name="Skills", exact=True).click()
    page.get_by_label("Import a framework").select_option("case")
    page.get_by_label("File").set_input_files(str(package))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported Digital Skills Framework: 2 skills.")).to_be_visible()
    page.get_by_label("Search skills").fill("análisis")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Análisis de datos con Python").check()
    page.get_by_label("Align the ticked skills to").select_option(label=achievement.name)
    save_screenshot(page, "workspace-skills", full_page=True)
    page.get_by_role("button", name="Align").click()
    expect(page.get_by_text("Python Basics: 1 skill added")).to_be_visible()

    credential = issue(name="Amara Okafor", email="amara@example.org")
    page.goto(f"/c/{credential.public_id}")
    skill = page.get_by_role("link", name="Análisis de datos con Python")
    expect(skill).to_be_visible()
    expect(page.get_by_text("(Digital Skills Framework)")).to_be_visible()
    page.goto(f"/w/{org.slug}/skills/")
    report = page.get_by_role("row").filter(has_text="Análisis de datos con Python").last
    expect(report).to_contain_text("1")


def test_a_learner_takes_a_due_course_again_and_the_credential_is_renewed(page, base_url, org, achievement):
    achievement.valid_for_months = 12
    achievement.save()
    course = make_course(org, achievement, lessons=2)
    learner = learning.learner_for("ngozi@example.org", "Ngozi Adichie")
    enrolment = learning.enrol(course, learner)
    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        attempt = learning.start_attempt(enrolment, lesson["key"])
        learning.submit_attempt(attempt, {lesson["quiz"]["questions"][0]["key"]: "right"})
    enrolment.refresh_from_db()
    old = enrolment.credential
    Credential.objects.filter(pk=old.pk).update(valid_until=timezone.now() + timedelta(days=20))
    client = Client()
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": base_url}])

    page.goto(f"/learn/{org.slug}/{course.slug}/complete")
    expect(page.get_by_text("Your credential is due for renewal")).to_be_visible()
    save_screenshot(page, "learner-renew-by-retaking")
    page.get_by_role("button", name="Take the course again to renew").click()
    for n, lesson in enumerate(enrolment.version.lessons):
        page.goto(f"/learn/{org.slug}/{course.slug}/lessons/{lesson['key']}")
        page.get_by_role("button", name="I've read this — take the quiz").click()
        page.get_by_label(str(2 * (n + 1)), exact=True).check()
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("h1")).to_contain_text(re.compile("Passed|You completed"))
    page.goto(f"/learn/{org.slug}/{course.slug}/complete")
    old.refresh_from_db()
    renewed = old.replaced_by
    assert renewed is not None and renewed.state == "active" and old.state == "revoked"
    expect(page.get_by_role("link", name="View your credential")).to_have_attribute("href", renewed.uri)
    expect(page.get_by_text("Take the course again to renew")).to_have_count(0)
