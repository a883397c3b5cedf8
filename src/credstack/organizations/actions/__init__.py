"""Writes for organizations: the organization and its settings, its members and invitations, its
signing keys (and the platform's own key).

Each action takes an ``Actor``, checks the rule (``rules.py``), writes the audit row in its own
transaction and queues its side effects (the invitation email) to run after the commit.

One module per concern; import the names from here (``credstack.organizations.actions``):

- ``organization``: an organization created, its settings changed;
- ``members``: members invited, invitations withdrawn and accepted, roles changed, members removed;
- ``keys``: signing keys made and rotated, the active key, the platform's key;
- ``domain``: the organization's own domain set and retired;
- ``pdf_signing``: the certificate that signs PDFs, created or uploaded; signed PDFs on or off.
"""

from ..rules import NotAllowed  # what the member actions raise; named here as before the split
from .domain import normalise_host, retire_domain, set_domain
from .keys import active_key, new_key, platform_key, rotate_key
from .members import (
    INVITATION_CLOSED,
    INVITATION_EMAIL,
    ONE_OWNER,
    accept_invitation,
    change_member_role,
    has_verified_email,
    invitation_days,
    invitation_email_effect,
    invite_member,
    remove_member,
    withdraw_invitation,
)
from .organization import LOGO_TYPES, SETTINGS_FIELDS, create_organization, update_organization_settings
from .pdf_signing import create_pdf_certificate, update_pdf_signing, upload_pdf_certificate

__all__ = [
    "INVITATION_CLOSED",
    "INVITATION_EMAIL",
    "LOGO_TYPES",
    "ONE_OWNER",
    "SETTINGS_FIELDS",
    "NotAllowed",
    "accept_invitation",
    "active_key",
    "change_member_role",
    "create_organization",
    "create_pdf_certificate",
    "has_verified_email",
    "invitation_days",
    "invitation_email_effect",
    "invite_member",
    "new_key",
    "normalise_host",
    "platform_key",
    "remove_member",
    "retire_domain",
    "rotate_key",
    "set_domain",
    "update_organization_settings",
    "update_pdf_signing",
    "upload_pdf_certificate",
    "withdraw_invitation",
]
