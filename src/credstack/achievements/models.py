from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.ids import new_public_id
from credstack.organizations.models import Organization, slug_validator

ACHIEVEMENT_TYPES = [
    ("Course", _("Course")),
    ("MicroCredential", _("Micro-credential")),
    ("Certificate", _("Certificate")),
    ("Badge", _("Badge")),
    ("Certification", _("Certification")),
    ("License", _("License")),
    ("Competency", _("Competency")),
    ("Achievement", _("Achievement")),
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
    credits = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    field_of_study = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47, e.g. en or pt-BR")
    # the name and description in other languages, shown to viewers in theirs on the credential page:
    # {"de": {"name": "...", "description": "..."}} (the credential itself carries the issuing language)
    translations = models.JSONField(default=dict, blank=True)
    badge_image = models.FileField(upload_to="badges/", blank=True)
    # The certificate design new credentials use (None: a built-in design in the brand).
    design = models.ForeignKey(
        "designs.Design", null=True, blank=True, on_delete=models.SET_NULL, related_name="achievements"
    )
    archived = models.BooleanField(default=False)
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

    @property
    def badge_url(self) -> str:
        """Absolute URL of the badge image (uploaded or generated from the brand)."""
        return f"{settings.CREDSTACK_BASE_URL}/a/{self.public_id}/badge" if self.badge_image else ""

    def extra_ob3(self) -> dict:
        """OB 3.0 Achievement terms beyond what ``vc.ob3.compose`` writes (added before signing)."""
        extra: dict = {}
        if self.credits is not None:
            extra["creditsAvailable"] = float(self.credits)
        if self.field_of_study:
            extra["fieldOfStudy"] = self.field_of_study
        if self.language:
            extra["inLanguage"] = self.language
        return extra

    def snapshot(self) -> dict:
        """Everything a version freezes."""
        return {
            **self.as_ob3(),
            "extra": self.extra_ob3(),
            "valid_for_months": self.valid_for_months,
        }

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
            "image": self.badge_url or self.image_url or None,
            "achievement_type": self.achievement_type,
            "tags": list(self.tags or []),
            "alignments": list(self.alignments or []),
        }


class AchievementVersion(models.Model):
    """A frozen copy of an achievement's fields. Editing an achievement that already has credentials
    starts a new version; every credential keeps the version it was issued with."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["achievement", "number"], name="unique_achievement_version")
        ]
        ordering = ["achievement", "number"]

    def __str__(self) -> str:
        return f"{self.achievement} v{self.number}"


class SkillFramework(models.Model):
    """A skills framework imported into an organization's workspace: a CASE package, the ESCO skills
    list, O*NET's content model. Achievements align to its skills (OB 3.0 ``alignment``)."""

    class Kind(models.TextChoices):
        CASE = "case", _("CASE package (JSON)")
        ESCO = "esco", _("ESCO skills (CSV)")
        ONET = "onet", _("O*NET content model (tab-separated)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="skill_frameworks")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "name"], name="unique_skill_framework")
        ]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """One skill (competency, CASE item) of a framework, with its code in that framework."""

    framework = models.ForeignKey(SkillFramework, on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(max_length=200)
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=2000)
    # lower-case name, code and description, for the search box (any script: casefold, not an index)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_skill_code")]

    def __str__(self) -> str:
        return self.name

    def alignment(self) -> dict:
        """This skill as an achievement's alignment (``credstack.vc.ob3`` writes the OB 3.0 Alignment)."""
        return {
            "name": self.name,
            "url": self.url,
            "framework": self.framework.name,
            "code": self.code,
            "type": TARGET_TYPES[self.framework.kind],
        }


# OB 3.0 Alignment.targetType for each kind of framework
TARGET_TYPES: dict[str, str] = {
    SkillFramework.Kind.CASE: "CFItem",
    SkillFramework.Kind.ESCO: "ceasn:Competency",
    SkillFramework.Kind.ONET: "ceasn:Competency",
}
