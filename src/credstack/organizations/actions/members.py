"""Members and invitations: a member invited (the email an outbox effect, sent by
``tasks.send_invitation_email``), an invitation withdrawn or accepted, a member's role changed, a member
removed. Only an owner changes or makes an owner; an organization keeps at least one owner."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credstack.outbox import actions as outbox

from .. import audit
from ..actors import Actor
from ..models import Invitation, Membership, Organization, Role
from ..rules import NotAllowed, require_role
from ..tasks import send_invitation_email

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
