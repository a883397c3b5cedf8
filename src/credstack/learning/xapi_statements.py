"""The xAPI statements a learner's progress makes: a quiz passed or failed, a course completed.

Learning owns enrolments and attempts, so it builds these statements from them and hands them to the
xAPI app (``credstack.xapi.actions.queue``), which stores and sends them; the xAPI app knows nothing of
learning. Nothing happens without an LRS configured."""

from __future__ import annotations

import uuid

from django.utils import timezone

from credstack.xapi import statements as xs
from credstack.xapi.actions import enabled, queue
from credstack.xapi.models import Statement

from .models import Enrolment, QuizAttempt


def _course_activity(course, language):
    return xs.activity(course.url, course.title, "course", language, course.summary[:500])


def record_quiz(attempt_id: int) -> Statement | None:
    if not enabled():
        return None
    attempt = QuizAttempt.objects.select_related(
        "enrolment__course", "enrolment__learner", "enrolment__version"
    ).get(pk=attempt_id)
    enrolment = attempt.enrolment
    course, learner = enrolment.course, enrolment.learner
    lesson = enrolment.version.lesson(attempt.lesson_key) or {"title": attempt.lesson_key}
    language = enrolment.version.content.get("language") or "en"
    verb = "passed" if attempt.passed else "failed"
    payload = xs.statement(
        verb=verb,
        agent=xs.actor(learner.email, learner.name),
        obj=xs.activity(
            f"{course.url}/lessons/{attempt.lesson_key}/quiz",
            f"Quiz: {lesson['title']}",
            "assessment",
            language,
        ),
        timestamp=attempt.submitted_at or timezone.now(),
        result={
            **({"score": xs.score(attempt.score)} if attempt.score is not None else {}),
            "success": bool(attempt.passed),
            "completion": True,
        },
        parent=_course_activity(course, language),
        registration_id=xs.registration(enrolment.public_id),
        language=language,
        # one statement per attempt, however often the outbox runs this (decision 0036)
        statement_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{course.url}/attempts/{attempt.pk}#quiz")),
    )
    return queue(payload, verb)


def record_completed(enrolment_id: int) -> Statement | None:
    if not enabled():
        return None
    enrolment = Enrolment.objects.select_related("course", "learner", "version").get(pk=enrolment_id)
    language = enrolment.version.content.get("language") or "en"
    result = {"completion": True, "success": True, "duration": xs.duration(enrolment.time_spent_seconds)}
    if enrolment.average_score is not None:
        result["score"] = xs.score(enrolment.average_score)
    payload = xs.statement(
        verb="completed",
        agent=xs.actor(enrolment.learner.email, enrolment.learner.name),
        obj=_course_activity(enrolment.course, language),
        timestamp=enrolment.completed_at or timezone.now(),
        result=result,
        registration_id=xs.registration(enrolment.public_id),
        language=language,
    )
    return queue(payload, "completed")
