"""The public receiving URL (``/hooks/in/<token>``) and the educator's pages under
``/w/<org_slug>/integrations/`` (admin role: the URLs are secrets that can issue credentials)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import Count, Max
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from credstack.achievements.models import Achievement
from credstack.awarding.models import DataRule
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.ui.problems import problem_response

from . import actions, payloads, presets, queries, signatures
from .models import InboundEndpoint, InboundEvent
from .payloads import MAX_BODY_BYTES

# ---------------------------------------------------------------- the receiving URL


def _event_body(event: InboundEvent, duplicate: bool) -> dict:
    return {
        "event": event.public_id,
        "outcome": event.outcome,
        "reason": event.reason,
        "credential": event.credential.uri if event.credential else None,
        "duplicate": duplicate,
    }


@csrf_exempt
def receive(request, token: str):
    if request.method != "POST":
        response = problem_response(
            405, "Method not allowed", "POST the completion to this URL", slug="method"
        )
        response["Allow"] = "POST"
        return response
    endpoint = (
        InboundEndpoint.objects.select_related("organization", "achievement").filter(token=token).first()
        if len(token) <= 64
        else None
    )
    if endpoint is None:
        return problem_response(404, "Not found", "no inbound endpoint has this URL (was it rotated?)")
    if not endpoint.enabled:
        return problem_response(403, "Endpoint disabled", "this endpoint is disabled by its organization")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return problem_response(
            413, "Payload too large", f"the payload is {length} bytes; at most {MAX_BODY_BYTES} are accepted"
        )
    try:
        body = request.body
    except RequestDataTooBig:
        return problem_response(413, "Payload too large", f"at most {MAX_BODY_BYTES} bytes are accepted")
    try:
        results, batch = actions.receive(endpoint, body, request.content_type or "", request.headers)
    except payloads.PayloadError as exc:
        titles = {
            400: "Bad request",
            401: "Unauthorized",
            413: "Payload too large",
            415: "Unsupported media type",
        }
        return problem_response(exc.status, titles.get(exc.status, "Refused"), exc.message)
    status = 202 if any(created for _, created in results) else 200
    if batch:
        return JsonResponse(
            {"events": [_event_body(e, not created) for e, created in results]}, status=status
        )
    event, created = results[0]
    return JsonResponse(_event_body(event, not created), status=status)


# ---------------------------------------------------------------- educator pages


def _endpoint(request, public_id: str) -> InboundEndpoint:
    return get_object_or_404(
        InboundEndpoint.objects.select_related("achievement", "organization"),
        public_id=public_id,
        organization=request.organization,
    )


def _achievements(org):
    return Achievement.objects.filter(organization=org).order_by("name")


@member_required(Role.ADMIN)
def endpoint_list(request, org_slug: str):
    org = request.organization
    errors = {}
    if request.method == "POST":
        try:
            endpoint = actions.create_endpoint(
                org,
                name=request.POST.get("name", ""),
                preset=request.POST.get("preset", ""),
                achievement=request.POST.get("achievement") or None,
                actor=Actor.for_user(request.user),
            )
        except ValidationError as exc:
            errors = {k: "; ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(
                request,
                _("Endpoint “%(name)s” created. Paste its URL into %(source)s.")
                % {"name": endpoint.name, "source": _(presets.preset(endpoint.preset).label)},
            )
            return redirect("integrations:detail", org.slug, endpoint.public_id)
    endpoints = (
        InboundEndpoint.objects.filter(organization=org)
        .select_related("achievement")
        .annotate(n_events=Count("events"), last_event=Max("events__received_at"))
    )
    rows = [{"e": e, "preset": presets.preset(e.preset)} for e in endpoints]
    return render(
        request,
        "integrations/list.html",
        {
            "rows": rows,
            "presets": presets.PRESETS.values(),
            "achievements": _achievements(org),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


def _conditions_from_post(post) -> list[dict]:
    paths, ops, values = post.getlist("cond_path"), post.getlist("cond_operator"), post.getlist("cond_value")
    out = []
    for path, op, value in zip(paths, ops, values, strict=False):
        if not path.strip():
            continue
        out.append(
            {"path": path, "operator": op, "value": None if op == "exists" else payloads.parse_value(value)}
        )
    return out


def _condition_rows(conditions) -> list[dict]:
    rows = [
        {
            "path": c["path"],
            "operator": c["operator"],
            "value": ""
            if c.get("value") is None
            else json.dumps(c["value"], ensure_ascii=False)
            if not isinstance(c.get("value"), str)
            else c["value"],
        }
        for c in conditions
    ]
    return rows + [{"path": "", "operator": "eq", "value": ""}] * 2


@member_required(Role.ADMIN)
def endpoint_detail(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    errors: dict[str, str] = {}
    form_mapping, form_conditions = dict(endpoint.mapping), list(endpoint.conditions)
    if request.method == "POST":
        form_mapping = {key: request.POST.get(f"map_{key}", "") for key, _, _ in presets.MAPPING_FIELDS}
        form_conditions = _conditions_from_post(request.POST)
        try:
            actions.update_endpoint(
                endpoint,
                name=request.POST.get("name", ""),
                achievement=request.POST.get("achievement") or None,
                mapping=form_mapping,
                conditions=form_conditions,
                signing_secret=request.POST.get("signing_secret", endpoint.signing_secret),
                enabled=request.POST.get("enabled") == "on",
                actor=Actor.for_user(request.user),
            )
        except ValidationError as exc:
            errors = {k: "; ".join(v) for k, v in exc.message_dict.items()}
            endpoint.refresh_from_db()
        else:
            messages.success(request, _("Saved."))
            return redirect("integrations:detail", org_slug, endpoint.public_id)
    spec = presets.preset(endpoint.preset)
    recent = endpoint.events.select_related("credential")[:5]
    return render(
        request,
        "integrations/detail.html",
        {
            "endpoint": endpoint,
            "spec": spec,
            "signature_header": signatures.SCHEMES.get(spec.signature, ("", ""))[0],
            "mapping_rows": [
                {
                    "key": key,
                    "label": _(label),
                    "help": _(help_text) if help_text else "",
                    "value": form_mapping.get(key, ""),
                    "error": errors.get(f"mapping.{key}", ""),
                }
                for key, label, help_text in presets.MAPPING_FIELDS
            ],
            "condition_rows": _condition_rows(form_conditions),
            "operators": DataRule.Operator.choices,
            "achievements": _achievements(request.organization),
            "errors": errors,
            "condition_errors": [v for k, v in errors.items() if k.startswith("conditions")],
            "apps_script": presets.google_apps_script(endpoint.url, endpoint.signing_secret)
            if endpoint.preset == "google_forms"
            else "",
            "recent": recent,
        },
        status=422 if errors else 200,
    )


@member_required(Role.ADMIN)
@require_POST
def endpoint_preview(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    body = request.POST.get("sample", "").encode("utf-8")
    kind = (
        "application/x-www-form-urlencoded"
        if request.POST.get("sample_kind") == "form"
        else "application/json"
    )
    items, error = queries.preview(endpoint, body, kind) if body.strip() else ([], "paste a payload first")
    return render(
        request,
        "integrations/_preview.html",
        {
            "items": [{"evaluation": ev, "event_id": event_id} for ev, event_id in items],
            "error": error,
            "endpoint": endpoint,
        },
    )


@member_required(Role.ADMIN)
@require_POST
def endpoint_rotate(request, org_slug: str, public_id: str):
    endpoint = actions.rotate_token(_endpoint(request, public_id), actor=Actor.for_user(request.user))
    messages.warning(request, _("New URL created: the old one no longer works. Update it in the source."))
    return redirect("integrations:detail", org_slug, endpoint.public_id)


@member_required(Role.ADMIN)
@require_POST
def endpoint_delete(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    name = endpoint.name
    actions.delete_endpoint(endpoint, actor=Actor.for_user(request.user))
    messages.success(request, _("Endpoint “%(name)s” deleted; its URL no longer works.") % {"name": name})
    return redirect("integrations:list", org_slug)


@member_required(Role.ADMIN)
def endpoint_events(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    events = endpoint.events.select_related("credential")
    outcome = request.GET.get("outcome", "")
    if outcome in InboundEvent.Outcome.values:
        events = events.filter(outcome=outcome)
    return render(
        request,
        "integrations/events.html",
        {
            "endpoint": endpoint,
            "events": events[:200],
            "outcome": outcome,
            "outcomes": InboundEvent.Outcome.choices,
        },
    )


@member_required(Role.ADMIN)
@require_POST
def event_replay(request, org_slug: str, public_id: str, event_id: str):
    endpoint = _endpoint(request, public_id)
    event = get_object_or_404(
        InboundEvent.objects.select_related("endpoint"), public_id=event_id, endpoint=endpoint
    )
    try:
        event = actions.replay(event, actor=Actor.for_user(request.user))
    except actions.ReplayError as exc:
        messages.error(request, str(exc))
    else:
        level = messages.success if event.outcome == "issued" else messages.warning
        level(
            request,
            f"Replayed: {event.get_outcome_display().lower()}"
            + (f" — {event.reason}" if event.reason else ""),
        )
    return redirect(
        reverse("integrations:events", args=[org_slug, endpoint.public_id]) + f"#ev-{event.public_id}"
    )
