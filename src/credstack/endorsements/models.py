from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class Target(models.TextChoices):
    ACHIEVEMENT = "achievement", _("an achievement")
    ISSUER = "issuer", _("the issuer")
    CREDENTIAL = "credential", _("one credential")


class EndorsementRequest(models.Model):
    """An issuer asks someone to endorse an achievement, the issuer itself, or one credential. The link
    (with a token, kept as a hash) works once, until ``expires_at``; the endorser needs no account."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="endorsement_requests"
    )
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    target = models.CharField(max_length=12, choices=Target.choices)
    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.TextField(blank=True)  # what the issuer says to the endorser
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"endorsement request {self.public_id} ({self.target})"


class Endorsement(models.Model):
    """A signed Open Badges 3.0 ``EndorsementCredential``, byte for byte as signed."""

    request = models.OneToOneField(EndorsementRequest, on_delete=models.CASCADE, related_name="endorsement")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="endorsements")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    target = models.CharField(max_length=12, choices=Target.choices)
    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    endorser_name = models.CharField(max_length=200)
    endorser_url = models.URLField(blank=True)
    comment = models.TextField()
    document = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # revoked by the issuer (decision 0062): no longer carried by new credentials, shown as revoked
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"endorsement by {self.endorser_name}"

    @property
    def uri(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/endorsements/{self.public_id}"
