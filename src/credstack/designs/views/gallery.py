"""The designs' list, the gallery of ready-made designs (thumbnails), a new design from the gallery or a
template, an imported PDF form, a design duplicated."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.render import (
    TEMPLATES,
    AssetError,
    render_png,
    sample_values,
)
from credstack.render.images import pdf_form
from credstack.render.samples import sample_assets
from credstack.ui.uploads import MAX_BACKGROUND, body_too_large, read_upload

from .. import actions, editor
from ..models import Design
from .common import design_for, pixels

# ---- the list, the gallery, new designs ----------------------------------------------------------

# the gallery's names in the user's language (``editor.GALLERY`` keeps the English ones, and the designs'
# printed texts: a heading and subheading are what the certificate says, shown as its thumbnail shows them)
GALLERY_TITLES = {
    "classic-navy": gettext_lazy("Classic navy"),
    "modern-teal": gettext_lazy("Modern teal"),
    "minimal-ink": gettext_lazy("Minimal ink"),
    "elegant-plum": gettext_lazy("Elegant plum"),
    "classic-burgundy": gettext_lazy("Classic burgundy"),
    "modern-cobalt": gettext_lazy("Modern cobalt"),
    "minimal-forest": gettext_lazy("Minimal forest"),
    "elegant-harbour": gettext_lazy("Elegant harbour"),
}
TEMPLATE_TITLES = {
    "classic": gettext_lazy("Classic"),
    "modern": gettext_lazy("Modern"),
    "minimal": gettext_lazy("Minimal"),
    "elegant": gettext_lazy("Elegant"),
}
ORIENTATIONS = {"landscape": gettext_lazy("landscape"), "portrait": gettext_lazy("portrait")}


@member_required(Role.VIEWER)
@require_safe
def design_list(request, org_slug):
    designs = (
        Design.objects.filter(organization=request.organization).select_related("current").order_by("name")
    )
    gallery = [
        {
            "key": key,
            **entry,
            "title": GALLERY_TITLES.get(key, entry["title"]),
            "page": f"{entry['size']} {ORIENTATIONS.get(entry['orientation'], entry['orientation'])}",
        }
        for key, entry in editor.GALLERY.items()
    ]
    return render(request, "designs/list.html", {"designs": designs, "gallery": gallery})


@functools.lru_cache(maxsize=64)
@functools.lru_cache(maxsize=64)  # 8 templates x a few brand colours, ~50 KB each: ~25 ms each to draw
def _gallery_png(key: str, brand_color: str) -> bytes:
    data = editor.gallery_design(key, brand_color)
    return render_png(data, sample_values("latin"), sample_assets(), dpi=28)


@member_required(Role.VIEWER)
@require_safe
def design_gallery_thumbnail(request, org_slug, key):
    if key not in editor.GALLERY:
        raise Http404("no such template")
    response = HttpResponse(_gallery_png(key, request.organization.brand_color), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@member_required(Role.ADMIN)
@require_POST
def design_new(request, org_slug):
    org = request.organization
    key = request.POST.get("template", "classic-navy")
    if key in editor.GALLERY:
        data = editor.gallery_design(key, org.brand_color)
        default_name = _("%(title)s certificate") % {
            "title": GALLERY_TITLES.get(key, editor.GALLERY[key]["title"])
        }
    elif key in TEMPLATES:
        data = editor.build({**editor.DEFAULTS, "template": key}, org.brand_color)
        default_name = _("%(title)s certificate") % {"title": TEMPLATE_TITLES.get(key, key.capitalize())}
    else:
        messages.error(request, _("Unknown template %(key)r.") % {"key": key})
        return redirect("workspace-designs", org_slug)
    name = request.POST.get("name", "").strip() or default_name
    design = actions.create_design(org, name=name, data=data, actor=Actor.for_user(request.user))
    return redirect("workspace-design", org_slug, design.public_id)


@member_required(Role.ADMIN)
@require_POST
def design_import(request, org_slug):
    """A new design over the organization's own artwork: a PDF (its first page) or an image as the
    background, with the usual fields placed over it."""
    if problem := body_too_large(request, MAX_BACKGROUND):
        messages.error(request, problem)
        return redirect("workspace-designs", org_slug)
    upload = request.FILES.get("file")
    try:
        kind, data = read_upload(
            upload, ("image/png", "image/jpeg", "application/pdf"), MAX_BACKGROUND, "file"
        )
        if kind == "application/pdf":
            try:
                form = pdf_form(data)
            except (AssetError, ValueError) as exc:
                raise ValidationError(
                    {
                        "file": _("%(name)s cannot be read as a PDF: %(why)s")
                        % {"name": upload.name, "why": exc}
                    }
                ) from exc
            size: tuple[float, float] = (form.width, form.height)
        else:
            size = pixels(data, kind)
        design = actions.import_design(
            request.organization,
            name=request.POST.get("name", ""),
            filename=upload.name,
            content_type=kind,
            data=data,
            size=size,
            actor=Actor.for_user(request.user),
        )
    except ValidationError as exc:
        messages.error(request, _("Not imported: %(why)s") % {"why": " ".join(exc.messages)})
        return redirect("workspace-designs", org_slug)
    messages.success(
        request,
        _("%(name)s is the background: move the fields where your artwork expects them.")
        % {"name": upload.name},
    )
    return redirect("workspace-design", org_slug, design.public_id)


@member_required(Role.ADMIN)
@require_POST
def design_duplicate(request, org_slug, public_id):
    design = design_for(request, public_id)
    copy_ = actions.duplicate_design(design, actor=Actor.for_user(request.user))
    messages.success(
        request, _("“%(copy)s” is a copy of “%(name)s”.") % {"copy": copy_.name, "name": design.name}
    )
    return redirect("workspace-design", org_slug, copy_.public_id)
