"""Inbound completion endpoints and their event log (scope ``admin``).

The receiving URL itself (``/hooks/in/<token>``) is not part of this API: sources post there with no API
key. See credstack.integrations.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from credstack.integrations import actions, presets, signatures
from credstack.integrations.models import InboundEndpoint, InboundEvent

from . import problems
from .auth import actor_for, require
from .schemas import AchievementRef

router = Router(tags=["inbound webhooks"])
PROBLEM = problems.RESPONSES

OperatorKey = Literal["eq", "ne", "gte", "gt", "lte", "lt", "in", "exists"]
if TYPE_CHECKING:  # built from the presets when the module loads, which a type checker cannot follow
    PresetKey = str
    MappingKey = str
else:
    PresetKey = Literal[tuple(presets.PRESETS)]
    MappingKey = Literal[tuple(k for k, _, _ in presets.MAPPING_FIELDS)]


class ConditionIn(Schema):
    path: str = Field(..., min_length=1, max_length=300, description="dotted path into the payload")
    operator: OperatorKey = "eq"
    value: Any = Field(None, description="JSON value compared with the payload's value")


class InboundEndpointIn(Schema):
    name: str = Field("", max_length=120, description="defaults to the preset's name")
    preset: PresetKey = Field("generic", description="the source platform")
    achievement: str | None = Field(
        None,
        max_length=64,
        description="id or slug of the achievement to issue; omit to map it from the payload",
    )
    mapping: dict[MappingKey, str] | None = Field(
        None, description="overrides of the preset's mapping (paths)"
    )
    conditions: list[ConditionIn] | None = Field(None, max_length=20, description="default: the preset's")
    signing_secret: str | None = Field(
        None, max_length=200, description="default: generated for shared-secret presets"
    )


class InboundEndpointOut(Schema):
    # Reads ``achievement``: select it with the endpoint.
    id: str = Field(..., alias="public_id")
    name: str
    preset: str
    url: str = Field(..., description="the secret receiving URL")
    achievement: AchievementRef | None
    mapping: dict[str, str]
    conditions: list[dict]
    signature_header: str = Field(..., description="header checked when a signing secret is set")
    has_signing_secret: bool
    enabled: bool
    created_at: datetime

    @staticmethod
    def resolve_signature_header(e: InboundEndpoint) -> str:
        return signatures.SCHEMES.get(presets.preset(e.preset).signature, ("", ""))[0]

    @staticmethod
    def resolve_has_signing_secret(e: InboundEndpoint) -> bool:
        return bool(e.signing_secret)


class InboundEndpointCreated(InboundEndpointOut):
    signing_secret: str = Field(..., description="shown only in this response")


class InboundEventOut(Schema):
    # Reads ``credential``: select it with the event.
    id: str = Field(..., alias="public_id")
    source_event_id: str
    outcome: Literal["received", "issued", "skipped", "failed"]
    reason: str
    recipient_email: str
    recipient_name: str
    credential: str | None = Field(None, description="id of the credential issued (or already held)")
    credential_url: str | None
    attempts: int
    received_at: datetime
    processed_at: datetime | None

    @staticmethod
    def resolve_credential(ev: InboundEvent) -> str | None:
        return ev.credential.public_id if ev.credential is not None else None

    @staticmethod
    def resolve_credential_url(ev: InboundEvent) -> str | None:
        return ev.credential.uri if ev.credential is not None else None


class EventFilters(Schema):
    outcome: Literal["received", "issued", "skipped", "failed"] | None = None
    limit: int = Field(100, ge=1, le=500)


def _endpoint(request, public_id: str) -> InboundEndpoint:
    return get_object_or_404(
        InboundEndpoint.objects.select_related("achievement"),
        public_id=public_id,
        organization=request.organization,
    )


@router.get(
    "/endpoints", response={200: list[InboundEndpointOut], **PROBLEM}, summary="List inbound endpoints"
)
def list_endpoints(request):
    require(request, "admin")
    return InboundEndpoint.objects.filter(organization=request.organization).select_related("achievement")


@router.post(
    "/endpoints",
    response={201: InboundEndpointCreated, **PROBLEM},
    summary="Create an inbound endpoint from a preset",
)
def create_endpoint(request, payload: InboundEndpointIn):
    require(request, "admin")
    endpoint = actions.create_endpoint(
        request.organization,
        name=payload.name,
        preset=payload.preset,
        achievement=payload.achievement,
        mapping=dict(payload.mapping) if payload.mapping is not None else None,
        conditions=[c.dict() for c in payload.conditions] if payload.conditions is not None else None,
        signing_secret=payload.signing_secret,
        actor=actor_for(request),
    )
    return Status(201, endpoint)


@router.get(
    "/endpoints/{public_id}", response={200: InboundEndpointOut, **PROBLEM}, summary="Get an inbound endpoint"
)
def get_endpoint(request, public_id: str):
    require(request, "admin")
    return _endpoint(request, public_id)


@router.get(
    "/endpoints/{public_id}/events",
    response={200: list[InboundEventOut], **PROBLEM},
    summary="The endpoint's events, newest first",
)
def list_events(request, public_id: str, filters: Query[EventFilters]):
    require(request, "admin")
    events = InboundEvent.objects.filter(endpoint=_endpoint(request, public_id)).select_related("credential")
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    return events[: filters.limit]


@router.post(
    "/endpoints/{public_id}/events/{event_id}/replay",
    response={200: InboundEventOut, 409: dict, **PROBLEM},
    summary="Process a stored event again with the endpoint's current mapping",
)
def replay_event(request, public_id: str, event_id: str):
    require(request, "admin")
    event = get_object_or_404(InboundEvent, public_id=event_id, endpoint=_endpoint(request, public_id))
    try:
        event = actions.replay(event, actor=actor_for(request))
    except actions.ReplayError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="already-issued")
    return InboundEvent.objects.select_related("credential").get(pk=event.pk)
