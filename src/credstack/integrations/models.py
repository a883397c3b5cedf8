"""Inbound completion webhooks: an organization's receiving endpoints and every event they received.

- ``InboundEndpoint``: a secret receiving URL (``/hooks/in/<token>``), a preset (the source platform), a
  mapping (where the learner's email, name, score, the achievement and the source's event id are in the
  payload), conditions (DataRule-shaped: path, operator, value, evaluated by ``credstack.awarding``) and an
  optional signing secret for sources that sign their deliveries.
- ``InboundEvent``: one delivery, stored with its outcome (issued / skipped / failed, and why), the
  credential issued and the raw payload. ``source_event_id`` is unique per endpoint, so a repeat of the
  same completion is harmless.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.ids import new_public_id
from credstack.organizations.fields import SealedTextField
from credstack.organizations.models import Organization


def new_token() -> str:
    """The secret part of the receiving URL: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class InboundEndpoint(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inbound_endpoints")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=120)
    # Sealed at rest (decision 0029): deterministically, so the receiving URL is still looked up by it.
    token = SealedTextField(unique=True, default=new_token, deterministic=True)
    preset = models.CharField(max_length=32, default="generic")
    # Fixed achievement, or None when the mapping names a payload path for it (``mapping["achievement"]``).
    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_endpoints"
    )
    # {"email", "name", "first_name", "last_name", "score", "event_id", "achievement"}: dotted paths.
    mapping = models.JSONField(default=dict, blank=True)
    # [{"path", "operator", "value"}]: every condition must hold for a credential to be issued.
    conditions = models.JSONField(default=list, blank=True)
    signing_secret = SealedTextField(blank=True)
    enabled = models.BooleanField(default=True)
    last_refused_at = models.DateTimeField(null=True, blank=True)
    last_refused_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/hooks/in/{self.token}"


class InboundEvent(models.Model):
    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        ISSUED = "issued", pgettext_lazy("what happened", "Issued")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(InboundEndpoint, on_delete=models.CASCADE, related_name="events")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # The source's own id for the event (or "sha256:<body digest>" when the payload carries none).
    source_event_id = models.CharField(max_length=200)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.RECEIVED, db_index=True
    )
    reason = models.TextField(blank=True)
    recipient_email = models.CharField(max_length=254, blank=True)
    recipient_name = models.CharField(max_length=500, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.CharField(max_length=100, blank=True)
    payload = models.TextField()  # the raw body as received (at most MAX_BODY_BYTES)
    attempts = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "source_event_id"], name="unique_inbound_event_per_endpoint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.source_event_id} {self.outcome}"
