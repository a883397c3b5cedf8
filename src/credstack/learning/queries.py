"""Reads about learning: where a learner is in a course, what is open to them, what is due; and, for the
educator, a course's analytics and learner table (aggregated in the database, one query per figure)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.courses.models import Course

from .models import Enrolment, LessonProgress, QuestionResponse, QuizAttempt, ReviewItem


class LearningError(Exception):
    """What the learner tried does not apply now (a clear sentence for the page)."""


def lesson_index(enrolment: Enrolment, lesson_key: str) -> int:
    for n, lesson in enumerate(enrolment.version.lessons):
        if lesson["key"] == lesson_key:
            return n
    raise LearningError(_("There is no such lesson in this course."))


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
        raise LearningError(
            _("lesson %(key)s is not in this course version") % {"key": repr(attempt.lesson_key)}
        )
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


# ---------------------------------------------------------------- educator analytics (the course's pages)


def course_analytics(course: Course) -> dict:
    enrolments = Enrolment.objects.current().filter(course=course)
    counts = enrolments.aggregate(
        total=Count("id"),
        started=Count("id", filter=Q(started_at__isnull=False)),
        completed=Count("id", filter=Q(status=Enrolment.Status.COMPLETED)),
        credentials=Count("id", filter=Q(credential__isnull=False)),
        avg_score=Avg("average_score", filter=Q(status=Enrolment.Status.COMPLETED)),
        time=Sum("time_spent_seconds"),
    )
    version = course.latest_version
    lessons = []
    questions: dict[str, dict] = {}
    for v in course.versions.all():
        for n, lesson in enumerate(v.lessons, 1):
            for q in lesson["quiz"]["questions"]:
                questions.setdefault(
                    q["key"], {"prompt": q["prompt"], "lesson": lesson["title"], "position": n}
                )
    if version:
        per_lesson = {
            row["lesson_key"]: row
            for row in LessonProgress.objects.filter(
                enrolment__course=course, enrolment__learner__merged_into__isnull=True
            )
            .values("lesson_key")
            .annotate(
                opened=Count("id"),
                read=Count("id", filter=Q(read_at__isnull=False)),
                passed=Count("id", filter=Q(passed_at__isnull=False)),
                best=Avg("best_score"),
                attempts=Avg("attempts"),
            )
        }
        attempts = {
            row["lesson_key"]: row
            for row in QuizAttempt.objects.filter(
                enrolment__course=course,
                enrolment__learner__merged_into__isnull=True,
                submitted_at__isnull=False,
            )
            .values("lesson_key")
            .annotate(n=Count("id"), avg=Avg("score"), fails=Count("id", filter=Q(passed=False)))
        }
        # where learners stop: the first lesson not passed, for enrolments not completed
        stuck: dict[str, int] = {}
        for enrolment in (
            enrolments.exclude(status=Enrolment.Status.COMPLETED).filter(started_at__isnull=False).only("id")
        ):
            passed = set(
                enrolment.lessons.filter(passed_at__isnull=False).values_list("lesson_key", flat=True)
            )
            key = next((lesson["key"] for lesson in version.lessons if lesson["key"] not in passed), None)
            if key:
                stuck[key] = stuck.get(key, 0) + 1
        for n, lesson in enumerate(version.lessons, 1):
            row: Any = per_lesson.get(lesson["key"], {})
            a: Any = attempts.get(lesson["key"], {})
            lessons.append(
                {
                    "n": n,
                    "title": lesson["title"],
                    "opened": row.get("opened", 0),
                    "read": row.get("read", 0),
                    "passed": row.get("passed", 0),
                    "avg_best": round(row["best"]) if row.get("best") is not None else None,
                    "attempts": a.get("n", 0),
                    "avg_score": round(a["avg"]) if a.get("avg") is not None else None,
                    "fails": a.get("fails", 0),
                    "stuck": stuck.get(lesson["key"], 0),
                    "funnel_percent": round(100 * row.get("passed", 0) / counts["total"])
                    if counts["total"]
                    else 0,
                }
            )
    hardest = []
    for answered in (
        QuestionResponse.objects.filter(course=course)
        .values("question_key")
        .annotate(n=Count("id"), wrong=Count("id", filter=Q(correct=False)))
        .filter(wrong__gte=1)  # a question nobody got wrong is not hard (issue 14)
        .order_by()
    ):
        info = questions.get(answered["question_key"])
        if info:
            hardest.append(
                {
                    **info,
                    "answers": answered["n"],
                    "wrong": answered["wrong"],
                    "wrong_percent": round(100 * answered["wrong"] / answered["n"]),
                }
            )
    hardest.sort(key=lambda r: (-r["wrong_percent"], -r["answers"]))
    reviews = ReviewItem.objects.filter(
        enrolment__course=course, enrolment__learner__merged_into__isnull=True
    ).aggregate(
        due=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        remembered=Count("id", filter=Q(correct=True)),
    )
    return {
        "counts": counts,
        "completion_rate": round(100 * counts["completed"] / counts["total"]) if counts["total"] else 0,
        "avg_score": round(counts["avg_score"]) if counts["avg_score"] is not None else None,
        "avg_minutes": round((counts["time"] or 0) / 60 / counts["started"]) if counts["started"] else 0,
        "lessons": lessons,
        "hardest": hardest[:10],
        "answered": bool(hardest) or QuestionResponse.objects.filter(course=course).exists(),
        "retention": {
            **reviews,
            "percent": round(100 * reviews["remembered"] / reviews["answered"])
            if reviews["answered"]
            else None,
        },
    }


def learner_rows(course: Course):
    """One row per enrolment for the table and the CSV export."""
    version_lessons: dict[int, list] = {}
    for enrolment in (
        Enrolment.objects.current()
        .filter(course=course)
        .select_related("learner", "version", "credential")
        .prefetch_related("lessons")
        .order_by("-last_activity_at", "-enrolled_at")
    ):
        lessons = version_lessons.setdefault(enrolment.version_id, enrolment.version.lessons)
        progress = {p.lesson_key: p for p in enrolment.lessons.all()}
        yield {
            "enrolment": enrolment,
            "email": enrolment.learner.email,
            "name": enrolment.learner.name,
            "status": enrolment.get_status_display(),
            "version": enrolment.version.number,
            "lessons_done": sum(
                1 for lesson in lessons if (p := progress.get(lesson["key"])) and p.passed_at
            ),
            "lessons_total": len(lessons),
            "attempts": sum(p.attempts for p in progress.values()),
            "scores": [
                progress[lesson["key"]].best_score if lesson["key"] in progress else None
                for lesson in lessons
            ],
            "average_score": enrolment.average_score,
            "minutes": round(enrolment.time_spent_seconds / 60),
            "last_activity": enrolment.last_activity_at,
            "enrolled": enrolment.enrolled_at,
            "completed": enrolment.completed_at,
            "credential": enrolment.credential.uri if enrolment.credential else "",
            # quizzes this learner can no longer take (every attempt used, not passed): the educator may reset
            "blocked": [
                {"key": lesson["key"], "position": n}
                for n, lesson in enumerate(lessons, 1)
                if lesson["quiz"].get("max_attempts")
                and (p := progress.get(lesson["key"]))
                and not p.passed_at
                and p.attempts >= lesson["quiz"]["max_attempts"] + p.extra_attempts
            ],
        }


def renewal_link(credential) -> str | None:
    """Where the holder of ``credential`` renews it by taking a course again: the completion page of
    the published course that awards its achievement (the one they took, when they took one)."""
    courses = Course.objects.filter(achievement_id=credential.achievement_id).exclude(
        status=Course.Status.DRAFT
    )
    taken = courses.filter(enrolments__learner__email__iexact=credential.recipient_email).first()
    course = taken or courses.order_by("id").first()
    if course is None:
        return None
    page = "learning:complete" if taken else "learning:course"
    path = reverse(page, args=[credential.organization.slug, course.slug])
    return f"{settings.CREDSTACK_BASE_URL}{path}"
