"""Every write to a certificate design: uploads, versions, names; each leaves an audit row."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.render import check_design

from . import editor
from .models import Design, DesignAsset, DesignVersion
from .queries import brand_assets, version_assets


def upload_asset(organization, *, kind: str, filename: str, content_type: str, data: bytes) -> DesignAsset:
    """Store an uploaded image/PDF (already checked by credstack.ui.uploads)."""
    digest = hashlib.sha256(data).hexdigest()
    existing = DesignAsset.objects.filter(organization=organization, sha256=digest, kind=kind).first()
    if existing:
        return existing
    return DesignAsset.objects.create(
        organization=organization,
        kind=kind,
        filename=filename[:200],
        content_type=content_type,
        sha256=digest,
        data=data,
    )


def _new_version(design: Design, data: dict, assets: dict[str, str], who: Actor) -> DesignVersion:
    org = design.organization
    rows = {
        a.public_id: a
        for a in DesignAsset.objects.filter(organization=org, public_id__in=list(assets.values()))
    }
    for name, pid in assets.items():
        if pid not in rows:
            raise ValidationError({"assets": f"{name}: no such uploaded file in this organization"})
    blobs = brand_assets(org)
    blobs.update({name: bytes(rows[pid].data) for name, pid in assets.items()})
    try:
        check_design(data, blobs)
    except ValueError as exc:
        raise ValidationError({"design": getattr(exc, "errors", [str(exc)])})
    design = Design.objects.select_for_update().get(pk=design.pk)
    last = design.versions.order_by("-number").first()
    if last and last.data == data and last.assets == assets:
        return last
    version = DesignVersion.objects.create(
        design=design,
        number=(last.number + 1) if last else 1,
        data=data,
        assets=assets,
        created_by=who.user_or_none,
    )
    design.current = version
    design.save(update_fields=["current", "updated_at"])
    return version


@transaction.atomic
def save_version(
    design: Design, data: dict, assets: dict[str, str], *, name: str = "", actor: Actor | None = None
) -> DesignVersion:
    """Freeze a new version (versions never change) and make it the design's current one; rename the
    design when ``name`` is given and differs.

    ``assets``: asset name used in ``data`` -> DesignAsset.public_id of the same organization."""
    who = as_actor(actor)
    version = _new_version(design, data, assets, who)
    name = (name or "").strip()[:200]
    if name and name != design.name:
        Design.objects.filter(pk=design.pk).update(name=name)
        design.name = name
    audit.record(design.organization, who, "design.saved", design.public_id, f"version {version.number}")
    return version


@transaction.atomic
def create_design(
    organization, *, name: str, data: dict, assets: dict | None = None, actor: Actor | None = None
) -> Design:
    who = as_actor(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "is required"})
    design = Design.objects.create(organization=organization, name=name[:200])
    _new_version(design, data, assets or {}, who)
    design.refresh_from_db()
    audit.record(organization, who, "design.created", design.public_id, design.name)
    return design


@transaction.atomic
def replace_file(
    design: Design, *, role: str, filename: str, content_type: str, data: bytes, actor: Actor | None = None
) -> tuple[DesignAsset, DesignVersion]:
    """Make an uploaded file (already checked by credstack.ui.uploads) the design's background or
    signature, as a new version built from the current editor settings."""
    if role not in ("background", "signature"):
        raise ValidationError({"role": "choose what the file is for: background or signature"})
    who = as_actor(actor)
    asset = upload_asset(
        design.organization,
        kind=DesignAsset.Kind.BACKGROUND if role == "background" else DesignAsset.Kind.SIGNATURE,
        filename=filename,
        content_type=content_type,
        data=data,
    )
    current = design.current
    settings = {
        **editor.DEFAULTS,
        **((current.data.get("meta", {}) or {}).get("editor", {}) if current else {}),
    }
    if role == "background":
        settings["background"] = "pdf" if content_type == "application/pdf" else "image"
    else:
        settings["signature"] = True
    assets = dict(current.assets if current else {})
    assets[role] = asset.public_id
    version = _new_version(design, editor.build(settings, design.organization.brand_color), assets, who)
    audit.record(design.organization, who, f"design.{role}_uploaded", design.public_id, asset.filename)
    return asset, version


__all__ = ["version_assets"]
