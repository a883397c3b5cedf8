"""The editor page and its JSON endpoints: ``preview`` (the design being edited rendered, no write),
``draft`` (kept, through actions.save_draft), ``publish`` (the draft frozen into a new version),
``restore`` (a version back into the draft)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.render import (
    SAMPLE_NAMES,
    AssetError,
    DesignError,
    Problem,
    design_problems,
    page_size_mm,
    preview,
    sample_values,
)
from credstack.render.design import STANDARD_TAGS
from credstack.render.fonts import FAMILIES

from .. import actions, words
from ..models import Design, DesignAsset
from ..problems import FIELD_LABELS, issue_text, problem_text
from ..queries import asset_blobs, longest_recipient_name
from .common import design_for

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
TAGS = list(STANDARD_TAGS)  # the placeholders the designer offers: every one a certificate fills in
# Every bundled family (credstack.render.fonts.FAMILIES); each draws every script the samples show, with
# the matching Noto face for Arabic, Hebrew, Devanagari and Chinese (tests/render/test_text_and_badges.py).
FONT_LABELS = {
    "sans": gettext_lazy("Noto Sans: Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Chinese"),
    "serif": gettext_lazy("Noto Serif: Latin, Greek, Cyrillic, Arabic (Naskh), Hebrew, Devanagari, Chinese"),
}
MAX_DESIGN_JSON = 256 * 1024
PREVIEW_DPI = 72


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


# ---- the editor ----------------------------------------------------------------------------------


@member_required(Role.VIEWER)
@require_safe
def design_editor(request, org_slug, public_id):
    org = request.organization
    design = design_for(request, public_id)
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
    design = design_for(request, public_id)
    data, assets, problems = _posted_design(request, design)
    if problems:
        return JsonResponse({"problems": problems}, status=400)
    payload = _preview_payload(request.organization, data, assets, request.POST.get("sample", "latin"))
    return JsonResponse(payload, status=400 if payload["problems"] else 200)


@member_required(Role.ADMIN)
@require_POST
def design_draft(request, org_slug, public_id):
    """Keep the design being edited as the draft (autosave). 400 with problems: nothing saved."""
    design = design_for(request, public_id)
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
    design = design_for(request, public_id)
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
    design = design_for(request, public_id)
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
