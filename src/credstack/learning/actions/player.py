"""The player: a lesson opened, read and kept open (the time spent counted, up to ``IDLE_CAP`` between
two actions), and what an answered question shows (``QuestionResult``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Enrolment, LessonProgress
from ..queries import LearningError, lesson_index, unlocked

IDLE_CAP = timedelta(minutes=5)  # time between two actions counts as learning up to this much


@dataclass
class QuestionResult:
    question: dict
    answer: object
    correct: bool
    feedback: str


def record_activity(enrolment: Enrolment, progress: LessonProgress | None = None) -> None:
    """The learner did something now: count the time since their last action (capped), start the
    enrolment if it was not, and add the time to the lesson's too when ``progress`` is given."""
    now = timezone.now()
    spent = 0
    if enrolment.last_activity_at:
        spent = int(min(now - enrolment.last_activity_at, IDLE_CAP).total_seconds())
    updates = {"last_activity_at": now, "time_spent_seconds": F("time_spent_seconds") + spent}
    if enrolment.started_at is None:
        updates["started_at"] = now
        enrolment.started_at = now
    if enrolment.status == Enrolment.Status.INVITED:
        updates["status"] = Enrolment.Status.ACTIVE
        enrolment.status = Enrolment.Status.ACTIVE
    Enrolment.objects.filter(pk=enrolment.pk).update(**updates)
    enrolment.last_activity_at = now
    enrolment.time_spent_seconds += spent
    if progress is not None and spent:
        LessonProgress.objects.filter(pk=progress.pk).update(
            time_spent_seconds=F("time_spent_seconds") + spent
        )


def open_lesson(enrolment: Enrolment, lesson_key: str) -> LessonProgress:
    index = lesson_index(enrolment, lesson_key)
    if not unlocked(enrolment, lesson_key):
        raise LearningError(_("Pass the quiz of the previous lesson first."))
    try:
        with transaction.atomic():
            progress, _created = LessonProgress.objects.get_or_create(
                enrolment=enrolment, lesson_key=lesson_key, defaults={"position": index + 1}
            )
    except IntegrityError:
        progress = LessonProgress.objects.get(enrolment=enrolment, lesson_key=lesson_key)
    record_activity(enrolment, progress)
    return progress


def ping(enrolment: Enrolment, lesson_key: str) -> None:
    """The lesson page is still open and visible (sent every minute): count the time."""
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson_key).first()
    if progress is not None:
        record_activity(enrolment, progress)


def mark_read(enrolment: Enrolment, lesson_key: str) -> LessonProgress:
    progress = open_lesson(enrolment, lesson_key)
    if progress.read_at is None:
        LessonProgress.objects.filter(pk=progress.pk, read_at__isnull=True).update(read_at=timezone.now())
        progress.refresh_from_db()
    return progress
