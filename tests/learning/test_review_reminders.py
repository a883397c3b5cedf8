"""Review reminders can be stopped: from the email (a link and the mail app's one-click unsubscribe) and
from the course page; a stopped course sends no more reminders, others still do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from credstack.learning import actions, tokens
from credstack.learning.auth import SESSION_KEY
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db

LATER = timedelta(days=8)


def _miss_a_question(course, email="r@example.org"):
    enrolment = actions.enrol(course, actions.learner_for(email, "Rui"))
    lesson = enrolment.version.lessons[0]
    actions.mark_read(enrolment, lesson["key"])
    qkey = lesson["quiz"]["questions"][0]["key"]
    actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), {qkey: "wrong"})
    return enrolment


def _stop_url(message) -> str:
    return re.search(r"Stop review reminders for this course: (\S+)", message.body).group(1)


def test_the_reminder_email_carries_a_working_stop_link_and_one_click_header(client, org, achievement):
    course = make_course(org, achievement, lessons=4)
    enrolment = _miss_a_question(course)
    assert actions.send_review_nudges(now=timezone.now() + LATER) == 1
    [message] = mail.outbox
    url = _stop_url(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.split("testserver", 1)[-1] if "testserver" in url else "/" + url.split("/", 3)[3]
    # a link scanner's GET changes nothing
    page = client.get(path)
    assert page.status_code == 200 and "Stop review reminders?" in page.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.review_emails is True
    # the mail app's one-click POST (no CSRF token, no session) stops them
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "Reminders stopped" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.review_emails is False
    # the second-stage review comes due: no email for this course
    mail.outbox.clear()
    assert actions.send_review_nudges(now=timezone.now() + timedelta(days=31)) == 0
    assert mail.outbox == []


def test_a_tampered_or_foreign_token_is_404(client, org, achievement):
    course = make_course(org, achievement, lessons=4)
    enrolment = _miss_a_question(course)
    token = tokens.reminders_token(enrolment)
    assert client.post(f"/learn/reminders/off/{token[:-2]}xx").status_code == 404
    assert client.get("/learn/reminders/off/not-a-token").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.review_emails is True


def test_stopping_one_course_keeps_the_others(client, org, achievement):
    python = make_course(org, achievement, lessons=4)
    sql = make_course(org, achievement, lessons=4, slug="sql-101", title="SQL")
    first = _miss_a_question(python)
    _miss_a_question(sql)
    actions.set_review_emails(first, False)
    assert actions.send_review_nudges(now=timezone.now() + LATER) == 1
    assert [m.subject for m in mail.outbox] == ["1 question to review: SQL"]


def test_the_course_page_switch_turns_them_off_and_on(client, org, achievement):
    course = make_course(org, achievement, lessons=4, review_days=[7, 30])
    enrolment = _miss_a_question(course)
    session = client.session
    session[SESSION_KEY] = enrolment.learner.pk
    session.save()
    page = client.get(f"/learn/{org.slug}/{course.slug}").content.decode()
    assert "Review reminders by email: <b>on</b>" in page
    client.post(f"/learn/{org.slug}/{course.slug}/reminders", {"on": "0"})
    enrolment.refresh_from_db()
    assert enrolment.review_emails is False
    assert (
        "Review reminders by email: <b>off</b>"
        in client.get(f"/learn/{org.slug}/{course.slug}").content.decode()
    )
    client.post(f"/learn/{org.slug}/{course.slug}/reminders", {"on": "1"})
    enrolment.refresh_from_db()
    assert enrolment.review_emails is True
