from __future__ import annotations

import secrets

from allauth.socialaccount.models import SocialApp
from django.db import models
from django.db.models import Q

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


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Domain(models.Model):
    """An email domain whose addresses sign in through an organization's IdP, once the organization has
    proved it controls the domain: a DNS TXT record ``_credstack-sso.<domain>`` holding ``record_value``
    (decision 0062). Until then (``verified_at`` empty) it routes no sign-in. Several organizations may
    claim a domain; one only can hold it verified. An IdP may sign in addresses of its own organization's
    verified domains only."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    token = models.CharField(max_length=64, default=new_token, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "domain"], name="sso_domain_once_per_connection"),
            models.UniqueConstraint(
                fields=["domain"], condition=Q(verified_at__isnull=False), name="sso_domain_verified_once"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def record_name(self) -> str:
        return f"{RECORD_PREFIX}.{self.domain}"

    @property
    def record_value(self) -> str:
        return f"credstack-sso-verification={self.token}"


RECORD_PREFIX = "_credstack-sso"
