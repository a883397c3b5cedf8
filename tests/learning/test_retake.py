"""Taking a completed course again to renew its credential once it is due (issue 17, renewal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.learning import actions, queries
from credstack.learning.auth import SESSION_KEY
from credstack.learning.models import Enrolment
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _take(enrolment, wrong_first=False):
    for lesson in enrolment.version.lessons:
        actions.mark_read(enrolment, lesson["key"])
        question = lesson["quiz"]["questions"][0]
        if wrong_first:
            actions.submit_attempt(
                actions.start_attempt(enrolment, lesson["key"]), {question["key"]: "wrong"}
            )
        actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), {question["key"]: "right"})
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def completed(client, org, achievement):
    achievement.valid_for_months = 12
    achievement.save()
    course = make_course(org, achievement, lessons=2)
    learner = actions.learner_for("ada@example.org", "Ada Lovelace")
    enrolment = _take(actions.enrol(course, learner), wrong_first=True)
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.credential is not None
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    return course, enrolment


def test_a_credential_not_yet_due_cannot_be_renewed_by_retaking(client, org, completed):
    course, enrolment = completed
    page = client.get(f"/learn/{org.slug}/{course.slug}/complete").content.decode()
    assert "Take the course again to renew" not in page
    assert f"until {enrolment.credential.valid_until:%-d %B %Y}" in page  # not "for life"
    refused = client.post(f"/learn/{org.slug}/{course.slug}/retake")
    assert refused.status_code == 409 and "due for renewal" in refused.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED


def test_retaking_a_due_course_renews_its_credential_once(client, org, completed):
    course, enrolment = completed
    old = enrolment.credential
    Credential.objects.filter(pk=old.pk).update(valid_until=timezone.now() + timedelta(days=14))
    page = client.get(f"/learn/{org.slug}/{course.slug}/complete").content.decode()
    assert "Take the course again to renew" in page
    started = client.post(f"/learn/{org.slug}/{course.slug}/retake")
    first = enrolment.version.lessons[0]
    assert started.status_code == 302 and started["Location"].endswith(f"/lessons/{first['key']}")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and enrolment.completed_at is None
    assert not enrolment.lessons.filter(passed_at__isnull=False).exists()
    assert enrolment.attempts.count() == 4  # the first time's attempts stay in the record
    lesson = enrolment.version.lessons[0]
    limit = lesson["quiz"]["max_attempts"]
    if limit:  # the quiz's attempts count afresh
        assert queries.attempts_left(enrolment, lesson) == limit

    enrolment = _take(enrolment)
    assert enrolment.status == Enrolment.Status.COMPLETED
    old.refresh_from_db()
    renewed = old.replaced_by
    assert old.state == "revoked" and renewed is not None and renewed.state == "active"
    assert renewed.valid_until > timezone.now() + timedelta(days=360)
    page = client.get(f"/learn/{org.slug}/{course.slug}/complete").content.decode()
    assert renewed.uri in page and "Take the course again to renew" not in page
    assert Credential.objects.filter(state="active").count() == 1


def test_the_expiry_reminder_links_to_the_course_to_take_again(org, completed):
    from django.core import mail
    from django.core.management import call_command

    course, enrolment = completed
    Credential.objects.filter(pk=enrolment.credential_id).update(
        valid_until=timezone.now() + timedelta(days=10)
    )
    mail.outbox.clear()
    call_command("send_expiry_reminders")
    [reminder] = mail.outbox
    assert (
        f"take the course again: http://testserver/learn/{org.slug}/{course.slug}/complete" in reminder.body
    )


def test_without_a_course_the_reminder_says_to_contact_the_issuer(issue):
    from django.core import mail
    from django.core.management import call_command

    issue(valid_until=timezone.now() + timedelta(days=10))
    mail.outbox.clear()
    call_command("send_expiry_reminders")
    [reminder] = mail.outbox
    assert "Contact Acme Training if you would like to renew it." in reminder.body
