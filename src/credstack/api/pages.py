"""The workspace's Developers page (``/w/<org_slug>/developers/``): API keys and outbound webhook endpoints.

Admin role only: keys and signing secrets act for the organization. A new key is shown once, on the page
that answers the form (never stored, never put in a session or a URL; the response is not cached).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.ui.forms import first_submission, form_token, shown_once
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint
from credstack.webhooks.outcome import outcome

from . import actions
from .models import SCOPES, ApiKey

SCOPE_HELP = {
    "read": gettext_lazy(
        "Read achievements, credentials, batches, courses, pathways and recipients; change nothing."
    ),
    "issue": gettext_lazy(
        "Also issue credentials (one by one or in batches), revoke, suspend, reinstate, correct, "
        "resend them and enrol learners."
    ),
    "admin": gettext_lazy("Also manage webhook endpoints and inbound integrations, their secrets included."),
}


def relative(moment, now=None) -> str:
    now = now or timezone.now()
    if moment is None:
        return _("never")
    if now - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment, now, depth=1)}


def _endpoint_rows(org) -> list[dict]:
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-id")
    endpoints = WebhookEndpoint.objects.filter(organization=org).annotate(
        last_state=Subquery(latest.values("state")[:1]),
        last_code=Subquery(latest.values("last_status_code")[:1]),
        last_attempts=Subquery(latest.values("attempts")[:1]),
        last_at=Subquery(latest.values("message__created_at")[:1]),
    )
    return [{"e": e, "outcome": outcome(e.last_state, e.last_attempts)} for e in endpoints.order_by("id")]


def _overview(request, *, errors=None, posted=None, status=200):
    org = request.organization
    now = timezone.now()
    keys = ApiKey.objects.filter(organization=org).select_related("created_by").order_by("-created_at")
    return render(
        request,
        "api/developers.html",
        {
            "keys": [{"k": k, "last_used": relative(k.last_used_at, now)} for k in keys],
            "scopes": [(s, SCOPE_HELP[s]) for s in SCOPES],
            "endpoints": _endpoint_rows(org),
            "errors": errors or {},
            "posted": posted or {},
            "form_token": form_token(),
        },
        status=status,
    )


@member_required(Role.ADMIN)
def developers(request, org_slug: str):
    return _overview(request)


@member_required(Role.ADMIN)
@require_POST
def key_create(request, org_slug: str):
    org = request.organization
    name, scope = request.POST.get("name", ""), request.POST.get("scope", "")
    try:
        actions.check_key_request(name, scope)
    except ValidationError as exc:
        return _key_errors(request, exc)
    if not first_submission(request):
        messages.warning(
            request,
            _("That form was already sent: its key is in the list below, but it cannot be shown again."),
        )
        return redirect("developers:home", org.slug)
    try:
        new = actions.create_api_key(org, name=name, scope=scope, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        return _key_errors(request, exc)
    response = render(
        request,
        "api/key_created.html",
        {
            "key": new.api_key,
            "secret": new.secret,
            "scope_help": SCOPE_HELP[scope],
            "api_base": request.build_absolute_uri("/api/v1"),
        },
    )
    return shown_once(response)


def _key_errors(request, exc: ValidationError):
    errors = {field: " ".join(texts) for field, texts in exc.message_dict.items()}
    return _overview(request, errors=errors, posted=request.POST, status=422)


@member_required(Role.ADMIN)
@require_POST
def key_revoke(request, org_slug: str, prefix: str):
    key = get_object_or_404(ApiKey, organization=request.organization, prefix=prefix)
    if not actions.revoke_api_key(key, actor=Actor.for_user(request.user)):
        messages.warning(request, _("“%(name)s” was already revoked.") % {"name": key.name})
    else:
        messages.success(
            request, _("“%(name)s” revoked: requests with it are refused from now on.") % {"name": key.name}
        )
    return redirect("developers:home", org_slug)
