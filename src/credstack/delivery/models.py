"""Credential emails: editable templates (per organization, per achievement) and what happened to each
message (sent, failed, opened, clicked)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class EmailTemplate(models.Model):
    """The issued-credential email of an organization (achievement empty) or of one achievement.

    Merge tags in the subject and body: ``{{ recipient_name }}``, ``{{ achievement_name }}``,
    ``{{ issuer_name }}``, ``{{ credential_url }}``, ``{{ issue_date }}``, ``{{ expiry_date }}``,
    ``{{ portal_url }}``. The body is plain text (paragraphs separated by blank lines); the HTML email
    wraps it in the organization's brand with the download buttons."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Credential issued")
        EXPIRY = "expiry", _("Expiry reminder")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="email_templates")
    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.CASCADE, related_name="email_templates"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ISSUED)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(achievement__isnull=True),
                name="one_org_email_template",
            ),
            models.UniqueConstraint(fields=["achievement", "kind"], name="one_achievement_email_template"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug} {self.kind} email" + (
            f" ({self.achievement})" if self.achievement else ""
        )


class Delivery(models.Model):
    """One email about one credential, and what became of it.

    Queued, then sent; or, after a transient failure (the mail server could not be reached, a 4xx
    reply), retrying on the platform's retry schedule (``credstack.retry``), with ``error`` telling why
    and ``next_attempt_at`` when; failed once a failure is permanent or the schedule is over."""

    class Kind(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("what happened", "Issued")
        RESEND = "resend", _("Resent")
        EXPIRY = "expiry", _("Expiry reminder")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="deliveries")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="deliveries")
    # the token in the tracking pixel's and links' URLs
    token = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ISSUED)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    to = models.EmailField(max_length=254)
    error = models.TextField(blank=True)  # why the last attempt failed
    attempts = models.PositiveSmallIntegerField(default=0)
    # when the next attempt is due (queued or retrying); also the lease of an attempt under way
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # one expiry reminder per credential, ever (the periodic job may run many times)
            models.UniqueConstraint(
                fields=["credential"], condition=models.Q(kind="expiry"), name="one_expiry_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email for {self.credential.public_id}: {self.state}"
