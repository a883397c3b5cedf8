"""The recipient portal: accounts of learners (no password), their verified emails, one-time login codes.

The platform's own signing key (for the portfolio's CLR credential) is a
:class:`credstack.organizations.models.SigningKey` without an organization."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.ids import new_public_id


class Account(models.Model):
    """A learner. Signs in with a one-time code sent to any of its verified emails."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"account {self.public_id}"


class AccountEmail(models.Model):
    """A verified email of an account. An address belongs to at most one account (case-insensitive)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254)
    # lower-cased: the unique key and what credentials are matched on
    normalized = models.CharField(max_length=254, unique=True)
    verified_at = models.DateTimeField()

    class VerifiedBy(models.TextChoices):
        CODE = "code", _("a code sent to the address")
        LTI = "lti", _("an LMS launch (the LMS vouches for its user's address)")
        SSO = "sso", _("the organization's identity provider (single sign-on)")

    # how the address was proven; a code sent to it later upgrades "lti" to "code" (decision 0023)
    verified_by = models.CharField(max_length=8, choices=VerifiedBy.choices, default=VerifiedBy.CODE)

    class Meta:
        ordering = ["verified_at", "id"]

    def __str__(self) -> str:
        return self.email


class LoginCode(models.Model):
    """A one-time code: stored as an HMAC of the code, short-lived, single use, few attempts."""

    class Purpose(models.TextChoices):
        LOGIN = "login"
        ADD_EMAIL = "add_email"

    normalized_email = models.CharField(max_length=254, db_index=True)
    email = models.EmailField(max_length=254)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.LOGIN)
    # for ADD_EMAIL: the account the address will join
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.normalized_email} ({self.purpose})"


class Portfolio(models.Model):
    """A learner's public portfolio page (``/p/<slug>``): the credentials they picked, shown to anyone with
    the link once published. Private until published; withdrawing keeps the row (and the slug, which stays
    the learner's) so the address says the portfolio is no longer shared."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="portfolio")
    # lower-case letters, digits and single hyphens; unique; see ``actions.clean_portfolio_slug``
    slug = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=120, blank=True)  # the name shown at the top
    headline = models.CharField(max_length=200, blank=True)
    credentials = models.ManyToManyField("credentials.Credential", blank=True, related_name="+")
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"portfolio {self.slug}"

    @property
    def path(self) -> str:
        return f"/p/{self.slug}"
