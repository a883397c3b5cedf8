from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.db import models

from credstack.organizations.models import Organization, Role


class Connection(models.Model):
    """An organization's identity provider (one per organization). The protocol details (issuer, client id
    and secret; the SAML IdP's entity id, sign-in URL and certificate) live in ``app``, the allauth row its
    providers read; what credstack decides with them lives here."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso")
    protocol = models.CharField(max_length=4, choices=Protocol.choices)
    app = models.OneToOneField(SocialApp, on_delete=models.PROTECT, related_name="credstack_sso")
    # the role of a person the IdP signs in for the first time when no group of theirs maps to one
    default_role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    # the claim (OpenID) or attribute (SAML) that lists the person's groups; empty: no mapping
    groups_attribute = models.CharField(max_length=200, blank=True)
    # {"<group>": "<role>"}: the highest role of the person's groups wins (never "owner")
    role_map = models.JSONField(default=dict, blank=True)
    # members must sign in through the IdP (owners keep their password: the break-glass path)
    required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization.slug} ({self.protocol})"


class Domain(models.Model):
    """An email domain whose addresses sign in through an organization's IdP. A domain belongs to one
    organization; an IdP may sign in addresses of its own organization's domains only."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain
