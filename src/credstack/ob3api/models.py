"""OAuth 2.0 for the Open Badges 3.0 API: registered clients, authorization codes, tokens.

Secrets, codes and tokens are stored as SHA-256 hashes only (they are 256-bit random values).
"""

from __future__ import annotations

import hashlib

from django.db import models

from credstack.portal.models import Account

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
SCOPES = {
    SCOPE_PREFIX + "credential.readonly": "See your credentials",
    SCOPE_PREFIX + "credential.upsert": "Add credentials to your account",
    SCOPE_PREFIX + "profile.readonly": "See your profile (name and email addresses)",
    SCOPE_PREFIX + "profile.update": "Change your profile",
}
SUPPORTED_SCOPES = (SCOPE_PREFIX + "credential.readonly", SCOPE_PREFIX + "profile.readonly")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class OAuthClient(models.Model):
    """A wallet or backpack registered through dynamic client registration (RFC 7591)."""

    client_id = models.CharField(max_length=64, unique=True)
    client_secret_hash = models.CharField(max_length=64)
    client_name = models.CharField(max_length=200)
    redirect_uris = models.JSONField(default=list)
    scopes = models.JSONField(default=list)
    client_uri = models.URLField(max_length=500, blank=True)
    logo_uri = models.URLField(max_length=500, blank=True)
    tos_uri = models.URLField(max_length=500, blank=True)
    policy_uri = models.URLField(max_length=500, blank=True)
    software_id = models.CharField(max_length=200, blank=True)
    software_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.client_name


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.URLField(max_length=2000)
    scopes = models.JSONField(default=list)
    code_challenge = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.client}"


class AccessToken(models.Model):
    access_hash = models.CharField(max_length=64, unique=True)
    # the authorization code it came from: a replayed code revokes what it produced (RFC 6749 4.1.2)
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    refresh_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="tokens")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token for {self.client}"
