"""Webhook endpoints, their signing secret and their delivery log (scope ``admin``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status

from credstack.organizations.actors import Actor
from credstack.webhooks import actions
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint

from . import problems
from .schemas import (
    WebhookDeliveryOut,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookRedeliveryQueued,
)

router = Router(tags=["webhooks"])
PROBLEM = problems.RESPONSES


def _require_admin(request) -> None:
    from .v1 import require  # cycle: v1 imports this module to mount its router

    require(request, "admin")


def _actor(request) -> Actor:
    return Actor.for_api_key(request.auth)


def _endpoint_off() -> problems.Problem:
    return problems.Problem(
        409, "Conflict", "the endpoint is off: turn it on (PATCH enabled) first", slug="state-conflict"
    )


def _out(endpoint: WebhookEndpoint, with_secret: bool = False) -> dict:
    out = {
        "id": endpoint.public_id,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": endpoint.disabled_at,
        "previous_secret_expires_at": (
            endpoint.previous_secret_expires_at if endpoint.previous_secret_signs(timezone.now()) else None
        ),
        "created_at": endpoint.created_at,
    }
    if with_secret:
        out["secret"] = endpoint.secret
    return out


def _delivery_out(d: WebhookDelivery) -> dict:
    return {
        "id": d.pk,
        "event_type": d.message.event_type,
        "webhook_id": d.message.msg_id,
        "state": d.state,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "last_attempt_at": d.last_attempt_at,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    }


def _endpoint(request, public_id: str) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, public_id=public_id, organization=request.organization)


@router.get(
    "/endpoints", response={200: list[WebhookEndpointOut], **PROBLEM}, summary="List webhook endpoints"
)
def list_endpoints(request):
    _require_admin(request)
    return [_out(e) for e in WebhookEndpoint.objects.filter(organization=request.organization).order_by("id")]


@router.post(
    "/endpoints", response={201: WebhookEndpointCreated, **PROBLEM}, summary="Create a webhook endpoint"
)
def create_endpoint(request, payload: WebhookEndpointIn):
    _require_admin(request)
    endpoint = actions.create_endpoint(
        request.organization,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        actor=_actor(request),
    )
    return Status(201, _out(endpoint, with_secret=True))


@router.patch(
    "/endpoints/{public_id}",
    response={200: WebhookEndpointOut, **PROBLEM},
    summary="Change or re-enable an endpoint",
)
def update_endpoint(request, public_id: str, payload: WebhookEndpointPatch):
    _require_admin(request)
    endpoint = actions.update_endpoint(
        _endpoint(request, public_id), **payload.dict(exclude_unset=True), actor=_actor(request)
    )
    return _out(endpoint)


@router.delete("/endpoints/{public_id}", response={204: None, **PROBLEM}, summary="Delete an endpoint")
def delete_endpoint(request, public_id: str):
    _require_admin(request)
    actions.delete_endpoint(_endpoint(request, public_id), actor=_actor(request))
    return Status(204, None)


@router.post(
    "/endpoints/{public_id}/rotate-secret",
    response={200: WebhookEndpointCreated, **PROBLEM},
    summary="Make a new signing secret; the previous one keeps signing for the overlap window",
    description=(
        "Returns the new secret, once. Until `previous_secret_expires_at` (24 hours by default) every "
        "delivery carries a `v1,` signature with the new secret and one with the previous secret, so the "
        "receiver keeps verifying while it is updated. `DELETE .../previous-secret` ends that at once."
    ),
)
def rotate_secret(request, public_id: str):
    _require_admin(request)
    endpoint = actions.rotate_secret(_endpoint(request, public_id), actor=_actor(request))
    return _out(endpoint, with_secret=True)


@router.delete(
    "/endpoints/{public_id}/previous-secret",
    response={204: None, **PROBLEM},
    summary="Stop signing with the previous secret now (it may have leaked)",
)
def end_rotation_overlap(request, public_id: str):
    _require_admin(request)
    actions.end_rotation_overlap(_endpoint(request, public_id), actor=_actor(request))
    return Status(204, None)


@router.get(
    "/endpoints/{public_id}/deliveries",
    response={200: list[WebhookDeliveryOut], **PROBLEM},
    summary="The endpoint's delivery log, newest first",
)
def list_deliveries(request, public_id: str):
    _require_admin(request)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=_endpoint(request, public_id))
        .select_related("message")
        .order_by("-id")[:200]
    )
    return [_delivery_out(d) for d in deliveries]


@router.post(
    "/endpoints/{public_id}/deliveries/{delivery_id}/redeliver",
    response={200: WebhookDeliveryOut, 409: dict, **PROBLEM},
    summary="Send a delivery again now",
    description="The endpoint must be enabled (409 otherwise).",
)
def redeliver(request, public_id: str, delivery_id: int):
    _require_admin(request)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint__organization", "message"),
        pk=delivery_id,
        endpoint=_endpoint(request, public_id),
    )
    try:
        return _delivery_out(actions.redeliver(delivery, actor=_actor(request)))
    except actions.EndpointOff:
        raise _endpoint_off() from None


@router.post(
    "/endpoints/{public_id}/deliveries/redeliver-failed",
    response={202: WebhookRedeliveryQueued, 409: dict, **PROBLEM},
    summary="Queue again every delivery that failed in the last 3 days",
    description=(
        "For an endpoint that is on again: each failed delivery (test events aside) is queued once more "
        "with the same body and `webhook-id`, oldest first, and tried once by the worker. Calling it "
        "again queues nothing twice. The endpoint must be enabled (409 otherwise)."
    ),
)
def redeliver_failed(request, public_id: str):
    _require_admin(request)
    try:
        queued = actions.redeliver_failed(_endpoint(request, public_id), actor=_actor(request))
    except actions.EndpointOff:
        raise _endpoint_off() from None
    return Status(202, {"queued": queued})
