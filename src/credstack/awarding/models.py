"""The rules engine's tables, after Open edX Credentials' badge rules.

- ``Requirement``: one thing a learner must do for an achievement, as an event type (``course.completed``
  for a course, or an integration's event type), optionally tied to a course.
- ``DataRule``: a condition on the event's data (``average_score >= 80``); all of a requirement's rules
  must hold.
- ``Progress``: a learner (by email) on the way to an achievement; ``credential`` once awarded.
- ``Fulfillment``: a requirement met by that learner (unique: met once, whatever the repeats).

An achievement is awarded when every one of its requirements is fulfilled.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.organizations.models import Organization

COURSE_COMPLETED = "course.completed"


class Requirement(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="requirements")
    event_type = models.CharField(max_length=100)
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="requirements"
    )
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "event_type", "course"], name="unique_requirement_per_course"
            ),
        ]

    def __str__(self) -> str:
        return self.description or f"{self.event_type} for {self.achievement}"


class DataRule(models.Model):
    class Operator(models.TextChoices):
        EQ = "eq", "="
        NE = "ne", "≠"
        GTE = "gte", "≥"
        GT = "gt", ">"
        LTE = "lte", "≤"
        LT = "lt", "<"
        IN = "in", _("is one of")
        EXISTS = "exists", _("is present")

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="rules")
    # A dotted path into the event's data: "average_score", "result.status".
    data_path = models.CharField(max_length=200)
    operator = models.CharField(max_length=8, choices=Operator.choices, default=Operator.EQ)
    value = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.data_path} {self.get_operator_display()} {self.value!r}"


class Progress(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="award_progress")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["achievement", "email"], name="unique_award_progress")]
        verbose_name_plural = "progress"

    def __str__(self) -> str:
        return f"{self.email} → {self.achievement}"


class Fulfillment(models.Model):
    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="fulfillments")
    requirement = models.ForeignKey(Requirement, null=True, on_delete=models.CASCADE, related_name="+")
    # The event that met it (the first one; repeats change nothing).
    event_type = models.CharField(max_length=100)
    event_id = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    fulfilled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["progress", "requirement"], name="unique_fulfillment"),
            models.UniqueConstraint(
                fields=["progress", "event_type"],
                condition=models.Q(requirement__isnull=True),
                name="unique_implicit_fulfillment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.progress} — {self.event_type}"
