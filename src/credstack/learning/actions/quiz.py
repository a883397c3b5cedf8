"""Quizzes: an attempt started (questions drawn and shuffled), submitted and graded (missed questions
scheduled for review, the xAPI statement an outbox effect, the course completed when it was the last),
and the attempts an educator resets."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.courses import content
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.outbox import actions as outbox

from ..models import Enrolment, LessonProgress, QuestionResponse, QuizAttempt, ReviewItem
from ..queries import LearningError, attempt_questions, attempts_left, lesson_index
from ..xapi_statements import record_quiz
from .completion import complete_if_done
from .player import QuestionResult, record_activity
from .review import REVIEW_NUDGE

_random = random.SystemRandom()

QUIZ_SUBMITTED = "learning.quiz_submitted"


def reset_attempts(enrolment: Enrolment, lesson_key: str, *, actor: Actor | None = None) -> int:
    """An educator gives a learner who used every attempt at a quiz the full number again.

    Earlier attempts stay in the record (analytics, exports); the learner gets ``max_attempts`` more.
    Returns the attempts now left. Raises LearningError when there is nothing to reset.
    """
    lesson = enrolment.version.lessons[lesson_index(enrolment, lesson_key)]
    limit = lesson["quiz"]["max_attempts"]
    if not limit:
        raise LearningError(_("This quiz has no attempt limit: there is nothing to reset."))
    with transaction.atomic():
        progress = (
            LessonProgress.objects.select_for_update()
            .filter(enrolment=enrolment, lesson_key=lesson_key)
            .first()
        )
        if progress is None or progress.passed_at is not None:
            raise LearningError(_("Only a quiz the learner has tried and not yet passed can be reset."))
        used = enrolment.attempts.filter(lesson_key=lesson_key, submitted_at__isnull=False).count()
        progress.extra_attempts = used  # so that limit + extra - used == limit
        progress.save(update_fields=["extra_attempts"])
        audit.record(
            enrolment.organization,
            as_actor(actor),
            "course.attempts_reset",
            target=enrolment.learner.email,
            detail=f"{enrolment.course.title}, lesson {lesson_index(enrolment, lesson_key) + 1}",
        )
    return attempts_left(enrolment, lesson) or 0  # never None: the quiz has a limit (checked above)


def start_attempt(enrolment: Enrolment, lesson_key: str) -> QuizAttempt:
    """The open attempt on the lesson's quiz, or a new one with its questions drawn and shuffled."""
    lesson = enrolment.version.lessons[lesson_index(enrolment, lesson_key)]
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson_key).first()
    if progress is None or progress.read_at is None:
        raise LearningError(_("Read the lesson before taking its quiz."))
    if progress.passed_at is not None:
        raise LearningError(_("You have already passed this quiz."))
    open_attempt = enrolment.attempts.filter(lesson_key=lesson_key, submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    if attempts_left(enrolment, lesson) == 0:
        raise LearningError(
            _("You have used all %(count)s attempts at this quiz. Contact the course team to reset it.")
            % {"count": lesson["quiz"]["max_attempts"]}
        )
    quiz = lesson["quiz"]
    questions = list(quiz["questions"])
    if quiz.get("draw") and quiz["draw"] < len(questions):
        drawn = {q["key"] for q in _random.sample(questions, quiz["draw"])}
        questions = [q for q in questions if q["key"] in drawn]  # the bank's order unless shuffled
    if quiz.get("shuffle_questions"):
        _random.shuffle(questions)
    layout = []
    for q in questions:
        keys = [c["key"] for c in q.get("choices") or []]
        if quiz.get("shuffle_answers") and q["kind"] != "truefalse":
            _random.shuffle(keys)
        layout.append({"key": q["key"], "choices": keys})
    number = (enrolment.attempts.filter(lesson_key=lesson_key).count()) + 1
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                enrolment=enrolment, lesson_key=lesson_key, number=number, layout=layout
            )
    except IntegrityError:  # the same learner in two tabs
        return enrolment.attempts.get(lesson_key=lesson_key, number=number)


def submit_attempt(attempt: QuizAttempt, answers: dict) -> list[QuestionResult]:
    """Grade an attempt: score, pass or fail, feedback per question; missed questions are scheduled
    for review; passing the last quiz completes the course (and awards its credential)."""
    enrolment = attempt.enrolment
    lesson = enrolment.version.lessons[lesson_index(enrolment, attempt.lesson_key)]
    results = []
    for question, _choices in attempt_questions(attempt):
        answer = answers.get(question["key"])
        if question["kind"] == "multiple":
            answer = [a for a in (answer if isinstance(answer, list) else [answer]) if a]
        elif isinstance(answer, list):
            answer = answer[0] if answer else None
        if isinstance(answer, str):
            answer = answer[: content.MAX_TEXT_ANSWER]
        correct = content.grade(question, answer)
        feedback = question["feedback_correct"] if correct else question["feedback_incorrect"]
        results.append(QuestionResult(question, answer, correct, feedback))
    score = round(100 * sum(r.correct for r in results) / len(results)) if results else 0
    passed = score >= lesson["quiz"]["pass_mark"]
    now = timezone.now()
    with transaction.atomic():
        updated = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            answers={r.question["key"]: r.answer for r in results},
            score=score,
            passed=passed,
            submitted_at=now,
        )
        if not updated:
            raise LearningError(_("This attempt has already been submitted."))
        QuestionResponse.objects.bulk_create(
            QuestionResponse(
                attempt=attempt,
                course_id=enrolment.course_id,
                question_key=r.question["key"],
                correct=r.correct,
            )
            for r in results
        )
        progress = LessonProgress.objects.select_for_update().get(
            enrolment=enrolment, lesson_key=attempt.lesson_key
        )
        progress.attempts += 1
        progress.best_score = max(progress.best_score or 0, score)
        if passed and progress.passed_at is None:
            progress.passed_at = now
        progress.save(update_fields=["attempts", "best_score", "passed_at"])
        days = enrolment.course.review_days or []
        for r in results:
            if not r.correct:
                for stage, after in enumerate(days):
                    ReviewItem.objects.get_or_create(
                        enrolment=enrolment,
                        question_key=r.question["key"],
                        stage=stage,
                        defaults={
                            "lesson_key": attempt.lesson_key,
                            "due_at": now + timedelta(days=int(after)),
                        },
                    )
        if days and not all(r.correct for r in results):
            for after in days:  # the worker sends the nudge when due (without one: cron `review_nudges`)
                when = now + timedelta(days=int(after), minutes=1)
                outbox.emit(REVIEW_NUDGE, {"when": when.isoformat()})
        # the xAPI statement of this attempt: an effect of this transaction, made even if this process
        # dies after the commit (decision 0036); one statement id per attempt however often it runs
        outbox.emit(QUIZ_SUBMITTED, {"attempt": attempt.pk}, key=f"{QUIZ_SUBMITTED}:{attempt.pk}")
    attempt.refresh_from_db()
    record_activity(enrolment, progress)
    if passed:
        complete_if_done(enrolment)
    return results


def quiz_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.quiz_submitted``: the attempt's xAPI statement (stored once: its id
    comes from the attempt)."""
    record_quiz(payload["attempt"])
