"""Writes for organizations: the organization and its settings, its members and invitations, its
signing keys (and the platform's own key).

Each action takes an ``Actor``, checks the rule (``rules.py``), writes the audit row in its own
transaction and queues its side effects (the invitation email) to run after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credstack.outbox import actions as outbox
from credstack.vc import keys as vc_keys

from . import audit, languages, pdfsign
from .actors import Actor, as_actor
from .models import (
    Domain,
    Invitation,
    Membership,
    Organization,
    PdfSigning,
    Role,
    SigningKey,
    host_validator,
    pdf_seal_context,
    seal_context,
)
from .rules import NotAllowed, require_role
from .sealing import seal
from .tasks import send_invitation_email

__all__ = [
    "NotAllowed",
    "accept_invitation",
    "change_member_role",
    "create_organization",
    "invite_member",
    "remove_member",
    "rotate_key",
    "update_organization_settings",
    "withdraw_invitation",
]

log = logging.getLogger(__name__)


def _new_key(org: Organization | None, fragment: str) -> SigningKey:
    """A new active key of ``org`` (None: of the platform), sealed at rest."""
    key = vc_keys.Ed25519Key.generate()
    return SigningKey.objects.create(
        organization=org,
        fragment=fragment,
        public_multibase=key.public_multibase,
        sealed_private_key=seal(key.private_bytes(), seal_context(org.pk if org else None, fragment)),
        active=True,
    )


@transaction.atomic
def create_organization(
    *,
    slug: str,
    name: str,
    url: str = "",
    email: str = "",
    image_url: str = "",
    actor: Actor | None = None,
) -> Organization:
    """Create an organization with its first signing key.

    With an ``actor``, the creation is audited; a person who creates it becomes its first owner.
    """
    org = Organization(slug=slug, name=name, url=url, email=email, image_url=image_url)
    org.full_clean()
    org.save()
    _new_key(org, "key-1")
    if actor is not None:
        if actor.kind == "user":
            Membership.objects.create(organization=org, user=actor.user, role=Role.OWNER)
        audit.record(org, actor, "organization.created", org.slug)
    log.info("organization created: %s", slug)
    return org


@transaction.atomic
def rotate_key(
    org: Organization | None, *, actor: Actor | None = None, compromised: bool = False, reason: str = ""
) -> SigningKey:
    """Retire the active key of ``org`` (None: the platform's) and create a new one.

    The retired key stays in the DID document, so every credential it signed keeps verifying. An
    organization's rotation leaves an audit row (the platform's key belongs to no organization's log).

    ``compromised``: the retired key leaked (decision 0054). It is marked so and leaves the DID document:
    nothing it signed verifies any more. Signing again what it signed is the caller's job
    (``credstack.credentials.actions.rotate_compromised_key``), as is saying why (``reason``).
    """
    if compromised and org is None:
        raise ValueError("a compromised rotation is for an organization's key")
    if org is not None:
        org = Organization.objects.select_for_update().get(pk=org.pk)
    else:
        platform_key()
        list(SigningKey.objects.select_for_update().filter(organization=None, active=True))
    count = SigningKey.objects.filter(organization=org).count()
    now = timezone.now()
    if compromised:
        old = SigningKey.objects.get(organization=org, active=True)
        SigningKey.objects.filter(pk=old.pk).update(compromised_at=now)
        audit.record(org, actor, "organization.key_compromised", old.fragment, reason)
    SigningKey.objects.filter(organization=org, active=True).update(active=False, retired_at=now)
    # Numbered for people, unique for machines: a restored backup knows nothing of keys made after it,
    # so a counted id alone could name a new key like one that signed credentials since lost.
    key = _new_key(org, f"key-{count + 1}-{secrets.token_hex(3)}")
    if org is not None:
        audit.record(
            org, actor, "organization.key_rotated", key.fragment, f"{key.fragment} signs from now on"
        )
    log.info("signing key rotated: %s now signs with %s", org.slug if org else "the platform", key.fragment)
    return key


def active_key(org: Organization) -> SigningKey:
    """The key ``org`` signs with now; its ``organization`` is ``org`` itself (the caller's instance:
    what it knows of the organization's domain is what the key's controller DID is built from, with no
    second lookup of it)."""
    key = SigningKey.objects.get(organization=org, active=True)
    key.organization = org
    return key


def platform_key() -> SigningKey:
    """The platform's active key (it signs portfolio exports under the deployment's did:web), created on
    first use."""
    key = SigningKey.objects.filter(organization=None, active=True).first()
    if key:
        return key
    try:
        with transaction.atomic():
            return _new_key(None, "key-1")
    except IntegrityError:  # created concurrently
        return SigningKey.objects.get(organization=None, active=True)


# ---- settings --------------------------------------------------------------------------------------

SETTINGS_FIELDS = ("name", "url", "email", "brand_color", "show_powered_by", "language")
LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


def update_organization_settings(
    org: Organization, changes: dict, logo: tuple[str, bytes] | None, actor: Actor
) -> list[str]:
    """Change the issuer profile (``name``, ``url``, ``email``, ``brand_color``), the logo, and whether its
    pages and emails say "powered by credstack" (``show_powered_by``).

    ``logo`` is ``(content type, bytes)`` of an upload already checked by ``ui.uploads``.
    Returns the names of the fields that changed. Admins and owners only.
    """
    unknown = sorted(set(changes) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({k: _("this setting cannot be changed here") for k in unknown})
    if logo is not None and logo[0] not in LOGO_TYPES:
        raise ValidationError({"logo": _("a logo is a PNG, JPEG or SVG image")})
    if changes.get("language") and languages.supported(changes["language"]) != changes["language"]:
        raise ValidationError(
            {"language": _("credstack speaks %(languages)s") % {"languages": ", ".join(languages.codes())}}
        )
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change the organization's settings."))
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        changed = [k for k in SETTINGS_FIELDS if k in changes and getattr(org, k) != changes[k]]
        for k in changed:
            setattr(org, k, changes[k])
        if logo is not None:
            kind, blob = logo
            name = f"{org.slug}-{hashlib.sha256(blob).hexdigest()[:12]}.{LOGO_TYPES[kind]}"
            org.logo.save(name, ContentFile(blob), save=False)
            changed.append("logo")
        org.full_clean()
        org.save()
        audit.record(org, actor, "organization.updated", org.slug, ", ".join(changed))
    return changed


# ---- signed certificate PDFs (PAdES, decision 0052) ----------------------------------------------


def _keep_pdf_certificate(
    org: Organization, material: pdfsign.KeyMaterial, source: str, actor: Actor, what: str
) -> PdfSigning:
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change how certificates are signed."))
    with transaction.atomic():
        signing, _created = PdfSigning.objects.select_for_update().get_or_create(
            organization=org,
            defaults={
                "source": source,
                "sealed_private_key": b"",
                "certificate_pem": "",
                "subject": "",
                "fingerprint": "",
                "not_after": material.not_after,
            },
        )
        signing.source = source
        signing.sealed_private_key = seal(material.key_der, pdf_seal_context(org.pk))
        signing.certificate_pem = material.certificate_pem
        signing.chain_pem = material.chain_pem
        signing.subject = material.subject
        signing.fingerprint = material.fingerprint
        signing.not_after = material.not_after
        signing.save()
        audit.record(org, actor, what, material.fingerprint[:16], material.subject)
    return signing


def create_pdf_certificate(org: Organization, actor: Actor) -> PdfSigning:
    """Give the organization a certificate of its own for signing PDFs (replacing any before it)."""
    return _keep_pdf_certificate(
        org,
        pdfsign.create_certificate(org),
        PdfSigning.Source.CREATED,
        actor,
        "pdf_signing.certificate_created",
    )


def upload_pdf_certificate(org: Organization, data: bytes, password: str, actor: Actor) -> PdfSigning:
    """Use an uploaded PKCS#12 file (with its password) for signing PDFs. A file that cannot be used
    is refused with the reason (ValidationError on ``file``) and changes nothing."""
    try:
        material = pdfsign.read_pkcs12(data, password)
    except pdfsign.CertificateError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return _keep_pdf_certificate(
        org, material, PdfSigning.Source.UPLOADED, actor, "pdf_signing.certificate_uploaded"
    )


def update_pdf_signing(org: Organization, *, enabled: bool, tsa_url: str, actor: Actor) -> PdfSigning:
    """Turn signed PDFs on or off and set the time-stamping authority ("" for none)."""
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change how certificates are signed."))
    tsa_url = (tsa_url or "").strip()
    if tsa_url and not tsa_url.startswith(("https://", "http://")):
        raise ValidationError({"tsa_url": _("the time-stamping authority's address starts with https://")})
    with transaction.atomic():
        signing = PdfSigning.objects.select_for_update().filter(organization=org).first()
        if signing is None:
            raise ValidationError(
                {"enabled": _("upload a certificate or create one before turning signed PDFs on")}
            )
        signing.enabled = bool(enabled)
        signing.tsa_url = tsa_url
        signing.full_clean(exclude=["sealed_private_key"])
        signing.save(update_fields=["enabled", "tsa_url", "updated_at"])
        audit.record(
            org,
            actor,
            "pdf_signing.updated",
            signing.fingerprint[:16],
            f"{'on' if enabled else 'off'}{', timestamp ' + tsa_url if tsa_url else ''}",
        )
    return signing


# ---- the organization's own domain (decision 0049) --------------------------------------------------


def normalise_host(value: str) -> str:
    """``Certificates.Example.edu.`` -> ``certificates.example.edu``; a pasted URL gives its host name.
    Raises ValidationError with what is wrong (a port, a path, an IP address, the deployment's own name)."""
    host = (value or "").strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].rstrip(".")
    if not host:
        raise ValidationError({"host": _("Enter a host name such as certificates.example.edu.")})
    if ":" in host:
        raise ValidationError({"host": _("Give the host name alone, without a port: browsers use 443.")})
    if host.replace(".", "").isdigit():
        raise ValidationError({"host": _("Give a host name, not an IP address: certificates need a name.")})
    own = settings.CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    if host == own or host in settings.ALLOWED_HOSTS:
        raise ValidationError({"host": _("That is this deployment's own name: choose a name of your own.")})
    try:
        host_validator(host)
    except ValidationError as exc:
        raise ValidationError({"host": exc.messages})
    return host


def set_domain(org: Organization, host: str, did_web: bool, actor: Actor) -> Domain:
    """Use ``host`` for the organization's new credentials (links, QR codes; with ``did_web`` their issuer
    id ``did:web:<host>``). A previous domain is retired: still served, so its credentials keep working.
    A host another organization holds (or held) is refused. Admins and owners only."""
    host = normalise_host(host)
    actor = as_actor(actor)
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change the organization's domain."))
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        existing = Domain.objects.filter(host=host).first()
        if existing is not None and existing.organization_id != org.pk:
            raise ValidationError({"host": _("Another organization uses that host name.")})
        now = timezone.now()
        Domain.objects.filter(organization=org, retired_at__isnull=True).exclude(host=host).update(
            retired_at=now
        )
        if existing is None:
            domain = Domain(organization=org, host=host, did_web=did_web)
        else:
            domain = existing
            domain.did_web, domain.retired_at = did_web, None
        domain.full_clean()
        domain.save()
        audit.record(org, actor, "domain.set", host, "issuer did:web of the domain" if did_web else "")
    return domain


def retire_domain(org: Organization, actor: Actor) -> Domain | None:
    """Stop using the organization's domain for new credentials (they go back to the deployment's
    address). The host keeps serving what was issued under it, and stays reserved to the organization."""
    actor = as_actor(actor)
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change the organization's domain."))
    with transaction.atomic():
        domain = Domain.objects.select_for_update().filter(organization=org, retired_at__isnull=True).first()
        if domain is None:
            return None
        domain.retired_at = timezone.now()
        domain.save(update_fields=["retired_at"])
        audit.record(org, actor, "domain.retired", domain.host, "")
    return domain


# ---- members and invitations ---------------------------------------------------------------------

ONE_OWNER = gettext_lazy("An organization keeps at least one owner.")


def invite_member(org: Organization, email: str, role: str, actor: Actor) -> Invitation:
    """Invite someone by email; the email goes out after the commit (``tasks.send_invitation_email``).

    Owners and admins invite; only an owner invites an owner.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")})
    if role not in Role.values:
        raise ValidationError({"role": _("choose one of %(roles)s") % {"roles": ", ".join(Role.values)}})
    mine = require_role(org, actor, Role.ADMIN, _("Only owners and admins invite members."))
    if role == Role.OWNER and mine != Role.OWNER:
        raise NotAllowed(_("only an owner can invite another owner"), field="role")
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            token=secrets.token_urlsafe(32),
            invited_by=actor.user_or_none,
            expires_at=timezone.now() + timedelta(days=invitation_days()),
        )
        audit.record(org, actor, "member.invited", email, role)
        # the email: an effect of this transaction (decision 0036), sent even if this process dies now
        outbox.emit(
            INVITATION_EMAIL,
            {"invitation": invitation.pk, "inviter": actor.label},
            key=f"{INVITATION_EMAIL}:{invitation.pk}",
        )
    return invitation


def invitation_days() -> int:
    """How long an invitation stays valid: ``CREDSTACK_INVITATION_DAYS`` (default 7)."""
    return int(getattr(settings, "CREDSTACK_INVITATION_DAYS", 7))


INVITATION_CLOSED = {
    "accepted": gettext_lazy("This invitation was already used."),
    "withdrawn": gettext_lazy("This invitation was withdrawn. Ask the organization for a new one."),
    "expired": gettext_lazy("This invitation has expired. Ask the organization for a new one."),
}


def withdraw_invitation(invitation: Invitation, actor: Actor) -> Invitation:
    """Withdraw an invitation that was not accepted: its link stops working. Owners and admins withdraw;
    an owner's invitation only by an owner."""
    org = invitation.organization
    mine = require_role(org, actor, Role.ADMIN, _("Only owners and admins withdraw invitations."))
    if invitation.role == Role.OWNER and mine != Role.OWNER:
        raise NotAllowed(_("Only an owner can withdraw an owner's invitation."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in ("accepted", "withdrawn"):
            raise ValidationError(INVITATION_CLOSED[invitation.state])
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        audit.record(org, actor, "member.invitation_withdrawn", invitation.email, invitation.role)
    return invitation


INVITATION_EMAIL = "organizations.invitation_email"


def invitation_email_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``organizations.invitation_email``: the task is queued in the consumer's
    transaction, so once in effect (a second copy is possible only as decision 0031 says)."""
    send_invitation_email.enqueue(payload["invitation"], payload["inviter"])


def _owners_locked(org: Organization) -> int:
    """Lock the owners' rows (so two demotions at once cannot leave none) and count them."""
    return len(list(Membership.objects.select_for_update().filter(organization=org, role=Role.OWNER)))


def _check_may_change(org: Organization, membership: Membership, actor: Actor) -> str:
    mine = require_role(org, actor, Role.ADMIN, _("Only owners and admins change members."))
    if membership.role == Role.OWNER and mine != Role.OWNER:
        raise NotAllowed(_("Only an owner can change another owner."))
    return mine


def _who(membership: Membership) -> str:
    return membership.user.email or membership.user.username


def change_member_role(membership: Membership, role: str, actor: Actor) -> Membership:
    """Give a member another role. Only an owner changes an owner or makes one; one owner stays."""
    org = membership.organization
    mine = _check_may_change(org, membership, actor)
    if role not in Role.values or (role == Role.OWNER and mine != Role.OWNER):
        raise NotAllowed(_("That role cannot be given here."))
    with transaction.atomic():
        owners = _owners_locked(org)
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if membership.role == Role.OWNER and role != Role.OWNER and owners <= 1:
            raise ValidationError(ONE_OWNER)
        old = membership.role
        if old != role:
            membership.role = role
            membership.save(update_fields=["role"])
        audit.record(org, actor, "member.role_changed", _who(membership), f"{old} -> {role}")
    return membership


def remove_member(membership: Membership, actor: Actor) -> None:
    """Take someone out of the organization. Only an owner removes an owner; one owner stays."""
    org = membership.organization
    _check_may_change(org, membership, actor)
    with transaction.atomic():
        owners = _owners_locked(org)
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if membership.role == Role.OWNER and owners <= 1:
            raise ValidationError(ONE_OWNER)
        membership.delete()
        audit.record(org, actor, "member.removed", _who(membership))


def has_verified_email(user, email: str) -> bool:
    from allauth.account.models import EmailAddress  # accounts come with allauth; its models load late

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def accept_invitation(invitation: Invitation, user) -> Membership:
    """Join the organization with the invitation's role, signed in with its (verified) email address.

    A person who is already a member keeps the role they have. An invitation is used once, before it
    expires and unless it was withdrawn.
    """
    actor = Actor.for_user(user)
    if not has_verified_email(user, invitation.email):
        raise NotAllowed(
            _("Sign in with %(email)s (verified) to accept this invitation.") % {"email": invitation.email}
        )
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
        )
        if invitation.state != "pending":
            raise ValidationError(INVITATION_CLOSED[invitation.state])
        membership, _created = Membership.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(invitation.organization, actor, "member.joined", invitation.email, invitation.role)
    return membership
