from __future__ import annotations

from datetime import datetime

from django.db import models

from credstack.ids import new_public_id
from credstack.organizations.fields import SealedTextField
from credstack.organizations.models import Organization

EVENT_TYPES = [
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
    "credential.reinstated",
    "credential.expired",
    "credential.expiry_changed",
    "credential.replaced",
    "credential.viewed",
    "credential.downloaded",
    "credential.shared",
    "pathway.completed",
    "course.completed",
]

# Sent only to one endpoint, by hand, from its page ("Send a test event"): never published, never retried.
TEST_EVENT = "webhook.test"

# "Redeliver all failed" takes the deliveries that failed within this many days.
REDELIVER_FAILED_DAYS = 3

# Retries follow the platform's one policy: credstack.retry.POLICY (decision 0026).


class WebhookEndpoint(models.Model):
    """A receiver URL of an organization, subscribed to some event types."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # "whsec_" + base64 of 32 random bytes, as Standard Webhooks defines; shown to the admin once.
    # Sealed at rest under the deployment secret (decision 0029).
    secret = SealedTextField(editable=False)
    # After a rotation the secret it replaced also signs every delivery (a second ``v1,`` signature)
    # until ``previous_secret_expires_at``, so receivers keep verifying while their operator switches.
    previous_secret = SealedTextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    event_types = models.JSONField(default=list, help_text="empty: every event")
    enabled = models.BooleanField(default=True)
    # Made by a REST Hooks subscription (``POST /api/v1/hooks``, as Zapier and Make do), not by an
    # administrator: removed by its unsubscribe call, or when the receiver answers 410 Gone.
    rest_hook = models.BooleanField(default=False, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def previous_secret_signs(self, now: datetime) -> bool:
        return bool(
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and self.previous_secret_expires_at > now
        )

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, then the previous one while its rotation window lasts."""
        if self.previous_secret_signs(now):
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookMessage(models.Model):
    """One event, with one ``webhook-id`` that every attempt to every endpoint repeats."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_messages")
    msg_id = models.CharField(max_length=40, unique=True)
    # the effect this message publishes (the outbox row's key, decision 0036): publishing it again, after
    # a crash or a retry, returns this message (the same webhook-id) instead of a second event
    event_key = models.CharField(max_length=255, unique=True, null=True, blank=True, editable=False)
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
    failed_at = models.DateTimeField(null=True, blank=True, help_text="when it was last given up on")
    # Put back in the queue by an administrator after it had failed: tried once, not retried, and a
    # failure leaves the endpoint on.
    requeued = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message"], name="one_delivery_per_endpoint")
        ]

    def __str__(self) -> str:
        return f"{self.message} -> {self.endpoint} ({self.state})"


class WebhookAttempt(models.Model):
    """One attempt to deliver a message to an endpoint: the delivery log, every attempt a row.

    Written (and committed) before the request goes out, completed when the answer comes back: an
    attempt whose sender died mid-way stays in the log with no answer, so a message that the receiver
    got twice, with its one webhook-id, shows two attempts."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()  # 1 for the first attempt of the delivery
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)  # None: no answer recorded (sender died)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
