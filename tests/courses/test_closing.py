"""Closing a course to new learners: nobody new enrols or is invited; learners already enrolled finish and
earn the credential; reopening opens it again."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from credstack.courses import actions
from credstack.courses.models import Course
from credstack.learning import actions as learning
from credstack.learning.auth import SESSION_KEY
from credstack.organizations.actions import create_organization
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry, Membership
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _member(client, org, role, username="pat"):
    user = get_user_model().objects.create_user(username, f"{username}@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role=role)
    client.force_login(user)
    return user


def _finish(enrolment):
    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        q = lesson["quiz"]["questions"][0]
        learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
    enrolment.refresh_from_db()
    return enrolment


def test_admin_closes_a_course_and_enrolled_learners_still_finish(client, org, achievement):
    course = make_course(org, achievement)
    enrolled = learning.enrol(course, learning.learner_for("in.progress@example.org", "Ines Progress"))
    _member(client, org, "admin")
    edit = f"/w/{org.slug}/courses/{course.public_id}/"
    assert "Close to new learners" in client.get(edit).content.decode()
    response = client.post(edit + "enrolment/close", follow=True)
    page = response.content.decode()
    assert "Closed to new learners. Enrolled learners can still finish" in page
    assert "Reopen to new learners" in page
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED
    assert AuditEntry.objects.filter(organization=org, action="course.closed").exists()

    # nobody new: not by the player, not by invitation
    with pytest.raises(learning.LearningError, match="closed to new learners"):
        learning.enrol(course, learning.learner_for("late@example.org", "Late Comer"))
    with pytest.raises(ValidationError, match="closed to new learners"):
        learning.invite(course, "late@example.org")
    # the one enrolled before finishes and gets the credential
    assert learning.enrol(course, enrolled.learner) == enrolled
    enrolled = _finish(enrolled)
    assert enrolled.status == "completed" and enrolled.credential.recipient_email == "in.progress@example.org"

    # the course list and page say so
    assert "Closed to new learners" in client.get(f"/w/{org.slug}/courses/").content.decode()


def test_a_closed_course_page_tells_new_learners_and_refuses_enrolment(client, org, achievement):
    course = make_course(org, achievement)
    actions.close_course(course)
    page = client.get(f"/learn/{org.slug}/{course.slug}")
    assert page.status_code == 200
    assert (
        "closed to new learners" in page.content.decode() and "Sign in to enrol" not in page.content.decode()
    )
    learner = learning.learner_for("lea@example.org", "Lea")
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    body = client.get(f"/learn/{org.slug}/{course.slug}").content.decode()
    assert "closed to new learners" in body and "Enrol" not in body
    response = client.post(f"/learn/{org.slug}/{course.slug}/enrol")
    assert response.status_code == 400 and "closed to new learners" in response.content.decode()


def test_reopening_and_republishing(client, org, achievement):
    course = make_course(org, achievement)
    actions.close_course(course)
    # a new version of a closed course keeps it closed
    course.title = "Python 101, revised"
    course.save()
    actions.publish_course(course)
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED and course.versions.count() == 2
    _member(client, org, "admin")
    client.post(f"/w/{org.slug}/courses/{course.public_id}/enrolment/reopen")
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    enrolment = learning.enrol(course, learning.learner_for("new@example.org", "New Learner"))
    assert enrolment.version.number == 2
    with pytest.raises(ValidationError, match="not closed"):
        actions.reopen_course(course)


def test_a_draft_cannot_be_closed(org, achievement):
    course = make_course(org, achievement, publish=False)
    with pytest.raises(ValidationError, match="only a published course"):
        actions.close_course(course)
    assert not AuditEntry.objects.filter(organization=org, action="course.closed").exists()


def test_closing_from_the_command_line_leaves_the_same_audit_row_with_its_actor(org, achievement):
    course = make_course(org, achievement)
    actions.close_course(course, actor=Actor.command_line("ops"))
    entry = AuditEntry.objects.get(organization=org, action="course.closed")
    assert (entry.actor_kind, entry.actor_label, entry.target) == (
        "cli",
        "command line (ops)",
        course.public_id,
    )


@pytest.mark.parametrize("role", ["viewer", "issuer"])
def test_only_admins_close_and_other_organizations_get_404(client, org, achievement, role):
    course = make_course(org, achievement)
    _member(client, org, role)
    assert client.post(f"/w/{org.slug}/courses/{course.public_id}/enrolment/close").status_code == 403
    other = create_organization(name="Rival", slug="rival")
    _member(client, other, "admin", username="rival-admin")
    assert client.post(f"/w/rival/courses/{course.public_id}/enrolment/close").status_code == 404
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED


def test_invitations_go_to_the_address_the_educator_typed(
    org, achievement, django_capture_on_commit_callbacks
):
    course = make_course(org, achievement)
    with django_capture_on_commit_callbacks(execute=True):
        learning.invite(course, "Work.Address@Example.org, Kai Müller")
    assert [m.to for m in mail.outbox] == [["work.address@example.org"]]
