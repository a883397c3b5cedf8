"""Writes to a course's draft: the course itself, its lessons and questions, and their attachments."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from credstack.achievements.models import Achievement
from credstack.ids import new_public_id
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization

from .. import content
from ..models import Attachment, Course, Lesson, Question

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".py": "text/plain",
}
# What the first bytes of a file of each type look like: a file must be what its name says.
_MAGIC = {
    "application/pdf": [b"%PDF-"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/gif": [b"GIF87a", b"GIF89a"],
    "image/webp": [b"RIFF"],
    "application/zip": [b"PK\x03\x04", b"PK\x05\x06"],
    "video/webm": [b"\x1a\x45\xdf\xa3"],
}


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(has_unpublished_changes=True)
    course.has_unpublished_changes = True


@transaction.atomic
def create_course(
    *, organization: Organization, slug: str, title: str, actor: Actor | None = None, **fields
) -> Course:
    achievement = fields.get("achievement")
    if achievement is not None and achievement.organization_id != organization.pk:
        raise ValidationError({"achievement": _("belongs to another organization")})
    course = Course(organization=organization, slug=slug, title=title, **fields)
    course.full_clean()
    course.save()
    audit.record(organization, as_actor(actor), "course.created", course.public_id, course.title)
    return course


@transaction.atomic
def update_course(course: Course, *, actor: Actor | None = None, **fields) -> Course:
    achievement = fields.get("achievement")
    if isinstance(achievement, Achievement) and achievement.organization_id != course.organization_id:
        raise ValidationError({"achievement": _("belongs to another organization")})
    for name, value in fields.items():
        setattr(course, name, value)
    course.has_unpublished_changes = True
    course.full_clean()
    course.save()
    audit.record(course.organization, as_actor(actor), "course.updated", course.public_id, course.title)
    return course


def _record(course: Course, actor: Actor | None, action: str, detail: str) -> None:
    """The audit row of an editor change: the target is the course, the detail says what changed."""
    audit.record(course.organization, as_actor(actor), f"course.{action}", course.public_id, detail)


def _changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The names of the fields whose value changed, for an audit row ("nothing" when none did)."""
    names = [name for name in new if old.get(name) != new[name]]
    return ", ".join(names) if names else "nothing"


@transaction.atomic
def add_lesson(
    course: Course, *, title: str, body: str = "", actor: Actor | None = None, **fields: Any
) -> Lesson:
    position = (course.lessons.aggregate(m=Max("position"))["m"] or 0) + 1
    lesson = Lesson(course=course, title=title, body=body, position=position, **fields)
    lesson.full_clean()
    lesson.save()
    _touch(course)
    _record(course, actor, "lesson_added", f"lesson {position} “{lesson.title}”")
    return lesson


@transaction.atomic
def update_lesson(lesson: Lesson, *, actor: Actor | None = None, **fields: Any) -> Lesson:
    before = {name: getattr(lesson, name) for name in fields}
    for name, value in fields.items():
        setattr(lesson, name, value)
    if lesson.pass_mark > 100:
        raise ValidationError({"pass_mark": _("must be between 0 and 100")})
    if lesson.draw_count and lesson.draw_count > lesson.questions.count():
        raise ValidationError(
            {
                "draw_count": _("the bank has %(count)d questions; draw at most that many")
                % {"count": lesson.questions.count()}
            }
        )
    lesson.full_clean()
    lesson.save()
    _touch(lesson.course)
    _record(lesson.course, actor, "lesson_updated", f"lesson “{lesson.title}”: {_changed(before, fields)}")
    return lesson


@transaction.atomic
def delete_lesson(lesson: Lesson, *, actor: Actor | None = None) -> None:
    course = lesson.course
    title = lesson.title
    lesson.delete()
    _touch(course)
    _record(course, actor, "lesson_deleted", f"lesson “{title}”")


@transaction.atomic
def move_lesson(lesson: Lesson, direction: int, *, actor: Actor | None = None) -> bool:
    """Move the lesson one place up (-1) or down (1); False (and nothing written) at either end."""
    lessons = list(lesson.course.lessons.all())
    i = next(n for n, other in enumerate(lessons) if other.pk == lesson.pk)
    j = i + direction
    if not 0 <= j < len(lessons):
        return False
    lessons[i], lessons[j] = lessons[j], lessons[i]
    for n, other in enumerate(lessons, 1):
        Lesson.objects.filter(pk=other.pk).update(position=n)
    _touch(lesson.course)
    _record(lesson.course, actor, "lesson_moved", f"lesson “{lesson.title}” from {i + 1} to {j + 1}")
    return True


def _clean_question(kind: str, prompt: str, choices, answers, match: str) -> tuple[list, list]:
    errors: dict[str, str] = {}
    if not (prompt or "").strip():
        errors["prompt"] = _("is required")
    if kind not in Question.Kind.values:
        errors["kind"] = f"must be one of {', '.join(Question.Kind.values)}"
    clean_choices: list[dict] = []
    clean_answers: list[str] = []
    if kind == Question.Kind.TRUE_FALSE:
        truth = bool(answers and str(answers[0]).lower() in ("true", "1", "yes"))
        clean_choices = [
            {"key": "true", "text": "True", "correct": truth},
            {"key": "false", "text": "False", "correct": not truth},
        ]
    elif kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        for choice in choices or []:
            text = (choice.get("text") or "").strip()
            if text:
                clean_choices.append(
                    {
                        "key": choice.get("key") or new_public_id()[:8],
                        "text": text,
                        "correct": bool(choice.get("correct")),
                    }
                )
        right = sum(c["correct"] for c in clean_choices)
        if len(clean_choices) < 2:
            errors["choices"] = _("give at least two answers")
        elif right == 0:
            errors["choices"] = _("mark at least one answer as correct")
        elif kind == Question.Kind.SINGLE and right > 1:
            errors["choices"] = _("a single-choice question has exactly one correct answer")
    elif kind == Question.Kind.TEXT:
        clean_answers = [a.strip() for a in answers or [] if a and a.strip()]
        if not clean_answers:
            errors["answers"] = _("give the accepted answer (or a pattern)")
        elif match == Question.Match.PATTERN:
            try:
                content.check_pattern(clean_answers[0])
            except content.PatternError as exc:
                errors["answers"] = str(exc)
            clean_answers = clean_answers[:1]
    if errors:
        raise ValidationError(errors)
    return clean_choices, clean_answers


# What an update of a question may change (the audit row names those that did).
_QUESTION_FIELDS = ("kind", "prompt", "choices", "answers", "match", "feedback_correct", "feedback_incorrect")


@transaction.atomic
def add_question(
    lesson: Lesson,
    *,
    kind: str,
    prompt: str,
    choices=None,
    answers=None,
    match: str = "exact",
    feedback_correct: str = "",
    feedback_incorrect: str = "",
    actor: Actor | None = None,
) -> Question:
    clean_choices, clean_answers = _clean_question(kind, prompt, choices, answers, match)
    position = (lesson.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        lesson=lesson,
        kind=kind,
        prompt=prompt.strip(),
        choices=clean_choices,
        answers=clean_answers,
        match=match,
        feedback_correct=feedback_correct.strip(),
        feedback_incorrect=feedback_incorrect.strip(),
        position=position,
    )
    _touch(lesson.course)
    _record(lesson.course, actor, "question_added", f"question {position} of lesson “{lesson.title}”")
    return question


@transaction.atomic
def update_question(question: Question, *, actor: Actor | None = None, **fields: Any) -> Question:
    before = {name: getattr(question, name) for name in _QUESTION_FIELDS}
    kind = fields.get("kind", question.kind)
    choices = fields.get("choices", question.choices)
    answers = fields.get("answers", question.answers)
    if kind == Question.Kind.TRUE_FALSE and "answers" not in fields:
        answers = [next((c["key"] for c in question.choices if c["correct"]), "true")]
    match = fields.get("match", question.match)
    prompt = fields.get("prompt", question.prompt)
    question.choices, question.answers = _clean_question(kind, prompt, choices, answers, match)
    question.kind, question.prompt, question.match = kind, prompt.strip(), match
    question.feedback_correct = fields.get("feedback_correct", question.feedback_correct).strip()
    question.feedback_incorrect = fields.get("feedback_incorrect", question.feedback_incorrect).strip()
    question.save()
    lesson = question.lesson
    _touch(lesson.course)
    after = {name: getattr(question, name) for name in _QUESTION_FIELDS}
    _record(
        lesson.course,
        actor,
        "question_updated",
        f"question {question.position} of lesson “{lesson.title}”: {_changed(before, after)}",
    )
    return question


@transaction.atomic
def delete_question(question: Question, *, actor: Actor | None = None) -> None:
    lesson = question.lesson
    position = question.position
    question.delete()
    _touch(lesson.course)
    _record(lesson.course, actor, "question_deleted", f"question {position} of lesson “{lesson.title}”")


def add_attachment(lesson: Lesson, uploaded: UploadedFile, *, actor: Actor | None = None) -> Attachment:
    """Attach an uploaded file; refuses big files and files that are not what their name says."""
    name = (uploaded.name or "file").replace("/", "_").replace("\\", "_")[-150:]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    content_type = ATTACHMENT_TYPES.get(ext)
    if content_type is None:
        allowed = ", ".join(sorted(ATTACHMENT_TYPES))
        raise ValidationError(
            {
                "file": _("%(name)s: files of this type are not accepted (allowed: %(allowed)s)")
                % {"name": name, "allowed": allowed}
            }
        )
    size = uploaded.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size).1f MB; at most %(max)d MB")
                % {"name": name, "size": size / 1048576, "max": MAX_ATTACHMENT_BYTES // 1048576}
            }
        )
    head = uploaded.read(16)
    uploaded.seek(0)
    magic = _MAGIC.get(content_type)
    if magic and not any(head.startswith(m) for m in magic):
        raise ValidationError(
            {
                "file": _("%(name)s is not a %(kind)s file (its content says otherwise)")
                % {"name": name, "kind": ext[1:].upper()}
            }
        )
    if content_type.startswith("text/") and b"\x00" in uploaded.read(8192):
        raise ValidationError({"file": _("%(name)s is not a text file") % {"name": name}})
    uploaded.seek(0)
    with transaction.atomic():
        if lesson.attachments.filter(name=name).exists():
            raise ValidationError(
                {"file": _("this lesson already has a file named %(name)s") % {"name": name}}
            )
        attachment = Attachment(
            lesson=lesson,
            organization=lesson.course.organization,
            name=name,
            content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=size,
        )
        attachment.file.save(f"{attachment.public_id}{ext}", uploaded, save=False)
        attachment.save()
        _touch(lesson.course)
        _record(
            lesson.course,
            actor,
            "attachment_added",
            f"{name} ({attachment.size} bytes) on lesson “{lesson.title}”",
        )
    return attachment
