from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.core.validators import RegexValidator as _Regex
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from credstack.vc import did as vc_did
from credstack.vc import keys as vc_keys

from .sealing import unseal

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", _("lowercase letters, digits and dashes")
)


class Organization(models.Model):
    """An issuer: a university's CE team, a training company, a professional body."""

    slug = models.SlugField(max_length=64, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    image_url = models.URLField(blank=True)
    # Brand: used by the issuer Profile, certificates, badges, emails and pages.
    brand_color = models.CharField(
        max_length=7, default="#1d3f6e", validators=[_Regex(r"^#[0-9a-fA-F]{6}$", "a colour like #1d3f6e")]
    )
    logo = models.FileField(upload_to="logos/", blank=True)
    # the footer of its learner pages and emails says "powered by credstack" (off: its brand alone)
    show_powered_by = models.BooleanField(default=True)
    # the language of its learner pages, emails and credentials (a code of settings.LANGUAGES); blank: the
    # viewer's own (credstack.organizations.languages)
    language = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def logo_url(self) -> str:
        """Absolute URL of the uploaded logo, or ''."""
        if not self.logo:
            return ""
        return f"{settings.CREDSTACK_BASE_URL}/orgs/{self.slug}/logo"

    @cached_property
    def domain(self) -> Domain | None:
        """The organization's own host name in use for new credentials, if it set one (decision 0049)."""
        if self.pk is None:
            return None
        return Domain.objects.filter(organization=self, retired_at__isnull=True).first()

    @property
    def public_origin(self) -> str:
        """Where new credentials of this organization live: its own domain, else the deployment."""
        return self.domain.origin if self.domain else settings.CREDSTACK_BASE_URL

    @property
    def path_did(self) -> str:
        """The did:web under the deployment's base URL (``did:web:host:orgs:slug``): it never changes, so
        what was signed under it keeps verifying whatever domain the organization uses later."""
        return vc_did.did_web_for(settings.CREDSTACK_BASE_URL, f"orgs/{self.slug}")

    @property
    def did(self) -> str:
        """The issuer id of new credentials: ``did:web`` of its own domain when it chose so, else the
        did:web under the deployment's base URL."""
        domain = self.domain
        return domain.did if domain is not None and domain.did_web else self.path_did

    def all_dids(self) -> list[str]:
        """Every DID the organization has signed under (or may have): its path DID and its domains'."""
        return [self.path_did, *(d.did for d in self.domains.all())]

    @property
    def did_document_url(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/orgs/{self.slug}/did.json"

    def profile(self) -> dict:
        """The Open Badges issuer Profile fields for this organization."""
        return {
            "id": self.did,
            "name": self.name,
            "url": self.url,
            "email": self.email,
            "image": self.logo_url or self.image_url,
        }


host_validator = RegexValidator(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    _(
        "a host name such as certificates.example.edu (letters, digits, dashes and dots; no scheme, port or "
        "path)"
    ),
)


class Domain(models.Model):
    """A host name of the organization's own (``certificates.example.edu``, a CNAME to the deployment).

    The active one (no ``retired_at``) carries the links and QR codes of new credentials and, with
    ``did_web``, their issuer id ``did:web:<host>``. A retired one is still served (its pages, its DID
    document) so that what was issued under it keeps working, and stays reserved to the organization.
    Decision 0049."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    host = models.CharField(max_length=253, unique=True, validators=[host_validator])
    did_web = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(retired_at__isnull=True), name="one_active_domain"
            )
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.host

    @property
    def origin(self) -> str:
        """``https://<host>`` (``CREDSTACK_CUSTOM_DOMAIN_ORIGIN`` sets the pattern, for tests on loopback)."""
        return settings.CREDSTACK_CUSTOM_DOMAIN_ORIGIN.format(host=self.host).rstrip("/")

    @property
    def did(self) -> str:
        return vc_did.did_web_for(self.origin)


def platform_did() -> str:
    """The deployment's own did:web (of its base URL): the owner of the platform's keys."""
    return vc_did.did_web_for(settings.CREDSTACK_BASE_URL)


class SigningKey(models.Model):
    """An Ed25519 key of an organization, or of the platform itself when ``organization`` is null (the
    platform key signs portfolio exports, CLR 2.0, under the deployment's did:web).

    Only the active key of an owner signs; retired ones stay published so what they signed keeps verifying.
    The private key is sealed at rest (:mod:`credstack.organizations.sealing`, decision 0003)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="keys"
    )
    fragment = models.CharField(max_length=32)
    public_multibase = models.CharField(max_length=64)
    sealed_private_key = models.BinaryField(editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A leaked key (decision 0054): out of the DID document, so nothing it signed verifies any more;
    # ``resigned_at``: when every credential it had signed was signed again by the key that replaced it.
    compromised_at = models.DateTimeField(null=True, blank=True)
    resigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "fragment"], name="unique_key_fragment"),
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(active=True), name="one_active_key_per_org"
            ),
            # NULL is distinct from NULL in a unique index: the platform's keys need their own constraints
            models.UniqueConstraint(
                fields=["fragment"],
                condition=models.Q(organization__isnull=True),
                name="unique_platform_key_fragment",
            ),
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True, organization__isnull=True),
                name="one_active_platform_signing_key",
            ),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        owner = self.organization.slug if self.organization_id else "platform"
        return f"{owner}#{self.fragment}"

    def __repr__(self) -> str:  # never show key material
        return f"<SigningKey {self}>"

    @property
    def is_platform(self) -> bool:
        return self.organization_id is None

    @property
    def controller(self) -> str:
        """The DID this key belongs to: the organization's, or the platform's."""
        return self.organization.did if self.organization_id else platform_did()

    @property
    def verification_method(self) -> str:
        return f"{self.controller}#{self.fragment}"

    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key (what a verifier resolves the verification method to)."""
        return vc_keys.public_key_from_multibase(self.public_multibase)

    def load(self) -> vc_keys.Ed25519Key:
        """Unseal the private key for signing (kept in memory only)."""
        seed = unseal(self.sealed_private_key, seal_context(self.organization_id, self.fragment))
        return vc_keys.Ed25519Key.from_private_bytes(seed)


def seal_context(organization_id: int | None, fragment: str) -> str:
    """What a sealed key is bound to: its owner and fragment (a blob copied onto another row does not
    open). The platform's keys keep the context they were sealed under before the models merged."""
    if organization_id is None:
        return f"platform:key:{fragment}"
    return f"org:{organization_id}:key:{fragment}"


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    ISSUER = "issuer", _("Issuer")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.ISSUER: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Membership(models.Model):
    """A person in an organization, with one role. One person may belong to several organizations."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization.slug} ({self.role})"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class Invitation(models.Model):
    """An invitation by email; accepting it (signed in with that email) creates the membership."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # valid until then (CREDSTACK_INVITATION_DAYS after it was sent); an admin may withdraw it before
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} -> {self.organization.slug}"

    @property
    def state(self) -> str:
        """``accepted``, ``withdrawn``, ``expired`` or ``pending``."""
        if self.accepted_at:
            return "accepted"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AuditEntry(models.Model):
    """Who did what, when: every change an action makes leaves one (organizations/audit.py)."""

    class ActorKind(models.TextChoices):
        USER = "user", _("Person")
        API_KEY = "api_key", _("API key")
        API = "api", _("OB 3.0 API client")
        CLI = "cli", _("Command line")
        SYSTEM = "system", _("System")

    # null: a change that belongs to no organization (a holder's own data, through the OB 3.0 API)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices, default=ActorKind.USER)
    actor_label = models.CharField(max_length=254, blank=True)  # kept if the user is deleted
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table keeps the name it had when the model lived in the workspace app (migration 0003).
        db_table = "workspace_auditentry"
        indexes = [models.Index(fields=["organization", "-at", "-id"], name="audit_org_recent")]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class PdfSigning(models.Model):
    """The organization's certificate for signing certificate PDFs (PAdES, decision 0052): uploaded
    as a PKCS#12 file or created by credstack. The private key is sealed at rest like the signing keys
    (:mod:`credstack.organizations.sealing`); signing itself is :mod:`credstack.organizations.pdfsign`."""

    class Source(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded PKCS#12")
        CREATED = "created", _("Created by credstack")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="pdf_signing")
    enabled = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    # PKCS#8 DER of the private key, sealed under the deployment's secret, bound to this organization
    sealed_private_key = models.BinaryField(editable=False)
    certificate_pem = models.TextField()  # the signer's certificate
    chain_pem = models.TextField(blank=True)  # intermediate certificates from the PKCS#12, if any
    subject = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the certificate (hex)
    not_after = models.DateTimeField()
    tsa_url = models.URLField(blank=True, max_length=500)  # RFC 3161 time-stamping authority
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization} PDF signing ({self.subject})"

    def private_key_der(self) -> bytes:
        return unseal(self.sealed_private_key, pdf_seal_context(self.organization_id))


def pdf_seal_context(organization_id: int) -> str:
    return f"pdf-signing:{organization_id}"
