from __future__ import annotations

from django.conf import settings
from django.db import models

from credstack.ids import new_public_id
from credstack.organizations.models import Organization, slug_validator

ACHIEVEMENT_TYPES = [
    ("Course", "Course"),
    ("MicroCredential", "Micro-credential"),
    ("Certificate", "Certificate"),
    ("Badge", "Badge"),
    ("Certification", "Certification"),
    ("License", "License"),
    ("Competency", "Competency"),
    ("Achievement", "Achievement"),
]


class Achievement(models.Model):
    """What a credential certifies: the Open Badges 3.0 ``Achievement``."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="achievements")
    slug = models.SlugField(max_length=64, validators=[slug_validator])
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField()
    criteria_narrative = models.TextField()
    criteria_url = models.URLField(blank=True)
    image_url = models.URLField(blank=True)
    achievement_type = models.CharField(max_length=40, choices=ACHIEVEMENT_TYPES, default="Course")
    tags = models.JSONField(default=list, blank=True)
    # [{"name": ..., "url": ..., "framework": ...}]
    alignments = models.JSONField(default=list, blank=True)
    valid_for_months = models.PositiveIntegerField(null=True, blank=True, help_text="empty: never expires")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_achievement_slug")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def uri(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/a/{self.public_id}"

    def as_ob3(self) -> dict:
        """The fields ``credstack.vc.ob3.compose`` takes for the achievement."""
        return {
            "id": self.uri,
            "name": self.name,
            "description": self.description,
            "criteria": {
                "narrative": self.criteria_narrative,
                **({"id": self.criteria_url} if self.criteria_url else {}),
            },
            "image": self.image_url or None,
            "achievement_type": self.achievement_type,
            "tags": list(self.tags or []),
            "alignments": list(self.alignments or []),
        }
