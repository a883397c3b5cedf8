"""The certificate designer (workspace pages under /w/<org>/designs/)."""

from __future__ import annotations

import base64
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.render import SAMPLE_NAMES, TEMPLATES, AssetError, DesignError, render_png, sample_values
from credstack.ui.uploads import MAX_BACKGROUND, MAX_IMAGE, body_too_large, read_upload

from . import actions, editor
from .models import Design, DesignAsset
from .queries import brand_assets, version_assets

SAMPLE_LABELS = {
    "latin": "Latin",
    "long": "Very long name",
    "arabic": "Arabic",
    "hebrew": "Hebrew",
    "chinese": "Chinese",
    "devanagari": "Devanagari",
    "cyrillic": "Cyrillic",
    "greek": "Greek",
    "mixed": "Mixed scripts",
}


def _design(request, public_id) -> Design:
    return get_object_or_404(
        Design.objects.select_related("current"), organization=request.organization, public_id=public_id
    )


@member_required(Role.VIEWER)
@require_safe
def design_list(request, org_slug):
    designs = (
        Design.objects.filter(organization=request.organization).select_related("current").order_by("name")
    )
    return render(request, "designs/list.html", {"designs": designs, "templates": TEMPLATES})


@member_required(Role.ADMIN)
@require_POST
def design_new(request, org_slug):
    org = request.organization
    template = request.POST.get("template", "classic")
    if template not in TEMPLATES:
        messages.error(request, f"Unknown template {template!r}.")
        return redirect("workspace-designs", org_slug)
    name = request.POST.get("name", "").strip() or f"{TEMPLATES[template].title.split(':')[0]} certificate"
    settings = {**editor.DEFAULTS, "template": template}
    design = actions.create_design(
        org, name=name, data=editor.build(settings, org.brand_color), actor=Actor.for_user(request.user)
    )
    return redirect("workspace-design", org_slug, design.public_id)


def _num(post, key, lo, hi, label, errors):
    raw = (post.get(key) or "").strip()
    if raw == "":
        return None
    try:
        v = float(raw)
    except ValueError:
        errors.append(f"{label}: {raw!r} is not a number")
        return None
    if not lo <= v <= hi:
        errors.append(f"{label}: must be between {lo:g} and {hi:g}")
        return None
    return round(v, 2)


def settings_from_post(post, current: dict) -> tuple[dict, list[str]]:
    errors: list[str] = []
    s = {**editor.DEFAULTS, **current}
    for k in (
        "template",
        "size",
        "orientation",
        "heading",
        "subheading",
        "signatory_name",
        "signatory_title",
    ):
        if k in post:
            s[k] = post.get(k, "").strip()[:300]
    if s["template"] not in TEMPLATES:
        errors.append(f"template: unknown template {s['template']!r}")
        s["template"] = "classic"
    if s["size"] not in ("A4", "Letter"):
        errors.append("size: A4 or Letter")
        s["size"] = "A4"
    if s["orientation"] not in ("landscape", "portrait"):
        errors.append("orientation: landscape or portrait")
        s["orientation"] = "landscape"

    for k in ("color", "accent"):
        v = post.get(k, "").strip()
        if v and not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            errors.append(f"{k}: use a colour like #1d3f6e")
        else:
            s[k] = v
    s["qr"] = post.get("qr") == "on"
    if post.get("bg_remove") == "on":
        s["background"] = ""
    overrides = {}
    for key in post:
        if key.startswith("o-") and key.endswith("-text"):
            el_id = key[2:-5]
            o = {"text": post.get(key, "")[:2000]}
            for dim, hi in (("x", 500), ("y", 500), ("size", 200)):
                v = _num(post, f"o-{el_id}-{dim}", 0 if dim != "size" else 4, hi, f"{el_id} {dim}", errors)
                if v is not None:
                    o[dim] = v
            overrides[el_id] = o
    if overrides:
        # keep only what the person changed on the element itself: a value equal to what the template
        # gives (before or after this edit of heading, template, ...) is not an override
        def base(settings):
            d = editor.build({**settings, "overrides": {}, "extras": []})
            return {e.get("id"): e for e in d["elements"]}

        before, after = base({**editor.DEFAULTS, **current}), base(s)

        def same(a, b):
            if isinstance(a, int | float) and isinstance(b, int | float):
                return abs(a - b) < 0.051
            return a == b

        kept = {}
        for el_id, o in overrides.items():
            changed = {
                k: v
                for k, v in o.items()
                if not any(same(v, ref.get(el_id, {}).get(k)) for ref in (before, after))
            }
            if changed:
                kept[el_id] = changed
        s["overrides"] = kept
    extras = []
    for i in range(0, 21):
        text = post.get(f"ex-{i}-text")
        if text is None:
            continue
        text = text.strip()[:2000]
        if not text or post.get(f"ex-{i}-delete") == "on":
            continue
        ex = {"text": text}
        for dim, lo, hi in (("x", 0, 500), ("y", 0, 500), ("size", 4, 200)):
            v = _num(post, f"ex-{i}-{dim}", lo, hi, f"custom field {i + 1} {dim}", errors)
            if v is not None:
                ex[dim] = v
        extras.append(ex)
    if any(k.startswith("ex-") for k in post):
        s["extras"] = extras
    return s, errors


def _assets_for(design: Design, settings: dict) -> dict[str, str]:
    assets = dict(design.current.assets if design.current else {})
    if not settings.get("background"):
        assets.pop("background", None)
    if not settings.get("signature"):
        assets.pop("signature", None)
    return assets


def _preview_png(org, data: dict, asset_ids: dict, sample: str) -> bytes:
    blobs = brand_assets(org)
    rows = DesignAsset.objects.filter(organization=org, public_id__in=list(asset_ids.values()))
    by_id = {r.public_id: bytes(r.data) for r in rows}
    blobs.update({name: by_id[pid] for name, pid in asset_ids.items() if pid in by_id})
    values = sample_values(sample if sample in SAMPLE_NAMES else "latin", issuer_name=org.name, score="94%")
    return render_png(data, values, blobs, dpi=72)


@member_required(Role.VIEWER)
def design_editor(request, org_slug, public_id):
    org = request.organization
    design = _design(request, public_id)
    current = (design.current.data.get("meta", {}) or {}).get("editor", {}) if design.current else {}
    errors: list[str] = []
    settings = {**editor.DEFAULTS, **current}
    if request.method == "POST":
        if not request.membership.at_least(Role.ADMIN):
            return HttpResponse("Only owners and admins edit designs.", status=403)
        settings, errors = settings_from_post(request.POST, current)
        name = request.POST.get("name", "").strip()
        if not errors:
            data = editor.build(settings, org.brand_color)
            try:
                version = actions.save_version(
                    design, data, _assets_for(design, settings), name=name, actor=Actor.for_user(request.user)
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    f"Saved as version {version.number}. Credentials already issued keep their version.",
                )
                return redirect("workspace-design", org_slug, design.public_id)
    data = editor.build(settings, org.brand_color)
    return render(
        request,
        "designs/editor.html",
        {
            "design": design,
            "s": settings,
            "errors": errors,
            "texts": editor.text_elements(data),
            "extras": [*enumerate(settings.get("extras", [])), (len(settings.get("extras", [])), {})],
            "templates": TEMPLATES,
            "samples": SAMPLE_LABELS,
            "assets": DesignAsset.objects.filter(
                organization=org,
                public_id__in=list((design.current.assets if design.current else {}).values()),
            ),
            "tags": [
                "recipient_name",
                "achievement_name",
                "issuer_name",
                "issue_date",
                "expiry_date",
                "credential_id",
                "credential_url",
                "score",
            ],
        },
    )


@member_required(Role.VIEWER)
@require_POST
def design_preview(request, org_slug, public_id):
    """Live preview: the editor's unsaved settings rendered with sample data (an <img> fragment)."""
    org = request.organization
    design = _design(request, public_id)
    current = (design.current.data.get("meta", {}) or {}).get("editor", {}) if design.current else {}
    settings, errors = settings_from_post(request.POST, current)
    sample = request.POST.get("sample", "latin")
    if errors:
        return render(request, "designs/_preview.html", {"errors": errors})
    data = editor.build(settings, org.brand_color)
    try:
        png = _preview_png(org, data, _assets_for(design, settings), sample)
    except (DesignError, AssetError, ValueError) as exc:
        return render(request, "designs/_preview.html", {"errors": getattr(exc, "errors", [str(exc)])})
    return render(
        request,
        "designs/_preview.html",
        {
            "src": "data:image/png;base64," + base64.b64encode(png).decode(),
            "sample": SAMPLE_LABELS.get(sample, sample),
        },
    )


@member_required(Role.VIEWER)
@require_safe
def design_thumbnail(request, org_slug, public_id):
    design = _design(request, public_id)
    if not design.current:
        return HttpResponse(status=404)
    blobs = brand_assets(request.organization)
    blobs.update(version_assets(design.current))
    values = sample_values("latin", issuer_name=request.organization.name)
    png = render_png(design.current.data, values, blobs, dpi=30)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@member_required(Role.ADMIN)
@require_POST
def design_upload(request, org_slug, public_id):
    """Upload a background (PNG, JPEG or PDF) or a signature image (PNG, JPEG) and save a version using it."""
    design = _design(request, public_id)
    if problem := body_too_large(request, MAX_BACKGROUND):
        messages.error(request, problem)
        return redirect("workspace-design", org_slug, public_id)
    role = request.POST.get("role")
    if role not in ("background", "signature"):
        messages.error(request, "Choose what the file is for: background or signature.")
        return redirect("workspace-design", org_slug, public_id)
    allowed = (
        ("image/png", "image/jpeg", "application/pdf")
        if role == "background"
        else ("image/png", "image/jpeg")
    )
    try:
        kind, data = read_upload(
            request.FILES.get("file"), allowed, MAX_BACKGROUND if role == "background" else MAX_IMAGE, role
        )
        asset, version = actions.replace_file(
            design,
            role=role,
            filename=request.FILES["file"].name,
            content_type=kind,
            data=data,
            actor=Actor.for_user(request.user),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workspace-design", org_slug, public_id)
    messages.success(request, f"{asset.filename} is now the {role} (version {version.number}).")
    return redirect("workspace-design", org_slug, public_id)
