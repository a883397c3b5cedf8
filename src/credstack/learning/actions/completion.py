"""Completion: a course completed when every lesson is read and every quiz passed (its credential asked
of the awarding rules, ``ENROLMENT_COMPLETED`` emitted once), and a completed course taken again to renew
its credential."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.awarding.actions import COURSE_COMPLETED, handle_event
from credstack.credentials.actions import current_of, renewable
from credstack.outbox import actions as outbox

from ..models import Enrolment, LessonProgress
from ..queries import LearningError
from ..signals import ENROLMENT_COMPLETED
from ..xapi_statements import record_completed

log = logging.getLogger("credstack.learning.actions")  # log lines keep the name they had before the split


def complete_if_done(enrolment: Enrolment) -> Enrolment:
    """When every lesson is read and every quiz passed: complete the enrolment and ask the rules
    engine for the course's credential."""
    keys = [lesson["key"] for lesson in enrolment.version.lessons]
    progress = {p.lesson_key: p for p in enrolment.lessons.all()}
    lessons_done = sum(1 for k in keys if k in progress and progress[k].read_at)
    quizzes_passed = sum(1 for k in keys if k in progress and progress[k].passed_at)
    if lessons_done < len(keys) or quizzes_passed < len(keys):
        return enrolment
    average = round(sum(progress[k].best_score or 0 for k in keys) / len(keys))
    now = timezone.now()
    # one transaction from "completed" to the award and its effects: a process that dies in between
    # leaves the enrolment as it was, and the next call completes it (decision 0036)
    with transaction.atomic():
        first = (
            Enrolment.objects.filter(pk=enrolment.pk)
            .exclude(status=Enrolment.Status.COMPLETED)
            .update(status=Enrolment.Status.COMPLETED, completed_at=now, average_score=average)
        )
        enrolment.refresh_from_db()
        if first:
            record_completed(enrolment.pk)
        _award_completion(enrolment, keys, lessons_done, average, first)
    enrolment.refresh_from_db()
    return enrolment


def _award_completion(enrolment: Enrolment, keys: list, lessons_done: int, average: int, first: int) -> None:
    course = enrolment.course
    learner = enrolment.learner
    outcome = handle_event(
        organization=enrolment.organization,
        event_type=COURSE_COMPLETED,
        course=course,
        recipient_email=learner.email,
        recipient_name=learner.name or learner.email.split("@")[0],
        event_id=f"enrolment:{enrolment.public_id}",
        data={
            "lessons_done": lessons_done,
            "lessons_total": len(keys),
            "all_lessons_done": True,
            "all_quizzes_passed": True,
            "average_score": average,
            "score": average,
        },
        activity_start=enrolment.started_at or enrolment.enrolled_at,
        activity_end=enrolment.completed_at,
        evidence=[
            {
                "id": course.url,
                "name": f"Completed “{course.title}”",
                "description": f"All {len(keys)} lessons and quizzes completed; average quiz score {average}%.",
            }
        ],
        source="course",
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        credential=outcome.credential, award_status=outcome.status, award_reasons=outcome.reasons
    )
    if first:  # once per enrolment, after the award, so consumers see the credential (decision 0036)
        outbox.emit(
            ENROLMENT_COMPLETED,
            {"enrolment": enrolment.pk},
            key=f"{ENROLMENT_COMPLETED}:{enrolment.public_id}",
        )


def retake(enrolment: Enrolment) -> Enrolment:
    """The learner takes a course they completed again, to renew its credential once it is due
    (``credentials.actions.renewable``). Every lesson is to read and every quiz to pass again, on the
    course's latest version, with the quiz's full number of attempts; earlier attempts stay in the
    record. Completing it renews the credential (``awarding.award``)."""
    credential = current_of(enrolment.credential) if enrolment.credential is not None else None
    if enrolment.status != Enrolment.Status.COMPLETED or credential is None or not renewable(credential):
        raise LearningError(_("You can take this course again once your credential is due for renewal."))
    version = enrolment.course.latest_version or enrolment.version
    with transaction.atomic():
        used: dict[str, int] = {}
        for key in enrolment.attempts.filter(submitted_at__isnull=False).values_list("lesson_key", flat=True):
            used[key] = used.get(key, 0) + 1
        for progress in LessonProgress.objects.select_for_update().filter(enrolment=enrolment):
            progress.read_at = progress.passed_at = progress.best_score = None
            progress.extra_attempts = used.get(progress.lesson_key, 0)  # the limit counts afresh
            progress.save(update_fields=["read_at", "passed_at", "best_score", "extra_attempts"])
        Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.COMPLETED).update(
            status=Enrolment.Status.ACTIVE,
            version=version,
            completed_at=None,
            average_score=None,
            award_status="",
            award_reasons=[],
        )
    enrolment.refresh_from_db()
    log.info("enrolment %s: taking the course again to renew %s", enrolment.public_id, credential.public_id)
    return enrolment
