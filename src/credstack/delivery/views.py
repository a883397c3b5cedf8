"""Tracking (pixel, link redirects) and the email-template editor with preview."""

from __future__ import annotations

import base64
import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from credstack.achievements.models import Achievement
from credstack.credentials import share
from credstack.credentials.models import Credential
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required

from . import actions, rendering
from .models import EmailTemplate

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
TARGETS = {"page": "", "pdf": ".pdf", "png": ".png", "svg": ".svg", "json": ".json"}


@csrf_exempt
@require_POST
def mail_report(request: HttpRequest, secret: str) -> HttpResponse:
    """``POST /hooks/mail/<CREDSTACK_MAIL_HOOK_SECRET>`` with ``{"delivery": "<X-Credstack-Delivery>",
    "type": "bounce" | "complaint", "reason": "..."}``: a mail provider's (or a relay script's) report of
    a bounce or a complaint. Off (404) unless the secret is configured (docs/email.md)."""
    expected = settings.CREDSTACK_MAIL_HOOK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("delivery"), str):
        return JsonResponse(
            {"error": 'give the email\'s X-Credstack-Delivery header as "delivery"'}, status=400
        )
    try:
        delivery = actions.record_report(
            body["delivery"], str(body.get("type", "")), str(body.get("reason", ""))
        )
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except actions.UnknownDelivery as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    return JsonResponse({"delivery": delivery.token, "state": delivery.state})


@never_cache
@require_safe
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    actions.record_open(token)
    return HttpResponse(PIXEL, content_type="image/gif")


@require_safe
def click(request: HttpRequest, token: str, target: str) -> HttpResponse:
    if target not in TARGETS and target not in ("portal", "linkedin"):
        raise Http404
    delivery = actions.record_click(token, target)
    if delivery is None:
        raise Http404
    if target == "portal":
        return HttpResponseRedirect(f"/me/login?d={token}")
    if target == "linkedin":  # LinkedIn's Add-to-profile form, pre-filled with the credential
        return HttpResponseRedirect(share.linkedin_url(delivery.credential))
    return HttpResponseRedirect(f"/c/{delivery.credential.public_id}{TARGETS[target]}")


# ---- the editor (organization admins) -------------------------------------------------------------


def _sample_credential(org, achievement: Achievement | None) -> Credential:
    """The newest credential to preview with, else an unsaved example."""
    qs = Credential.objects.filter(organization=org).select_related("organization", "achievement")
    if achievement:
        qs = qs.filter(achievement=achievement)
    found = qs.order_by("-issued_at", "-id").first()
    if found:
        return found

    ach = (
        achievement
        or Achievement.objects.filter(organization=org).first()
        or Achievement(
            organization=org, name="Foundations of Data Analysis", description="", criteria_narrative=""
        )
    )
    return Credential(
        organization=org,
        achievement=ach,
        recipient_name="Amélie Dubois-Fontaine",
        recipient_email="amelie@example.org",
        issued_at=timezone.now(),
        public_id="EXAMPLE",
    )


@member_required(Role.ADMIN)
@require_safe
def template_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = request.organization
    templates = {(t.achievement_id, t.kind): t for t in EmailTemplate.objects.filter(organization=org)}
    achievements = Achievement.objects.filter(organization=org).order_by("name")
    rows = [{"label": _("All achievements (organization default)"), "achievement": None}] + [
        {"label": a.name, "achievement": a} for a in achievements
    ]
    for row in rows:
        aid = row["achievement"].pk if row["achievement"] else None
        row["kinds"] = [
            {"kind": k, "label": label, "custom": (aid, k) in templates}
            for k, label in EmailTemplate.Kind.choices
        ]
    return render(
        request, "delivery/templates.html", {"org": org, "membership": request.membership, "rows": rows}
    )


@member_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, org_slug: str, kind: str, achievement_id: str = "") -> HttpResponse:
    org = request.organization
    if kind not in EmailTemplate.Kind.values:
        raise Http404
    achievement = (
        get_object_or_404(Achievement, organization=org, public_id=achievement_id) if achievement_id else None
    )
    row = EmailTemplate.objects.filter(organization=org, achievement=achievement, kind=kind).first()
    if achievement and row is None:
        inherited = EmailTemplate.objects.filter(organization=org, achievement=None, kind=kind).first()
        subject, body = (inherited.subject, inherited.body) if inherited else rendering.default_template(kind)
    else:
        subject, body = (row.subject, row.body) if row else rendering.default_template(kind)
    errors: dict[str, str] = {}
    if request.method == "POST":
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "").replace("\r\n", "\n")
        action = request.POST.get("action", "preview")
        actor = Actor.for_user(request.user)
        try:
            rendering.check_template(subject, body)
        except rendering.TemplateError as exc:
            errors = exc.errors
        if not errors and action == "save":
            try:
                actions.save_email_template(org, kind, achievement, subject=subject, body=body, actor=actor)
            except rendering.TemplateError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Email template saved."))
                return redirect("delivery-templates", org_slug=org.slug)
        if action == "reset" and actions.reset_email_template(org, kind, achievement, actor=actor):
            messages.success(request, _("Back to the default email."))
            return redirect("delivery-templates", org_slug=org.slug)
    preview = None
    if not errors:
        preview = rendering.render_message(_sample_credential(org, achievement), subject, body)
    return render(
        request,
        "delivery/template_edit.html",
        {
            "org": org,
            "membership": request.membership,
            "achievement": achievement,
            "kind": kind,
            "kind_label": EmailTemplate.Kind(kind).label,
            "subject": subject,
            "body": body,
            "errors": errors,
            "preview": preview,
            "tags": rendering.MERGE_TAGS,
            "custom": row is not None,
        },
        status=400 if errors else 200,
    )
