"""Reads about learning: where a learner is in a course, what is open to them, what is due."""

from __future__ import annotations

from django.utils import timezone

from .models import Enrolment, LessonProgress, QuizAttempt


class LearningError(Exception):
    """What the learner tried does not apply now (a clear sentence for the page)."""


def lesson_index(enrolment: Enrolment, lesson_key: str) -> int:
    for n, lesson in enumerate(enrolment.version.lessons):
        if lesson["key"] == lesson_key:
            return n
    raise LearningError("There is no such lesson in this course.")


def progress_map(enrolment: Enrolment) -> dict[str, LessonProgress]:
    return {p.lesson_key: p for p in enrolment.lessons.all()}


def unlocked(enrolment: Enrolment, lesson_key: str) -> bool:
    """Lessons open in order: a lesson opens when the quiz before it is passed."""
    index = lesson_index(enrolment, lesson_key)
    if index == 0:
        return True
    previous = enrolment.version.lessons[index - 1]["key"]
    return enrolment.lessons.filter(lesson_key=previous, passed_at__isnull=False).exists()


def resume_lesson_key(enrolment: Enrolment) -> str:
    """Where the learner left off: the first lesson whose quiz is not passed yet."""
    done = set(enrolment.lessons.filter(passed_at__isnull=False).values_list("lesson_key", flat=True))
    for lesson in enrolment.version.lessons:
        if lesson["key"] not in done:
            return lesson["key"]
    return enrolment.version.lessons[-1]["key"]


def attempts_left(enrolment: Enrolment, lesson: dict) -> int | None:
    limit = lesson["quiz"]["max_attempts"]
    if not limit:
        return None
    used = enrolment.attempts.filter(lesson_key=lesson["key"], submitted_at__isnull=False).count()
    extra = (
        LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson["key"])
        .values_list("extra_attempts", flat=True)
        .first()
        or 0
    )
    return max(0, limit + extra - used)


def attempt_questions(attempt: QuizAttempt) -> list[tuple[dict, list[dict]]]:
    """The attempt's questions in the order shown, each with its choices in the order shown."""
    lesson = attempt.enrolment.version.lesson(attempt.lesson_key)
    if lesson is None:  # the attempt names a lesson its course version has
        raise LearningError(f"lesson {attempt.lesson_key!r} is not in this course version")
    by_key = {q["key"]: q for q in lesson["quiz"]["questions"]}
    shown = []
    for item in attempt.layout:
        question = by_key[item["key"]]
        choices = {c["key"]: c for c in question.get("choices") or []}
        shown.append((question, [choices[k] for k in item["choices"] if k in choices]))
    return shown


def due_reviews(enrolment: Enrolment):
    return enrolment.reviews.filter(answered_at__isnull=True, due_at__lte=timezone.now()).order_by(
        "due_at", "id"
    )
