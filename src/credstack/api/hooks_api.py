"""REST Hooks (the subscription pattern of Zapier, Make and n8n), on top of the outbound webhooks.

An automation platform subscribes a URL to one event type (``POST /hooks``), gets the events as ordinary
signed webhook deliveries, and unsubscribes (``DELETE /hooks/{id}``) when the user turns its trigger off;
a receiver that answers 410 Gone is unsubscribed too. ``GET /hooks/samples?event=…`` gives the recent
bodies a platform shows while the user maps fields. Scope ``admin``, as for webhook endpoints.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from credstack.webhooks import actions, samples
from credstack.webhooks.models import EVENT_TYPES, WebhookEndpoint

from . import problems
from .auth import actor_for, require

router = Router(tags=["rest hooks"])
PROBLEM = problems.RESPONSES


class HookIn(Schema):
    target_url: str = Field(..., max_length=2000, description="where the events are POSTed")
    event: str = Field(..., description="one event type: " + ", ".join(EVENT_TYPES))


class HookOut(Schema):
    id: str = Field(..., alias="public_id")
    target_url: str = Field(..., alias="url")
    event: str
    enabled: bool
    created_at: datetime

    @staticmethod
    def resolve_event(endpoint: WebhookEndpoint) -> str:
        return endpoint.event_types[0] if endpoint.event_types else ""


class HookCreated(HookOut):
    secret: str = Field(
        ..., description="the Standard Webhooks signing secret (whsec_...), to verify deliveries; shown once"
    )


def _hooks(request):
    return WebhookEndpoint.objects.filter(organization=request.organization, rest_hook=True)


@router.get("", response={200: list[HookOut], **PROBLEM}, summary="List REST hook subscriptions")
def list_hooks(request):
    require(request, "admin")
    return _hooks(request).order_by("id")


@router.post(
    "",
    response={201: HookCreated, **PROBLEM},
    summary="Subscribe a URL to an event type",
    description="Each event of that type is POSTed to `target_url` as JSON `{type, timestamp, data}`, "
    "signed per Standard Webhooks. A receiver answering 410 Gone is unsubscribed.",
)
def subscribe(request, payload: HookIn):
    require(request, "admin")
    hook = actions.subscribe_hook(
        request.organization, target_url=payload.target_url, event=payload.event, actor=actor_for(request)
    )
    return Status(201, hook)


# before "/{public_id}", which would take "samples" for an id
@router.get(
    "/samples",
    response={200: list[dict], **PROBLEM},
    summary="Recent bodies of an event type, for mapping fields",
    description="The organization's three latest bodies of the event type, newest first, exactly as they "
    "were sent; one example of the same shape when there is none yet.",
)
def sample_bodies(request, event: str = Query(..., description="the event type")):
    require(request, "admin")
    if event not in EVENT_TYPES:
        raise problems.Problem(
            404, "Not Found", f"no event type {event!r}; one of: {', '.join(EVENT_TYPES)}", slug="not-found"
        )
    return samples.recent(request.organization, event)


@router.delete("/{public_id}", response={204: None, **PROBLEM}, summary="Unsubscribe")
def unsubscribe(request, public_id: str):
    require(request, "admin")
    actions.unsubscribe_hook(
        get_object_or_404(_hooks(request), public_id=public_id), actor=actor_for(request)
    )
    return Status(204, None)
