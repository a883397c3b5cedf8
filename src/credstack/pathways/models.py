"""Pathways: an achievement awarded when a learner holds enough of its component achievements."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class Pathway(models.Model):
    class Rule(models.TextChoices):
        ALL = "all", _("All of the components")
        N_OF_M = "n_of_m", _("N of the components")

    class Policy(models.TextChoices):
        KEEP = "keep", _("Keep the pathway credential")
        SUSPEND = "suspend", _("Suspend the pathway credential")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pathways")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # The stacked achievement this pathway awards (one pathway per achievement).
    achievement = models.OneToOneField(Achievement, on_delete=models.PROTECT, related_name="pathway")
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.ALL)
    required_count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="N, for N of M")
    ordered = models.BooleanField(default=False, help_text="components must be earned in this order")
    window_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="the components must be earned within this many days"
    )
    # When a component credential is revoked (or suspended) and the pathway is no longer met.
    revocation_policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.SUSPEND)
    # CLR 2.0 Associations between the achievements (isPartOf, precedes), kept for the CLR export.
    associations = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.achievement.name

    @property
    def name(self) -> str:
        return self.achievement.name


class PathwayComponent(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="components")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="pathway_components")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "achievement"], name="unique_pathway_component")
        ]

    def __str__(self) -> str:
        return f"{self.pathway}: {self.achievement}"


class PathwayAward(models.Model):
    """A stacked credential and the component credentials it was awarded for."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="awards")
    email = models.EmailField(max_length=254)
    credential = models.OneToOneField(Credential, on_delete=models.CASCADE, related_name="pathway_award")
    components = models.ManyToManyField(Credential, related_name="stacked_into")
    suspended_by_policy = models.BooleanField(default=False)
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pathway", "email"], name="unique_pathway_award")]

    def __str__(self) -> str:
        return f"{self.pathway} for {self.email}"
