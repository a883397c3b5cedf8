"""Files into a design's draft: a background (PNG, JPEG or PDF), a logo, a signature, a seal, an image."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.ui.uploads import MAX_BACKGROUND, MAX_IMAGE, body_too_large, read_upload

from .. import actions
from .common import design_for, pixels

# what an uploaded file is, in the sentence that confirms it
ROLE_NAMES = {
    "background": gettext_lazy("background"),
    "logo": gettext_lazy("logo"),
    "signature": gettext_lazy("signature"),
    "seal": gettext_lazy("seal"),
    "image": gettext_lazy("image"),
}


def _fetching(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@member_required(Role.ADMIN)
@require_POST
def design_upload(request, org_slug, public_id):
    """A background (PNG, JPEG or PDF), logo, signature, seal or any image (PNG, JPEG) into the draft:
    every edit made so far is kept. JSON for the editor's script, a redirect for a plain form."""
    design = design_for(request, public_id)
    fetching = _fetching(request)

    def refuse(message: str):
        if fetching:
            return JsonResponse(
                {"problems": [{"element": None, "field": "file", "message": message}]}, status=400
            )
        messages.error(request, message)
        return redirect("workspace-design", org_slug, public_id)

    if problem := body_too_large(request, MAX_BACKGROUND):
        return refuse(problem)
    role = request.POST.get("role")
    if role not in actions.UPLOAD_ROLES:
        return refuse(_("Choose what the file is: background, logo, signature, seal or image."))
    allowed = (
        ("image/png", "image/jpeg", "application/pdf")
        if role == "background"
        else ("image/png", "image/jpeg")
    )
    try:
        kind, data = read_upload(
            request.FILES.get("file"), allowed, MAX_BACKGROUND if role == "background" else MAX_IMAGE, role
        )
        asset, name, revision = actions.upload_to_draft(
            design,
            role=role,
            filename=request.FILES["file"].name,
            content_type=kind,
            data=data,
            size=pixels(data, kind),
            actor=Actor.for_user(request.user),
        )
    except ValidationError as exc:
        return refuse(" ".join(exc.messages))
    if fetching:
        working, assets = design.working_copy()
        return JsonResponse(
            {
                "name": name,
                "filename": asset.filename,
                "public_id": asset.public_id,
                "design": working,
                "assets": assets,
                "revision": revision,
            }
        )
    messages.success(
        request,
        _("%(name)s is in the draft as the %(role)s.")
        % {"name": asset.filename, "role": ROLE_NAMES.get(role, role)},
    )
    return redirect("workspace-design", org_slug, public_id)
