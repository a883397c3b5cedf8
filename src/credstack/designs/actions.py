"""Every write to a certificate design: uploads, versions, names; each leaves an audit row."""

from __future__ import annotations

import copy
import hashlib
import mimetypes

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.render import Problem, check_design, design_problems, page_size_mm

from . import editor
from .models import Design, DesignAsset, DesignVersion
from .problems import issue_text, problem_text
from .queries import asset_blobs, version_assets


def upload_asset(organization, *, kind: str, filename: str, content_type: str, data: bytes) -> DesignAsset:
    """Store an uploaded image/PDF (already checked by credstack.ui.uploads)."""
    digest = hashlib.sha256(data).hexdigest()
    existing = DesignAsset.objects.filter(organization=organization, sha256=digest, kind=kind).first()
    if existing:
        return existing
    asset = DesignAsset(
        organization=organization,
        kind=kind,
        filename=filename[:200],
        content_type=content_type,
        sha256=digest,
    )
    # into the file storage (S3 when configured), named by its content; the row is saved with the name
    extension = mimetypes.guess_extension(content_type) or ""
    asset.file.save(f"{organization.slug}/{digest[:32]}{extension}", ContentFile(data), save=True)
    return asset


def _new_version(design: Design, data: dict, assets: dict[str, str], who: Actor) -> DesignVersion:
    blobs = asset_blobs(design.organization, assets)
    try:
        check_design(data, blobs)
    except ValueError as exc:
        raise ValidationError({"design": [issue_text(m) for m in getattr(exc, "errors", [str(exc)])]})
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
        raise ValidationError({"name": _("is required")})
    design = Design.objects.create(organization=organization, name=name[:200])
    _new_version(design, data, assets or {}, who)
    design.refresh_from_db()
    audit.record(organization, who, "design.created", design.public_id, design.name)
    return design


UPLOAD_ROLES = ("background", "logo", "signature", "seal", "image")


def draft_problems(design: Design, data: dict, assets: dict[str, str]) -> list[Problem]:
    """What is wrong with a draft (each tied to its element and field), [] when it can be published."""
    try:
        blobs = asset_blobs(design.organization, assets)
    except ValidationError as exc:
        return [Problem(None, "assets", m) for m in exc.messages]
    return design_problems(data, blobs)


@transaction.atomic
def save_draft(design: Design, data: dict, assets: dict[str, str], *, actor: Actor | None = None) -> int:
    """Keep the designer's work in progress (nothing issued changes). A draft with problems is refused
    whole (ValidationError carrying the Problem list as ``.problems``) and changes nothing.
    Returns the draft's new revision number."""
    who = as_actor(actor)
    problems = draft_problems(design, data, assets)
    if problems:
        exc = ValidationError([problem_text(p) or p.message for p in problems])
        exc.problems = problems  # type: ignore[attr-defined]
        raise exc
    locked = Design.objects.select_for_update().get(pk=design.pk)
    if locked.draft_data == data and (locked.draft_assets or {}) == assets:
        return locked.draft_revision
    revision = locked.draft_revision + 1
    Design.objects.filter(pk=design.pk).update(draft_data=data, draft_assets=assets, draft_revision=revision)
    design.draft_data, design.draft_assets, design.draft_revision = data, assets, revision
    audit.record(design.organization, who, "design.draft_saved", design.public_id, f"revision {revision}")
    return revision


def _place_upload(
    data: dict, assets: dict[str, str], role: str, asset: DesignAsset, size: tuple[int, int]
) -> str:
    """Put an upload into a design: the background, or an image element (the template's logo or
    signature slot when it has one, else a new element in the middle of the page). Returns the asset
    name used."""
    if role == "background":
        data["background"] = {("pdf" if asset.content_type == "application/pdf" else "image"): "background"}
        assets["background"] = asset.public_id
        return "background"
    elements = data.setdefault("elements", [])
    slot = next((e for e in elements if e.get("type") == "image" and e.get("asset") == role), None)
    if role in ("logo", "signature") and slot is not None:
        assets[role] = asset.public_id
        return role
    n = 1
    while f"{role}-{n}" in assets:
        n += 1
    name = f"{role}-{n}"
    assets[name] = asset.public_id
    W, H = page_size_mm(data)  # type: ignore[arg-type]
    iw, ih = size
    w = min(60.0, W * 0.3) if role != "seal" else 32.0
    h = round(w * ih / iw, 1) if iw else w
    if h > H * 0.3:
        h = round(H * 0.3, 1)
        w = round(h * iw / ih, 1) if ih else h
    x, y = (W - w) / 2, (H - h) / 2
    line = next(
        (e for e in elements if e.get("type") == "line" and e.get("id") in ("signature-line", "issuer-line")),
        None,
    )
    if (
        role == "signature"
        and line is not None
        and all(isinstance(line[k], int | float) for k in ("x1", "x2", "y1"))
    ):
        # above the template's signature (or "issued by") line, no wider than it
        span = abs(line["x2"] - line["x1"])
        if w > span:
            w, h = span, round(h * span / w, 1)
        x, y = min(line["x1"], line["x2"]) + (span - w) / 2, line["y1"] - h - 8
    elements.append(
        {
            "type": "image",
            "id": name,
            "asset": name,
            "x": round(x, 1),
            "y": round(y, 1),
            "width": round(w, 1),
            "height": h,
        }
    )
    return name


@transaction.atomic
def upload_to_draft(
    design: Design,
    *,
    role: str,
    filename: str,
    content_type: str,
    data: bytes,
    size: tuple[int, int] = (0, 0),
    actor: Actor | None = None,
) -> tuple[DesignAsset, str, int]:
    """Store an uploaded file (already checked by credstack.ui.uploads) and put it into the design's
    draft, keeping every unpublished edit. Returns (asset, the asset's name in the design, the draft's
    new revision)."""
    if role not in UPLOAD_ROLES:
        raise ValidationError(
            {"role": _("choose what the file is: background, logo, signature, seal or image")}
        )
    if role != "background" and content_type == "application/pdf":
        raise ValidationError({"file": _("only a background may be a PDF: upload a PNG or JPEG image")})
    who = as_actor(actor)
    asset = upload_asset(
        design.organization,
        kind={"background": DesignAsset.Kind.BACKGROUND, "signature": DesignAsset.Kind.SIGNATURE}.get(
            role, DesignAsset.Kind.IMAGE
        ),
        filename=filename,
        content_type=content_type,
        data=data,
    )
    locked = Design.objects.select_for_update(of=("self",)).select_related("current").get(pk=design.pk)
    working, assets = locked.working_copy()
    working = copy.deepcopy(working)
    name = _place_upload(working, assets, role, asset, size)
    revision = save_draft(locked, working, assets, actor=who)
    design.draft_data, design.draft_assets, design.draft_revision = working, assets, revision
    audit.record(design.organization, who, f"design.{role}_uploaded", design.public_id, asset.filename)
    return asset, name, revision


@transaction.atomic
def publish(design: Design, *, name: str = "", actor: Actor | None = None) -> DesignVersion:
    """Freeze the draft into a new version (the one credentials issued from now on use)."""
    who = as_actor(actor)
    data, assets = design.working_copy()
    version = _new_version(design, data, assets, who)
    Design.objects.filter(pk=design.pk).update(draft_data=None, draft_assets={})
    design.draft_data, design.draft_assets = None, {}
    design.current = version
    name = (name or "").strip()[:200]
    if name and name != design.name:
        Design.objects.filter(pk=design.pk).update(name=name)
        design.name = name
    audit.record(design.organization, who, "design.published", design.public_id, f"version {version.number}")
    return version


@transaction.atomic
def restore_version(design: Design, number: int, *, actor: Actor | None = None) -> int:
    """Open an earlier version as the draft (publish it to use it again). Returns the draft revision."""
    who = as_actor(actor)
    version = design.versions.filter(number=number).first()
    if version is None:
        raise ValidationError({"version": _("this design has no version %(number)s") % {"number": number}})
    revision = save_draft(design, dict(version.data), dict(version.assets or {}), actor=who)
    audit.record(design.organization, who, "design.version_restored", design.public_id, f"version {number}")
    return revision


@transaction.atomic
def duplicate_design(design: Design, *, actor: Actor | None = None) -> Design:
    """A new design starting from this one as the designer shows it (its draft included)."""
    who = as_actor(actor)
    data, assets = design.working_copy()
    copy_ = create_design(
        design.organization, name=f"Copy of {design.name}"[:200], data=data, assets=assets, actor=who
    )
    audit.record(design.organization, who, "design.duplicated", copy_.public_id, design.public_id)
    return copy_


def page_for(width: float, height: float) -> tuple[str, str]:
    """The page (size, orientation) closest to a background of this shape: A4 is 1.414:1, Letter
    1.294:1."""
    if width <= 0 or height <= 0:
        return "A4", "landscape"
    ratio = max(width, height) / min(width, height)
    size = "Letter" if abs(ratio - 11 / 8.5) < abs(ratio - 2**0.5) else "A4"
    return size, "landscape" if width >= height else "portrait"


@transaction.atomic
def import_design(
    organization,
    *,
    name: str,
    filename: str,
    content_type: str,
    data: bytes,
    size: tuple[float, float],
    actor: Actor | None = None,
) -> Design:
    """A new design over an uploaded PDF (its first page) or image as the background: the page takes
    the file's shape, and the usual fields (name, achievement, date, issuer, QR code) are placed over
    it, ready to be moved where the artwork expects them. ``size``: the file's width and height (any
    unit)."""
    who = as_actor(actor)
    page_size, orientation = page_for(*size)
    design = editor.build(
        {**editor.DEFAULTS, "template": "minimal", "size": page_size, "orientation": orientation},
        organization.brand_color,
    )
    kind = "pdf" if content_type == "application/pdf" else "image"
    design["background"] = {kind: "background"}
    # the artwork brings its own frame and rules: keep the fields, drop the template's decoration
    design["elements"] = [e for e in design["elements"] if e.get("type") in ("text", "image", "qr")]
    meta = design.setdefault("meta", {})
    meta["template_background"] = {"fill": "#ffffff"}
    meta["imported_from"] = filename[:200]
    asset = upload_asset(
        organization,
        kind=DesignAsset.Kind.BACKGROUND,
        filename=filename,
        content_type=content_type,
        data=data,
    )
    created = create_design(
        organization,
        name=(name or "").strip() or filename.rsplit(".", 1)[0][:180] or "Imported design",
        data=design,
        assets={"background": asset.public_id},
        actor=who,
    )
    audit.record(organization, who, "design.imported", created.public_id, asset.filename)
    return created


__all__ = ["version_assets"]
