from __future__ import annotations

import uuid

from django.db import models


class Statement(models.Model):
    """An xAPI statement waiting for (or delivered to) the configured LRS."""

    statement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    verb = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "next_try_at"], name="xapi_pending")]

    def __str__(self) -> str:
        return f"{self.verb} {self.statement_id}"
