from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from credstack.render import check_design

from .models import Design, DesignAsset, DesignVersion
from .queries import brand_assets, version_assets


def upload_asset(organization, *, kind: str, filename: str, content_type: str, data: bytes) -> DesignAsset:
    """Store an uploaded image/PDF (already checked by workspace.uploads)."""
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


@transaction.atomic
def save_version(design: Design, data: dict, assets: dict[str, str], *, actor=None) -> DesignVersion:
    """Freeze a new version (versions never change) and make it the design's current one.

    ``assets``: asset name used in ``data`` -> DesignAsset.public_id of the same organization."""
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
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    design.current = version
    design.save(update_fields=["current", "updated_at"])
    return version


@transaction.atomic
def create_design(organization, *, name: str, data: dict, assets: dict | None = None, actor=None) -> Design:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "is required"})
    design = Design.objects.create(organization=organization, name=name[:200])
    save_version(design, data, assets or {}, actor=actor)
    design.refresh_from_db()
    return design


__all__ = ["version_assets"]
