"""Learning: sign-in by code, enrolment and invitations, retry rules, drawn questions, review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from credstack.courses import actions as course_actions
from credstack.learning import actions, auth, queries
from credstack.learning.models import Enrolment, ReviewItem
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _code(email):
    import re

    sent = [m for m in mail.outbox if email in [to.lower() for to in m.to]]
    return re.search(r"\b(\d{6})\b", sent[-1].subject).group(1)


def test_sign_in_code_is_single_use_and_limited():
    # the player's codes are the portal's (decision 0023): same messages, same limits
    auth.send_code("Ada@Example.org")
    code = _code("ada@example.org")
    with pytest.raises(auth.SignInError, match="4 tries left"):  # from this client (decision 0030)
        auth.check_code("ada@example.org", "000000" if code != "000000" else "111111", ip="203.0.113.9")
    learner = auth.check_code("ADA@example.org", code)
    assert learner.email == "ada@example.org"
    with pytest.raises(auth.SignInError, match="no code waiting"):
        auth.check_code("ada@example.org", code)
    for _ in range(2):
        auth.send_code("ada@example.org")
    with pytest.raises(auth.SignInError, match=r"Too many codes.*still works.*new one in"):
        auth.send_code("ada@example.org")


def test_wrong_codes_slow_the_client_and_burn_the_code_in_the_end():
    auth.send_code("b@example.org")
    code = _code("b@example.org")
    wrong = "123456" if code != "123456" else "654321"
    for _ in range(5):
        with pytest.raises(auth.SignInError):
            auth.check_code("b@example.org", wrong, ip="203.0.113.9")
    # that client waits; the code is not burnt by one client's guesses
    with pytest.raises(auth.SignInError, match="from your network: try again in"):
        auth.check_code("b@example.org", code, ip="203.0.113.9")
    for _ in range(5):  # ten wrong guesses in all (from anywhere) burn it
        with pytest.raises(auth.SignInError):
            auth.check_code("b@example.org", wrong)
    with pytest.raises(auth.SignInError, match="too many times: ask for a new one"):
        auth.check_code("b@example.org", code, ip="198.51.100.7")


def test_attempt_limit_and_retry(org, achievement):
    course = make_course(org, achievement, lessons=4, publish=False)
    lesson = course.lessons.first()
    course_actions.update_lesson(lesson, max_attempts=2)
    course_actions.publish_course(course)
    enrolment = actions.enrol(course, actions.learner_for("c@example.org", "C"))
    key = enrolment.version.lessons[0]["key"]
    qkey = enrolment.version.lessons[0]["quiz"]["questions"][0]["key"]
    with pytest.raises(queries.LearningError, match="Read the lesson"):
        actions.start_attempt(enrolment, key)
    with pytest.raises(queries.LearningError, match="previous lesson"):
        actions.open_lesson(enrolment, enrolment.version.lessons[1]["key"])
    actions.mark_read(enrolment, key)
    first = actions.start_attempt(enrolment, key)
    assert actions.start_attempt(enrolment, key) == first  # same open attempt (a reload, a second tab)
    actions.submit_attempt(first, {qkey: "wrong"})
    with pytest.raises(queries.LearningError, match="already been submitted"):
        actions.submit_attempt(first, {qkey: "right"})
    actions.submit_attempt(actions.start_attempt(enrolment, key), {qkey: "wrong"})
    with pytest.raises(queries.LearningError, match="used all 2 attempts"):
        actions.start_attempt(enrolment, key)
    progress = enrolment.lessons.get(lesson_key=key)
    assert progress.attempts == 2 and progress.best_score == 0 and progress.passed_at is None


def test_n_questions_drawn_from_a_bank_and_shuffled(org, achievement):
    course = make_course(org, achievement, lessons=1, publish=False)
    lesson = course.lessons.get()
    for n in range(9):
        course_actions.add_question(
            lesson,
            kind="single",
            prompt=f"Q{n}",
            choices=[
                {"key": "r", "text": "right", "correct": True},
                {"key": "w1", "text": "w1"},
                {"key": "w2", "text": "w2"},
            ],
        )
    course_actions.update_lesson(lesson, draw_count=3, shuffle_answers=True, max_attempts=0)
    course_actions.publish_course(course)
    seen_sets, orders = set(), set()
    for n in range(12):
        enrolment = actions.enrol(course, actions.learner_for(f"l{n}@example.org", "L"))
        key = enrolment.version.lessons[0]["key"]
        actions.mark_read(enrolment, key)
        attempt = actions.start_attempt(enrolment, key)
        assert len(attempt.layout) == 3
        seen_sets.add(frozenset(item["key"] for item in attempt.layout))
        orders.update(tuple(item["choices"]) for item in attempt.layout)
    assert len(seen_sets) > 1 and len(orders) > 1
    bank = {q["key"]: q for q in enrolment.version.lessons[0]["quiz"]["questions"]}
    right = {
        k: next(c["key"] for c in bank[k]["choices"] if c["correct"])
        for k in (i["key"] for i in attempt.layout)
    }
    results = actions.submit_attempt(attempt, right)
    assert all(r.correct for r in results)


def test_missed_questions_come_back_for_review_with_a_nudge(org, achievement):
    course = make_course(org, achievement, lessons=4)
    enrolment = actions.enrol(course, actions.learner_for("r@example.org", "R"))
    lesson = enrolment.version.lessons[0]
    qkey = lesson["quiz"]["questions"][0]["key"]
    actions.mark_read(enrolment, lesson["key"])
    actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), {qkey: "wrong"})
    items = ReviewItem.objects.filter(enrolment=enrolment).order_by("stage")
    assert [round((i.due_at - timezone.now()).total_seconds() / 86400) for i in items] == [7, 30]
    assert actions.send_review_nudges() == 0  # nothing due yet
    mail.outbox.clear()
    assert actions.send_review_nudges(now=timezone.now() + timedelta(days=8)) == 1
    assert mail.outbox[0].to == ["r@example.org"] and "1 question to review" in mail.outbox[0].subject
    assert actions.send_review_nudges(now=timezone.now() + timedelta(days=8)) == 0  # once
    ReviewItem.objects.filter(stage=0).update(due_at=timezone.now() - timedelta(minutes=1))
    [due] = queries.due_reviews(enrolment)
    assert actions.answer_review(due, "right").correct is True


def test_bulk_invitations_all_or_nothing_with_line_numbers(
    org, achievement, django_capture_on_commit_callbacks
):
    course = make_course(org, achievement, lessons=4)
    with pytest.raises(ValidationError) as exc:
        actions.invite(
            course,
            "ok@example.org\nnot-an-email\nGrace Hopper <grace@example.org>\nok@example.org\n"
            "bad\x07name, ctrl@example.org",
        )
    errors = exc.value.message_dict["emails"]
    assert errors[0] == "line 2: email 'not-an-email' is not a valid email address"
    assert errors[1] == "line 4: ok@example.org is already on line 1"
    assert errors[2] == "line 5: name contains the control character U+0007 at position 4"
    assert not Enrolment.objects.exists() and not mail.outbox
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrolments = actions.invite(
            course, "ok@example.org\nGrace Hopper <Grace@Example.org>\n李小龙, li@example.org"
        )
    assert [e.learner.email for e in enrolments] == ["ok@example.org", "grace@example.org", "li@example.org"]
    assert enrolments[2].learner.name == "李小龙" and all(e.status == "invited" for e in enrolments)
    assert len(mail.outbox) == 3 and course.url in mail.outbox[0].body
    assert actions.invite(course, "ok@example.org")[0].pk == enrolments[0].pk  # again: the same enrolment


@pytest.mark.django_db(transaction=True)
def test_enrolment_completed_is_sent_once_after_the_award(org, achievement):
    from credstack.learning.models import Enrolment
    from credstack.learning.signals import ENROLMENT_COMPLETED
    from credstack.outbox.registry import subscribe, unsubscribe

    seen = []

    def listener(payload, key):
        enrolment = Enrolment.objects.get(pk=payload["enrolment"])
        seen.append((enrolment.pk, enrolment.credential_id))

    subscribe(ENROLMENT_COMPLETED, "test.completed", listener)
    try:
        course = make_course(org, achievement, lessons=4)
        enrolment = actions.enrol(course, actions.learner_for("s@example.org", "S"))
        for lesson in enrolment.version.lessons:
            actions.mark_read(enrolment, lesson["key"])
            q = lesson["quiz"]["questions"][0]
            actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
        actions.complete_if_done(enrolment)  # again: no second effect
    finally:
        unsubscribe("test.completed")
    enrolment.refresh_from_db()
    assert seen == [(enrolment.pk, enrolment.credential_id)] and enrolment.credential_id


def test_time_on_a_lesson_is_counted_with_gaps_capped(client, org, achievement):
    from credstack.learning.auth import SESSION_KEY

    course = make_course(org, achievement, lessons=4)
    learner = actions.learner_for("t@example.org", "T")
    enrolment = actions.enrol(course, learner)
    key = enrolment.version.lessons[0]["key"]
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    assert client.get(f"/learn/{org.slug}/{course.slug}/lessons/{key}").status_code == 200
    Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=timezone.now() - timedelta(seconds=60))
    assert client.post(f"/learn/{org.slug}/{course.slug}/lessons/{key}/ping").status_code == 204
    enrolment.refresh_from_db()
    after_a_minute = enrolment.time_spent_seconds
    assert 60 <= after_a_minute < 300  # the minute counts (plus however long the machine took to answer)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=timezone.now() - timedelta(hours=3))
    client.post(f"/learn/{org.slug}/{course.slug}/lessons/{key}/ping")  # back after 3 hours: 5 minutes count
    enrolment.refresh_from_db()
    assert enrolment.time_spent_seconds - after_a_minute == 300
    assert enrolment.lessons.get().time_spent_seconds == enrolment.time_spent_seconds
