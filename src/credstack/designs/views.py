"""The certificate designer (workspace pages under /w/<org>/designs/).

The editor page is a canvas (static/workspace/designer.js) over the real renderer's picture of the
page. It talks to JSON endpoints here: ``preview`` (render the design being edited, no write),
``draft`` (keep it, through actions.save_draft), ``upload`` (a file into the draft); ``publish``
freezes the draft into a new version. The design travels as form fields ``design`` and ``assets``
holding JSON, so plain forms and tests post it the same way as the script."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import threading
import time
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from PIL import Image

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.render import (
    SAMPLE_NAMES,
    TEMPLATES,
    AssetError,
    DesignError,
    Problem,
    design_problems,
    page_size_mm,
    preview,
    render_png,
    sample_values,
)
from credstack.render.fonts import FAMILIES
from credstack.render.images import pdf_form
from credstack.render.samples import sample_assets
from credstack.ui.uploads import MAX_BACKGROUND, MAX_IMAGE, body_too_large, read_upload

from . import actions, editor, words
from .models import Design, DesignAsset
from .problems import FIELD_LABELS, issue_text, problem_text
from .queries import asset_blobs, brand_assets, longest_recipient_name, version_assets

SAMPLE_LABELS = {
    "latin": gettext_lazy("Latin"),
    "long": gettext_lazy("Very long name"),
    "longest": gettext_lazy("Longest name you issued"),
    "arabic": gettext_lazy("Arabic"),
    "hebrew": gettext_lazy("Hebrew"),
    "chinese": gettext_lazy("Chinese"),
    "devanagari": gettext_lazy("Devanagari"),
    "cyrillic": gettext_lazy("Cyrillic"),
    "greek": gettext_lazy("Greek"),
    "mixed": gettext_lazy("Mixed scripts"),
}
# what an uploaded file is, in the sentence that confirms it
ROLE_NAMES = {
    "background": gettext_lazy("background"),
    "logo": gettext_lazy("logo"),
    "signature": gettext_lazy("signature"),
    "seal": gettext_lazy("seal"),
    "image": gettext_lazy("image"),
}
TAGS = [
    "recipient_name",
    "achievement_name",
    "issuer_name",
    "issue_date",
    "expiry_date",
    "credential_id",
    "credential_url",
    "score",
]
# Every bundled family (credstack.render.fonts.FAMILIES); each draws every script the samples show, with
# the matching Noto face for Arabic, Hebrew, Devanagari and Chinese (tests/render/test_text_and_badges.py).
FONT_LABELS = {
    "sans": gettext_lazy("Noto Sans: Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Chinese"),
    "serif": gettext_lazy("Noto Serif: Latin, Greek, Cyrillic, Arabic (Naskh), Hebrew, Devanagari, Chinese"),
}
MAX_DESIGN_JSON = 256 * 1024
PREVIEW_DPI = 72


def _design(request, public_id) -> Design:
    return get_object_or_404(
        Design.objects.select_related("current"), organization=request.organization, public_id=public_id
    )


def _fetching(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def problem_json(p: Problem) -> dict:
    message, field = p.message, p.field or ""
    label = FIELD_LABELS.get(field)
    if (translated := problem_text(p)) is not None:  # the page's language (English: as below)
        message = translated
    elif label and (message.startswith(field + " ") or message.startswith(field + ":")):
        message = str(label) + message[len(field) :]
    elif label and message.startswith("missing "):
        message = _("%(field)s is required") % {"field": label}
    return {"element": p.element, "field": p.field, "message": message}


def _posted_design(request, design: Design) -> tuple[dict, dict[str, str], list[dict]]:
    """The design and asset names posted by the editor (the working copy when none is posted), and
    problems with the post itself."""
    raw, raw_assets = request.POST.get("design"), request.POST.get("assets")
    data, assets = design.working_copy()
    problems: list[dict] = []
    if raw is not None:
        if len(raw) > MAX_DESIGN_JSON:
            return data, assets, [{"element": None, "field": None, "message": _("The design is too large.")}]
        try:
            data = json.loads(raw)
        except ValueError:
            return (
                data,
                assets,
                [{"element": None, "field": None, "message": _("The design is not valid JSON.")}],
            )
    if raw_assets is not None:
        try:
            parsed = json.loads(raw_assets)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            assets = parsed
        else:
            problems.append(
                {"element": None, "field": "assets", "message": _("The list of files is not valid.")}
            )
            assets = {}
    if not isinstance(data, dict):
        problems.append({"element": None, "field": None, "message": _("The design must be an object.")})
        data = {}
    return data, assets, problems


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
            size = _pixels(data, kind)
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
    design = _design(request, public_id)
    copy_ = actions.duplicate_design(design, actor=Actor.for_user(request.user))
    messages.success(
        request, _("“%(copy)s” is a copy of “%(name)s”.") % {"copy": copy_.name, "name": design.name}
    )
    return redirect("workspace-design", org_slug, copy_.public_id)


# ---- the editor ----------------------------------------------------------------------------------


@member_required(Role.VIEWER)
@require_safe
def design_editor(request, org_slug, public_id):
    org = request.organization
    design = _design(request, public_id)
    data, assets = design.working_copy()
    W, H = page_size_mm(data)
    uploads = DesignAsset.objects.filter(organization=org, public_id__in=list(assets.values()))
    state = {
        "design": data,
        "assets": assets,
        "revision": design.draft_revision,
        "page": [W, H],
        "canEdit": request.membership.at_least(Role.ADMIN),
        "hasLogo": bool(org.logo),
        "fonts": FONT_LABELS,
        "tags": TAGS,
        "labels": FIELD_LABELS,
        "uploads": {a.public_id: a.filename for a in uploads},
    }
    return render(
        request,
        "designs/editor.html",
        {
            "design": design,
            "state": state,
            "samples": SAMPLE_LABELS,
            "versions": design.versions.order_by("-number")[:20],
            "unpublished": design.has_unpublished_changes,
            "families": FAMILIES,
            "words": words.translated(),
        },
    )


_preview_cache: OrderedDict[str, dict] = OrderedDict()
_preview_lock = threading.Lock()


def _preview_payload(org, data: dict, asset_ids: dict, sample: str) -> dict:
    """The JSON the editor shows: page one's picture, where each text landed (mm), contrast warnings;
    or the problems that keep it from being drawn. Cached by what it is drawn from."""
    longest = longest_recipient_name(org) if sample == "longest" else ""
    key = hashlib.sha256(
        json.dumps(
            [org.pk, org.name, org.logo.name if org.logo else "", data, asset_ids, sample, longest],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    with _preview_lock:
        if key in _preview_cache:
            _preview_cache.move_to_end(key)
            return _preview_cache[key]
    started = time.perf_counter()
    try:
        blobs = asset_blobs(org, asset_ids)
    except ValidationError as exc:
        return {"problems": [{"element": None, "field": "assets", "message": m} for m in exc.messages]}
    problems = design_problems(data, blobs)
    if problems:
        return {"problems": [problem_json(p) for p in problems]}
    script = sample if sample in SAMPLE_NAMES else "latin"
    values = sample_values(script, issuer_name=org.name, score="94%")
    if longest:
        values["recipient_name"] = longest
    try:
        p = preview(data, values, blobs, dpi=PREVIEW_DPI, jpeg=True)
    except (DesignError, AssetError, ValueError) as exc:
        return {
            "problems": [
                {"element": None, "field": None, "message": issue_text(m)}
                for m in getattr(exc, "errors", [str(exc)])
            ]
        }
    mm = 25.4 / 72.0
    payload = {
        "image": f"data:{p.mime};base64," + base64.b64encode(p.image).decode(),
        "page": list(p.page_mm),
        "boxes": [
            {
                "element": i,
                "x0": round(b.x0 * mm, 2),
                "y0": round(b.y0 * mm, 2),
                "x1": round(b.x1 * mm, 2),
                "y1": round(b.y1 * mm, 2),
                "size": round(b.size, 2),
                "lines": b.lines,
            }
            for i, b in p.boxes
        ],
        "warnings": [{"element": w.element, "field": "color", "message": w.message} for w in p.warnings],
        "problems": [],
        "render_ms": round((time.perf_counter() - started) * 1000),
    }
    with _preview_lock:
        _preview_cache[key] = payload
        while len(_preview_cache) > 48:
            _preview_cache.popitem(last=False)
    return payload


@member_required(Role.VIEWER)
@require_POST
def design_preview(request, org_slug, public_id):
    """The design being edited drawn by the renderer with sample data (JSON; writes nothing)."""
    design = _design(request, public_id)
    data, assets, problems = _posted_design(request, design)
    if problems:
        return JsonResponse({"problems": problems}, status=400)
    payload = _preview_payload(request.organization, data, assets, request.POST.get("sample", "latin"))
    return JsonResponse(payload, status=400 if payload["problems"] else 200)


@member_required(Role.ADMIN)
@require_POST
def design_draft(request, org_slug, public_id):
    """Keep the design being edited as the draft (autosave). 400 with problems: nothing saved."""
    design = _design(request, public_id)
    data, assets, problems = _posted_design(request, design)
    if problems:
        return JsonResponse({"problems": problems}, status=400)
    try:
        revision = actions.save_draft(design, data, assets, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        found = getattr(exc, "problems", None)
        body = (
            [problem_json(p) for p in found]
            if found
            else [{"element": None, "field": None, "message": m} for m in exc.messages]
        )
        return JsonResponse({"problems": body}, status=400)
    return JsonResponse({"revision": revision, "problems": []})


@member_required(Role.ADMIN)
@require_POST
def design_publish(request, org_slug, public_id):
    """Freeze the draft into a new version: credentials issued from now on use it."""
    design = _design(request, public_id)
    try:
        version = actions.publish(
            design, name=request.POST.get("name", ""), actor=Actor.for_user(request.user)
        )
    except ValidationError as exc:
        messages.error(request, _("Not published: %(why)s") % {"why": " ".join(exc.messages)})
    else:
        messages.success(
            request,
            _("Published as version %(number)s. Credentials already issued keep their version.")
            % {"number": version.number},
        )
    return redirect("workspace-design", org_slug, design.public_id)


@member_required(Role.ADMIN)
@require_POST
def design_restore(request, org_slug, public_id):
    design = _design(request, public_id)
    try:
        number = int(request.POST.get("version", ""))
        actions.restore_version(design, number, actor=Actor.for_user(request.user))
    except (ValueError, ValidationError):
        messages.error(request, _("Choose a version of this design to restore."))
    else:
        messages.success(
            request,
            _("Version %(number)s is open as the draft: publish it to use it again.") % {"number": number},
        )
    return redirect("workspace-design", org_slug, design.public_id)


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
    design = _design(request, public_id)
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
    design = _design(request, public_id)
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


def _pixels(data: bytes, kind: str) -> tuple[int, int]:
    if kind == "application/pdf":
        return (0, 0)
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except OSError:
        return (0, 0)


@member_required(Role.ADMIN)
@require_POST
def design_upload(request, org_slug, public_id):
    """A background (PNG, JPEG or PDF), logo, signature, seal or any image (PNG, JPEG) into the draft:
    every edit made so far is kept. JSON for the editor's script, a redirect for a plain form."""
    design = _design(request, public_id)
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
            size=_pixels(data, kind),
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
