"""A design's versions: one rendered as a PNG, two compared side by side, the list's thumbnail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from credstack.organizations.permissions import Role, member_required
from credstack.render import (
    render_png,
    sample_values,
)

from .. import editor
from ..models import Design
from ..queries import asset_blobs, brand_assets, version_assets
from .common import design_for


def _version_or_draft(design: Design, which: str) -> tuple[dict, dict[str, str], str] | None:
    """(data, assets, label) of a version number or "draft" (the working copy); None if unknown."""
    if which == "draft":
        data, assets = design.working_copy()
        return data, assets, _("the draft")
    try:
        number = int(which)
    except ValueError:
        return None
    version = design.versions.filter(number=number).first()
    if version is None:
        return None
    return dict(version.data), dict(version.assets or {}), _("version %(n)s") % {"n": number}


@member_required(Role.VIEWER)
@require_safe
def design_version_png(request, org_slug, public_id, which):
    """A version (or the draft) drawn with sample data, for comparing versions."""
    design = design_for(request, public_id)
    found = _version_or_draft(design, which)
    if found is None:
        raise Http404("no such version")
    data, assets, _label = found
    blobs = brand_assets(request.organization)
    try:
        blobs.update(asset_blobs(request.organization, assets))
    except ValidationError:
        raise Http404("a file of this version is gone") from None
    values = sample_values("latin", issuer_name=request.organization.name)
    png = render_png(data, values, blobs, dpi=60)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@member_required(Role.VIEWER)
@require_safe
def design_compare(request, org_slug, public_id):
    """Two versions (or a version and the draft) side by side or overlaid, with what changed."""
    design = design_for(request, public_id)
    numbers = list(design.versions.order_by("-number").values_list("number", flat=True)[:50])
    default_b = "draft" if design.has_unpublished_changes else str(numbers[0] if numbers else "draft")
    default_a = str(
        numbers[0] if default_b == "draft" and numbers else numbers[1] if len(numbers) > 1 else "draft"
    )
    a = request.GET.get("a", default_a)
    b = request.GET.get("b", default_b)
    left, right = _version_or_draft(design, a), _version_or_draft(design, b)
    if left is None or right is None:
        messages.error(request, _("Choose two versions of this design to compare."))
        return redirect("workspace-design", org_slug, public_id)
    changes = editor.version_changes(left[0], left[1], right[0], right[1])
    return render(
        request,
        "designs/compare.html",
        {
            "design": design,
            "a": a,
            "b": b,
            "a_label": left[2],
            "b_label": right[2],
            "choices": [("draft", _("the draft"))]
            + [(str(n), _("version %(n)s") % {"n": n}) for n in numbers],
            "changes": changes,
            "can_edit": request.membership.at_least(Role.ADMIN),
        },
    )


@member_required(Role.VIEWER)
@require_safe
def design_thumbnail(request, org_slug, public_id):
    design = design_for(request, public_id)
    if not design.current:
        return HttpResponse(status=404)
    blobs = brand_assets(request.organization)
    blobs.update(version_assets(design.current))
    values = sample_values("latin", issuer_name=request.organization.name)
    png = render_png(design.current.data, values, blobs, dpi=30)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response
