"""Webhook endpoints, their signing secret and their delivery log (scope ``admin``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from credstack.webhooks import actions
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint

from . import problems
from .auth import actor_for, require
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


def _endpoint_off() -> problems.Problem:
    return problems.Problem(
        409, "Conflict", "the endpoint is off: turn it on (PATCH enabled) first", slug="state-conflict"
    )


def _endpoint(request, public_id: str) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, public_id=public_id, organization=request.organization)


@router.get(
    "/endpoints", response={200: list[WebhookEndpointOut], **PROBLEM}, summary="List webhook endpoints"
)
def list_endpoints(request):
    require(request, "admin")
    return WebhookEndpoint.objects.filter(organization=request.organization).order_by("id")


@router.post(
    "/endpoints", response={201: WebhookEndpointCreated, **PROBLEM}, summary="Create a webhook endpoint"
)
def create_endpoint(request, payload: WebhookEndpointIn):
    require(request, "admin")
    endpoint = actions.create_endpoint(
        request.organization,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        actor=actor_for(request),
    )
    return Status(201, endpoint)


@router.patch(
    "/endpoints/{public_id}",
    response={200: WebhookEndpointOut, **PROBLEM},
    summary="Change or re-enable an endpoint",
)
def update_endpoint(request, public_id: str, payload: WebhookEndpointPatch):
    require(request, "admin")
    endpoint = actions.update_endpoint(
        _endpoint(request, public_id), **payload.dict(exclude_unset=True), actor=actor_for(request)
    )
    return endpoint


@router.delete("/endpoints/{public_id}", response={204: None, **PROBLEM}, summary="Delete an endpoint")
def delete_endpoint(request, public_id: str):
    require(request, "admin")
    actions.delete_endpoint(_endpoint(request, public_id), actor=actor_for(request))
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
    require(request, "admin")
    endpoint = actions.rotate_secret(_endpoint(request, public_id), actor=actor_for(request))
    return endpoint  # as WebhookEndpointCreated: with the new secret


@router.delete(
    "/endpoints/{public_id}/previous-secret",
    response={204: None, **PROBLEM},
    summary="Stop signing with the previous secret now (it may have leaked)",
)
def end_rotation_overlap(request, public_id: str):
    require(request, "admin")
    actions.end_rotation_overlap(_endpoint(request, public_id), actor=actor_for(request))
    return Status(204, None)


@router.get(
    "/endpoints/{public_id}/deliveries",
    response={200: list[WebhookDeliveryOut], **PROBLEM},
    summary="The endpoint's delivery log, newest first",
)
def list_deliveries(request, public_id: str):
    require(request, "admin")
    return (
        WebhookDelivery.objects.filter(endpoint=_endpoint(request, public_id))
        .select_related("message")
        .order_by("-id")[:200]
    )


@router.post(
    "/endpoints/{public_id}/deliveries/{delivery_id}/redeliver",
    response={200: WebhookDeliveryOut, 409: dict, **PROBLEM},
    summary="Send a delivery again now",
    description="The endpoint must be enabled (409 otherwise).",
)
def redeliver(request, public_id: str, delivery_id: int):
    require(request, "admin")
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint__organization", "message"),
        pk=delivery_id,
        endpoint=_endpoint(request, public_id),
    )
    try:
        return actions.redeliver(delivery, actor=actor_for(request))
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
    require(request, "admin")
    try:
        queued = actions.redeliver_failed(_endpoint(request, public_id), actor=actor_for(request))
    except actions.EndpointOff:
        raise _endpoint_off() from None
    return Status(202, {"queued": queued})
