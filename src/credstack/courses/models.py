"""Courses an educator builds: lessons (Markdown), a quiz after each, draft and published versions.

The editable draft lives in ``Course`` / ``Lesson`` / ``Question`` rows. Publishing freezes the draft
into an immutable ``CourseVersion`` (a JSON snapshot with the lessons' sanitised HTML); learners are
enrolled on a version and keep it while the educator edits and republishes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement
from credstack.ids import new_public_id
from credstack.organizations.models import Organization, slug_validator

RECOMMENDED_LESSONS = (4, 8)


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        # No new enrolments or invitations; enrolled learners finish (and earn the credential) as before.
        CLOSED = "closed", _("Closed to new learners")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="courses")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    slug = models.SlugField(max_length=64, validators=[slug_validator])
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    cover_image = models.ImageField(upload_to="courses/covers/", blank=True)
    estimated_hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # the language of the course and of its learner pages and emails (issue 17); blank: the organization's
    language = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text=_(
            "A language tag such as en, de or pt-BR; empty: the organization’s language for learners."
        ),
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, null=True, blank=True, related_name="courses"
    )
    # Awarding: the average quiz score (0-100) needed on top of passing every quiz; empty = none.
    min_average_score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Anyone with the link may enrol from the public page; otherwise by invitation only.
    open_enrolment = models.BooleanField(default=True)
    # Missed questions come back for review after these many days (empty list: no review).
    review_days = models.JSONField(default=list, blank=True)
    has_unpublished_changes = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="unique_course_slug")]
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/learn/{self.organization.slug}/{self.slug}"

    @property
    def latest_version(self) -> CourseVersion | None:
        return self.versions.order_by("-number").first()


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    # Stable across versions: progress, attempts and analytics refer to lessons by key.
    key = models.CharField(max_length=32, default=new_public_id, editable=False)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown")
    estimated_minutes = models.PositiveIntegerField(default=10)
    # The quiz after the lesson.
    pass_mark = models.PositiveSmallIntegerField(default=80, help_text="percent")
    max_attempts = models.PositiveSmallIntegerField(default=0, help_text="0 = unlimited")
    shuffle_questions = models.BooleanField(default=False)
    shuffle_answers = models.BooleanField(default=False)
    draw_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="ask N questions drawn from the bank; empty = all"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="unique_lesson_key")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "truefalse", _("True / false")
        TEXT = "text", _("Short text")

    class Match(models.TextChoices):
        EXACT = "exact", _("Exact (ignoring case and surrounding spaces)")
        PATTERN = "pattern", _("Pattern (regular expression)")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=32, default=new_public_id, editable=False)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    prompt = models.TextField()
    # [{"key": ..., "text": ..., "correct": bool}] for choice questions.
    choices = models.JSONField(default=list, blank=True)
    # Short text: the accepted answers (exact) or one pattern.
    answers = models.JSONField(default=list, blank=True)
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.EXACT)
    feedback_correct = models.TextField(blank=True)
    feedback_incorrect = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt[:60]


class Attachment(models.Model):
    """A file attached to a lesson (a PDF, an image used in the text, a worksheet)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    file = models.FileField(upload_to="courses/attachments/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"/learn/files/{self.public_id}/{self.name}"


class CourseVersion(models.Model):
    """An immutable published snapshot of a course; enrolments point here."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="unique_course_version")]
        ordering = ["course", "-number"]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"

    @property
    def lessons(self) -> list[dict]:
        return self.content["lessons"]

    def lesson(self, key: str) -> dict | None:
        return next((lesson for lesson in self.lessons if lesson["key"] == key), None)
