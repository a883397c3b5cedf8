"""A course's checks before it is published, publishing (a version learners take), closing and reopening."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credstack.awarding.actions import ensure_course_requirement
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor

from .. import content
from ..models import RECOMMENDED_LESSONS, Course, CourseVersion


def lesson_count_warning(count: int) -> str | None:
    low, high = RECOMMENDED_LESSONS
    if count < low:
        return ngettext(
            "This course has %(count)d lesson; micro-courses work best with %(low)d to %(high)d.",
            "This course has %(count)d lessons; micro-courses work best with %(low)d to %(high)d.",
            count,
        ) % {"count": count, "low": low, "high": high}
    if count > high:
        return _(
            "This course has %(count)d lessons; micro-courses work best with %(low)d to %(high)d. "
            "Consider splitting it."
        ) % {"count": count, "low": low, "high": high}
    return None


def publish_problems(course: Course) -> list[str]:
    """What stops the course from being published, one sentence each (empty: ready)."""
    problems = []
    lessons = list(course.lessons.prefetch_related("questions"))
    if not lessons:
        problems.append(_("Add at least one lesson."))
    if course.achievement_id is None:
        problems.append(_("Choose the achievement the course awards."))
    for n, lesson in enumerate(lessons, 1):
        questions = list(lesson.questions.all())
        if not questions:
            problems.append(
                _("Lesson %(n)d (%(title)s): add at least one quiz question.")
                % {"n": n, "title": lesson.title}
            )
        if lesson.draw_count and lesson.draw_count > len(questions):
            problems.append(
                _("Lesson %(n)d (%(title)s): draws %(draw)d questions but the bank has %(bank)d.")
                % {"n": n, "title": lesson.title, "draw": lesson.draw_count, "bank": len(questions)}
            )
    return problems


def snapshot(course: Course) -> dict:
    lessons = []
    for lesson in course.lessons.prefetch_related("questions", "attachments"):
        files = {a.name: a.url for a in lesson.attachments.all()}
        lessons.append(
            {
                "key": lesson.key,
                "title": lesson.title,
                "html": content.render_markdown(lesson.body, files),
                "minutes": lesson.estimated_minutes,
                "attachments": [
                    {"name": a.name, "url": a.url, "size": a.size} for a in lesson.attachments.all()
                ],
                "quiz": {
                    "pass_mark": lesson.pass_mark,
                    "max_attempts": lesson.max_attempts,
                    "shuffle_questions": lesson.shuffle_questions,
                    "shuffle_answers": lesson.shuffle_answers,
                    "draw": lesson.draw_count or None,
                    "questions": [
                        {
                            "key": q.key,
                            "kind": q.kind,
                            "prompt": q.prompt,
                            "choices": q.choices,
                            "answers": q.answers,
                            "match": q.match,
                            "feedback_correct": q.feedback_correct,
                            "feedback_incorrect": q.feedback_incorrect,
                        }
                        for q in lesson.questions.all()
                    ],
                },
            }
        )
    return {
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "min_average_score": course.min_average_score,
        "lessons": lessons,
    }


def publish_course(course: Course, *, actor: Actor | None = None) -> CourseVersion:
    """Freeze the draft into a new immutable version; new enrolments get it, current ones keep theirs.
    ``actor``: who publishes (an ``Actor`` or a user; the system when None)."""
    who = as_actor(actor)
    problems = publish_problems(course)
    if problems:
        raise ValidationError({"course": problems})
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = CourseVersion.objects.create(
            course=locked,
            number=number,
            content=snapshot(locked),
            published_by=who.user_or_none,
        )
        if locked.status != Course.Status.CLOSED:  # a closed course stays closed to new learners
            locked.status = Course.Status.PUBLISHED
        locked.has_unpublished_changes = False
        locked.save(update_fields=["status", "has_unpublished_changes", "updated_at"])
        ensure_course_requirement(locked)
        audit.record(
            locked.organization,
            who,
            "course.published",
            locked.public_id,
            f"version {number}: {locked.title}",
        )
    course.status, course.has_unpublished_changes = locked.status, False
    return version


def _move_status(course: Course, frm: str, to: str, refusal: str, actor, event: str) -> Course:
    if course.status != frm:
        raise ValidationError({"course": [refusal]})
    with transaction.atomic():
        Course.objects.filter(pk=course.pk, status=frm).update(status=to, updated_at=timezone.now())
        audit.record(course.organization, as_actor(actor), event, course.public_id, course.title)
    course.refresh_from_db(fields=["status", "updated_at"])
    return course


def close_course(course: Course, *, actor: Actor | None = None) -> Course:
    """Stop new enrolments and invitations; learners already enrolled keep going and still earn it."""
    return _move_status(
        course,
        Course.Status.PUBLISHED,
        Course.Status.CLOSED,
        "only a published course can be closed to new learners",
        actor,
        "course.closed",
    )


def reopen_course(course: Course, *, actor: Actor | None = None) -> Course:
    """Open a closed course to new learners again, on its latest published version."""
    return _move_status(
        course,
        Course.Status.CLOSED,
        Course.Status.PUBLISHED,
        "the course is not closed",
        actor,
        "course.reopened",
    )
