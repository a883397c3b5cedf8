"""The organization: created (with its first signing key and, made by a person, its first owner) and its
settings changed (the issuer profile, the logo, the language, "powered by credstack")."""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit, languages
from ..actors import Actor
from ..models import Membership, Organization, Role
from ..rules import require_role
from .keys import new_key

log = logging.getLogger(
    "credstack.organizations.actions"
)  # log lines keep the name they had before the split


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
    new_key(org, "key-1")
    if actor is not None:
        if actor.kind == "user":
            Membership.objects.create(organization=org, user=actor.user, role=Role.OWNER)
        audit.record(org, actor, "organization.created", org.slug)
    log.info("organization created: %s", slug)
    return org


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
