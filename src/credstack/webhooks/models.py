from __future__ import annotations

from django.db import models

from credstack.ids import new_public_id
from credstack.organizations.models import Organization

EVENT_TYPES = [
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
    "credential.reinstated",
    "credential.expired",
    "credential.replaced",
    "credential.viewed",
    "credential.downloaded",
    "credential.shared",
    "pathway.completed",
    "course.completed",
]

# Sent only to one endpoint, by hand, from its page ("Send a test event"): never published, never retried.
TEST_EVENT = "webhook.test"

# Seconds after the first attempt fails: Standard Webhooks / Svix-style backoff, about three days.
RETRY_SCHEDULE = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
]


class WebhookEndpoint(models.Model):
    """A receiver URL of an organization, subscribed to some event types."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # "whsec_" + base64 of 32 random bytes, as Standard Webhooks defines; shown to the admin once.
    secret = models.CharField(max_length=80, editable=False)
    event_types = models.JSONField(default=list, help_text="empty: every event")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookMessage(models.Model):
    """One event, with one ``webhook-id`` that every attempt to every endpoint repeats."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_messages")
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.TextField()  # the exact body sent, so every retry is byte-identical
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # gave up (schedule exhausted or endpoint disabled)

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message"], name="one_delivery_per_endpoint")
        ]

    def __str__(self) -> str:
        return f"{self.message} -> {self.endpoint} ({self.state})"
