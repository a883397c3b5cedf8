"""OAuth 2.0 for the Open Badges 3.0 API: registered clients, authorization codes, tokens.

Secrets, codes and tokens are stored as SHA-256 hashes only (they are 256-bit random values).
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils.translation import gettext_noop

from credstack.portal.models import Account

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
SCOPES = {
    SCOPE_PREFIX + "credential.readonly": gettext_noop("See your credentials"),
    SCOPE_PREFIX + "credential.upsert": gettext_noop("Add credentials to your account"),
    SCOPE_PREFIX + "profile.readonly": gettext_noop("See your profile (name and email addresses)"),
    SCOPE_PREFIX + "profile.update": gettext_noop("Change your profile"),
}
# offline_access (OpenID Connect) appears in the OB 3.0 spec's own registration example; refresh tokens
# are issued either way, so it is accepted and granted without a consent line of its own.
OFFLINE_ACCESS = "offline_access"
SUPPORTED_SCOPES = (*SCOPES, OFFLINE_ACCESS)


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
    contacts = models.JSONField(default=list, blank=True)
    token_endpoint_auth_method = models.CharField(max_length=40, default="client_secret_basic")
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


class HeldCredential(models.Model):
    """A credential a client put in the holder's account with upsertCredential (POST /credentials).

    Keyed by the credential's own ``id``: posting the same id again replaces the stored document."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="held_credentials")
    credential_id = models.TextField()
    id_hash = models.CharField(max_length=64)  # digest(credential_id): ids may be longer than an index allows
    document = models.JSONField()
    compact_jws = models.TextField(blank=True)  # when it came as a VC-JWT (text/plain)
    issued_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    client = models.ForeignKey(
        OAuthClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "id_hash"], name="held_credential_unique_id")
        ]

    def __str__(self) -> str:
        return self.credential_id


class HolderProfile(models.Model):
    """What a client wrote with putProfile (PUT /profile): the Profile properties the holder may set."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="ob3_profile")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.account_id}"
