"""LTI 1.3: the LMS platforms an organization registered credstack with, and where grades go back.

The tool's RSA private key is sealed like the signing keys (organizations/sealing.py); pylti1p3's own
config models would keep it in clear, which is why credstack has its own (docs/decisions/0013).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models

from credstack.ids import new_public_id
from credstack.organizations.models import Organization
from credstack.organizations.sealing import unseal


class LtiPlatform(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="lti_platforms")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200)
    issuer = models.CharField(
        max_length=500, help_text="the platform's issuer (iss), e.g. https://moodle.example"
    )
    client_id = models.CharField(max_length=200)
    deployment_ids = models.JSONField(default=list)
    auth_login_url = models.URLField(max_length=1000)
    auth_token_url = models.URLField(max_length=1000)
    auth_audience = models.CharField(max_length=500, blank=True)
    key_set_url = models.URLField(max_length=1000, blank=True)
    key_set = models.TextField(
        blank=True, help_text="the platform's public JWKS, when not fetched from a URL"
    )
    default_course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tool_kid = models.CharField(max_length=64)
    tool_public_pem = models.TextField()
    sealed_tool_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="unique_lti_registration")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"

    def tool_private_pem(self) -> str:
        return unseal(bytes(self.sealed_tool_private_key), f"lti:{self.public_id}").decode()

    @property
    def launch_url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/lti/launch"

    @property
    def login_url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/lti/login"

    @property
    def jwks_url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/lti/jwks"

    def platform_key_set(self) -> dict | None:
        return json.loads(self.key_set) if self.key_set else None


class LtiGradeTarget(models.Model):
    """Where the grade for an LTI-launched enrolment goes back (Assignment and Grade Services)."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="grade_targets")
    enrolment = models.OneToOneField("learning.Enrolment", on_delete=models.CASCADE, related_name="lti_grade")
    user_sub = models.CharField(max_length=255)
    ags = models.JSONField(help_text="the launch's AGS endpoint claim")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"grade for {self.enrolment_id} to {self.platform}"
