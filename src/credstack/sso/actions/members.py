"""What a sign-in through the identity provider does: just-in-time membership, roles from the IdP's groups
(the role map and the sign-in policy)."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from allauth.utils import generate_unique_username
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credstack.organizations import audit
from credstack.organizations.actors import Actor
from credstack.organizations.models import ROLE_RANK, Membership, Role

from ..models import Connection

MAPPABLE_ROLES = (Role.VIEWER, Role.ISSUER, Role.ADMIN)  # the IdP never makes an owner


def parse_role_map(text: str) -> dict[str, str]:
    """``group = role`` lines (or ``group: role``) into a table; a role that cannot be mapped is refused."""
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        sep = "=" if "=" in line else ":"
        group, _sep, role = line.rpartition(sep)
        group, role = group.strip(), role.strip().lower()
        if not group or role not in MAPPABLE_ROLES:
            raise ValidationError(
                {
                    "role_map": _(
                        "Line %(number)s: write “group = role”, the role one of viewer, issuer or admin."
                    )
                    % {"number": number}
                }
            )
        table[group] = role
    return table


@transaction.atomic
def set_policy(
    connection: Connection,
    *,
    default_role: str,
    groups_attribute: str,
    role_map: dict[str, str],
    required: bool,
    actor: Actor,
) -> Connection:
    if default_role not in MAPPABLE_ROLES:
        raise ValidationError({"default_role": _("The default role is viewer, issuer or admin.")})
    bad = [group for group, role in role_map.items() if role not in MAPPABLE_ROLES]
    if bad:
        raise ValidationError({"role_map": _("Groups map to viewer, issuer or admin only.")})
    groups_attribute = groups_attribute.strip()
    if role_map and not groups_attribute:
        raise ValidationError({"groups_attribute": _("Name the claim or attribute that lists the groups.")})
    connection.default_role = default_role
    connection.groups_attribute = groups_attribute
    connection.role_map = role_map
    connection.required = required
    connection.save(update_fields=["default_role", "groups_attribute", "role_map", "required", "updated_at"])
    audit.record(
        connection.organization,
        actor,
        "sso.policy_changed",
        target=connection.protocol,
        detail=(
            f"default role {default_role}; groups from {groups_attribute or '-'}: "
            f"{json.dumps(role_map, sort_keys=True)}; required {'yes' if required else 'no'}"
        ),
    )
    return connection


class SsoRefused(Exception):
    """A sign-in through an IdP that credstack refuses; the message says why, to the person."""


def mapped_role(connection: Connection, groups: list[str]) -> str | None:
    """The highest role the person's groups map to, or None when none maps."""
    roles = [connection.role_map[g] for g in groups if g in connection.role_map]
    return max(roles, key=lambda r: ROLE_RANK[r]) if roles else None


@transaction.atomic
def sign_in_member(connection: Connection, *, email: str, name: str, groups: list[str]):
    """What a workspace sign-in through the organization's IdP does, before allauth signs the user in:
    the user of the address (created just in time, its address verified: the IdP speaks for its
    domains), a membership (the mapped role or the default one), and the mapped role on later sign-ins.
    An owner's role is never changed by the IdP. An address that already has a credstack account but is
    not a member is refused: a new IdP does not take over someone's existing account."""
    organization = connection.organization
    User = get_user_model()
    actor = Actor.system(f"single sign-on ({connection.get_protocol_display()})")
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    user = address.user if address else User.objects.filter(email__iexact=email).first()
    role = mapped_role(connection, groups)
    if user is None:
        user = User(username=generate_unique_username([email.split("@")[0], "user"]), email=email)
        if name:
            first, _sp, last = name.partition(" ")
            user.first_name, user.last_name = first[:150], last[:150]
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        membership = Membership.objects.create(
            organization=organization, user=user, role=role or connection.default_role
        )
        audit.record(
            organization,
            actor,
            "sso.member_created",
            target=email,
            detail=f"role {membership.role}"
            + (f" from groups {', '.join(groups)}" if role else " (default)"),
        )
        return user
    current = Membership.objects.filter(organization=organization, user=user).first()
    if current is None:
        raise SsoRefused(
            _(
                "%(email)s already has a credstack account that is not a member of %(org)s. Ask an admin "
                "of %(org)s to invite it, then sign in through single sign-on again."
            )
            % {"email": email, "org": organization.name}
        )
    EmailAddress.objects.filter(user=user, email__iexact=email, verified=False).update(verified=True)
    if role and current.role != Role.OWNER and current.role != role:
        before = current.role
        current.role = role
        current.save(update_fields=["role"])
        audit.record(
            organization,
            actor,
            "sso.role_mapped",
            target=email,
            detail=f"{before} -> {role} from groups {', '.join(groups)}",
        )
    return user
