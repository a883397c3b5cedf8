"""Review: a missed question answered again when it is due, the reminder emails a learner can stop, and
the ``send_review_nudges_task`` that sends them when reviews fall due."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.courses import content
from credstack.xapi.actions import run_later

from .. import emails
from ..models import Enrolment, ReviewItem
from ..queries import LearningError, lesson_index
from .player import QuestionResult, record_activity

REVIEW_NUDGE = "learning.review_nudge"


def answer_review(item: ReviewItem, answer) -> QuestionResult:
    lesson = item.enrolment.version.lessons[lesson_index(item.enrolment, item.lesson_key)]
    question = next(q for q in lesson["quiz"]["questions"] if q["key"] == item.question_key)
    if question["kind"] == "multiple":
        answer = [a for a in (answer if isinstance(answer, list) else [answer]) if a]
    elif isinstance(answer, list):
        answer = answer[0] if answer else None
    correct = content.grade(question, answer)
    with transaction.atomic():
        updated = ReviewItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(
            answered_at=timezone.now(), correct=correct
        )
        if not updated:
            raise LearningError(_("This review question has already been answered."))
    record_activity(item.enrolment)
    return QuestionResult(
        question, answer, correct, question["feedback_correct" if correct else "feedback_incorrect"]
    )


def set_review_emails(enrolment: Enrolment, on: bool) -> Enrolment:
    Enrolment.objects.filter(pk=enrolment.pk).update(review_emails=on)
    enrolment.review_emails = on
    return enrolment


def send_review_nudges(now=None) -> int:
    """Email each learner who has review questions due and has not been told yet (unless they stopped
    reminders for that course). Returns emails sent."""
    now = now or timezone.now()
    due = (
        ReviewItem.objects.filter(
            answered_at__isnull=True, nudged_at__isnull=True, due_at__lte=now, enrolment__review_emails=True
        )
        .select_related("enrolment__learner", "enrolment__course__organization")
        .order_by("enrolment_id")
    )
    by_enrolment: dict[int, list[ReviewItem]] = {}
    for item in due:
        by_enrolment.setdefault(item.enrolment_id, []).append(item)
    sent = 0
    for items in by_enrolment.values():
        emails.review_reminder(items[0].enrolment, len(items)).send()
        ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(nudged_at=now)
        sent += 1
    return sent


def review_nudge_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.review_nudge``: the nudge task, run when the review is due."""
    run_later(send_review_nudges_task, datetime.fromisoformat(payload["when"]))


# run later (see "Tasks" in docs/architecture.md)


@task(queue_name=taskqueues.EMAIL)
def send_review_nudges_task() -> int:
    """``send_review_nudges`` when a learner's review questions fall due (queued by ``submit_quiz``)."""
    return send_review_nudges()
