"""Reading designs. ``design_for_credential`` is the contract the PDF renderer relies on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from credstack.credentials.models import Credential
from credstack.render import builtin_design

from .models import DesignAsset, DesignVersion

DEFAULT_TEMPLATE = "classic"


def brand_design(org) -> dict:
    """The built-in design in the organization's brand (used when no design was chosen)."""
    return builtin_design(DEFAULT_TEMPLATE, color=org.brand_color, logo="logo" if org.logo else None)


def brand_assets(org) -> dict[str, bytes]:
    if not org.logo:
        return {}
    try:
        with org.logo.open("rb") as fh:
            return {"logo": fh.read()}
    except OSError:
        return {}


def asset_blobs(org, assets: dict[str, str]) -> dict[str, bytes]:
    """Brand assets plus the named uploads (asset name -> DesignAsset.public_id); ValidationError naming
    an upload that is not this organization's."""
    rows = {
        a.public_id: a
        for a in DesignAsset.objects.filter(organization=org, public_id__in=list(assets.values()))
    }
    for name, pid in assets.items():
        if pid not in rows:
            raise ValidationError(
                {"assets": _("%(name)s: no such uploaded file in this organization") % {"name": name}}
            )
    blobs = brand_assets(org)
    blobs.update({name: rows[pid].content() for name, pid in assets.items()})
    return blobs


def version_assets(version: DesignVersion) -> dict[str, bytes]:
    """The asset bytes a design version names (asset name -> bytes)."""
    ids = {public_id: name for name, public_id in (version.assets or {}).items()}
    rows = DesignAsset.objects.filter(
        organization_id=version.design.organization_id, public_id__in=list(ids)
    ).only("public_id", "file", "data")
    return {ids[row.public_id]: row.content() for row in rows}


def design_for_credential(credential) -> tuple[dict, dict]:
    """(design dict for credstack.render, assets name -> bytes) for the design version the credential
    was issued with; a built-in design in the organization's brand when it has none.

    Versions are immutable, so this gives the same certificate for the credential's whole life."""
    org = credential.organization
    version_id = getattr(credential, "design_version_id", None)
    if version_id:
        version = DesignVersion.objects.select_related("design").get(pk=version_id)
        assets = brand_assets(org)
        assets.update(version_assets(version))
        return dict(version.data), assets
    return brand_design(org), brand_assets(org)


def longest_recipient_name(org) -> str:
    """The longest name this organization ever issued to ('' if none): the hardest one to fit."""
    return (
        Credential.objects.filter(organization=org)
        .annotate(n=Length("recipient_name"))
        .order_by("-n")
        .values_list("recipient_name", flat=True)
        .first()
        or ""
    )
