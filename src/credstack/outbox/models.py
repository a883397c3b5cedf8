from __future__ import annotations

from django.db import models


class OutboxEntry(models.Model):
    """One side effect of a committed change, for one consumer (``credstack.outbox.actions``).

    Written in the transaction of the change, so it exists if and only if the change committed; marked
    DONE in the transaction of the consumer's own writes, so the effect happens, in effect, once."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"  # the retry schedule is over; ``last_error`` says why

    kind = models.CharField(max_length=100)  # what happened: "credential.issued"
    consumer = models.CharField(max_length=100)  # who acts on it: "delivery.credential_email"
    payload = models.JSONField(default=dict)
    # unique: emitting the same effect twice (a retried action) stores it once
    key = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # due from then; a claimed row is pushed a lease ahead, so a dead dispatcher's row comes back
    next_attempt_at = models.DateTimeField()
    # who holds the row now (a random token per claim): only that holder may mark it done
    claim = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        verbose_name_plural = "outbox entries"

    def __str__(self) -> str:
        return f"{self.kind} -> {self.consumer} ({self.state})"
