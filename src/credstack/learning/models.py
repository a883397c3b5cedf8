"""Learners, their enrolments and everything tracked about their learning.

A learner is the *course profile* of a portal account (decision 0023): the account is the identity (its
verified addresses, its one sign-in for ``/me`` and ``/learn``, merging and deletion); the learner holds the
name, the enrolments, the progress and the address credentials go to (``email``, also the xAPI actor).
Learners invited by an educator have no account until they first sign in.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.courses.models import Course, CourseVersion
from credstack.credentials.models import Credential
from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class Learner(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    account = models.OneToOneField(
        "portal.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="learner"
    )
    # When two accounts merged, the other learner's enrolments moved here; the ones that could not (both
    # enrolled in the same course, this one with fewer completed lessons) stay on the old row, kept for
    # audit and pointing at the learner they were merged into.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_learners"
    )

    def __str__(self) -> str:
        return self.email


class LoginCode(models.Model):
    """The player's old sign-in codes. Unused since decision 0023 (the portal's codes sign in to both
    sites); kept one release for the outstanding ones, then dropped (step 5)."""

    email = models.EmailField(max_length=254, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_tries = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"code for {self.email}"


class EnrolmentQuerySet(models.QuerySet):
    def current(self):
        """Without the enrolments left detached when two learners' progress merged (kept for audit only,
        decision 0023): one row per person and course, for analytics and lists."""
        return self.filter(learner__merged_into__isnull=True)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    source = models.CharField(max_length=20, default="self")  # self, invitation
    # Review reminders by email (the learner can stop them from the email or the course page).
    review_emails = models.BooleanField(default=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    average_score = models.PositiveSmallIntegerField(null=True, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    award_status = models.CharField(max_length=40, blank=True)
    award_reasons = models.JSONField(default=list, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "learner"], name="unique_enrolment")]
        indexes = [models.Index(fields=["course", "status"], name="enrolment_course_status")]

    def __str__(self) -> str:
        return f"{self.learner} in {self.course}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons")
    lesson_key = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    opened_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts an educator granted on top of the quiz's limit (a reset); the attempts themselves are kept.
    extra_attempts = models.PositiveSmallIntegerField(default=0)
    time_spent_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson_key"], name="unique_lesson_progress")
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.enrolment} lesson {self.position}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    lesson_key = models.CharField(max_length=32)
    number = models.PositiveSmallIntegerField()
    # The questions drawn and the order shown: [{"key": q, "choices": [choice keys in order]}]
    layout = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson_key", "number"], name="unique_attempt_number"
            )
        ]
        ordering = ["enrolment", "lesson_key", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} on {self.lesson_key}"


class QuestionResponse(models.Model):
    """One answer to one question (analytics: the hardest questions; review of missed ones)."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="responses")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    question_key = models.CharField(max_length=32, db_index=True)
    correct = models.BooleanField()
    is_review = models.BooleanField(default=False)
    answered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.question_key}: {'right' if self.correct else 'wrong'}"


class ReviewItem(models.Model):
    """A missed question that comes back for review after some days (7, then 30 by default)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reviews")
    lesson_key = models.CharField(max_length=32)
    question_key = models.CharField(max_length=32)
    stage = models.PositiveSmallIntegerField(default=0)  # index into the course's review days
    due_at = models.DateTimeField(db_index=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "question_key", "stage"], name="unique_review_stage")
        ]

    def __str__(self) -> str:
        return f"review {self.question_key} (stage {self.stage})"
