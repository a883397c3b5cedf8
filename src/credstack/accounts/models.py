from __future__ import annotations

from django.conf import settings
from django.db import models


class Preferences(models.Model):
    """A workspace user's own settings: the language of the workspace (blank: the browser's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"preferences of {self.user}"
