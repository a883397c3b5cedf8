"""The JSON API, version 1: ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.throttling import AuthRateThrottle

from credstack.achievements.models import Achievement
from credstack.credentials import actions
from credstack.credentials import queries as credential_queries
from credstack.credentials.models import Credential

from . import batch_api, learning_api, problems
from .auth import ApiKeyAuth, actor_for
from .schemas import (
    AchievementOut,
    CredentialDetail,
    CredentialPage,
    IsoDateTime,
    IssueIn,
    ReasonIn,
    RevokeIn,
    _iso_datetime,
)
from .webhooks_api import router as webhooks_router


class KeyRateThrottle(AuthRateThrottle):
    """Per API key; the rate (``CREDSTACK_API_RATE``, e.g. "600/m") is read on every request."""

    def allow_request(self, request) -> bool:
        self.rate = settings.CREDSTACK_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


class CredstackAPI(NinjaAPI):
    """Documents every error response as ``application/problem+json`` with the Problem schema."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400:
                        response["content"] = problem
        return schema


api = CredstackAPI(
    title="credstack API",
    version="1",
    description="Issue, manage and look up verifiable credentials (Open Badges 3.0). Authenticate with "
    "`Authorization: Bearer <API key>`; send `Idempotency-Key` on POSTs; errors are RFC 9457 problem details.",
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    throttle=[KeyRateThrottle("600/m")],
    docs_url="/docs",
)
problems.install(api)

achievements = Router(tags=["achievements"])
credentials = Router(tags=["credentials"])

PROBLEM = problems.RESPONSES


def require(request, scope: str) -> None:
    if not request.auth.allows(scope):
        raise problems.Problem(
            403,
            "Forbidden",
            f"this API key has scope '{request.auth.scope}'; this operation needs '{scope}'",
            slug="insufficient-scope",
        )


# --- achievements -----------------------------------------------------------------------------------


def _achievement_out(a: Achievement) -> dict:
    return {
        "id": a.public_id,
        "slug": a.slug,
        "name": a.name,
        "description": a.description,
        "criteria_narrative": a.criteria_narrative,
        "criteria_url": a.criteria_url,
        "achievement_type": a.achievement_type,
        "tags": list(a.tags or []),
        "alignments": list(a.alignments or []),
        "valid_for_months": a.valid_for_months,
        "url": a.uri,
    }


def _achievement(request, ref: str) -> Achievement:
    return get_object_or_404(Achievement, Q(public_id=ref) | Q(slug=ref), organization=request.organization)


@achievements.get("", response={200: list[AchievementOut], **PROBLEM}, summary="List achievements")
def list_achievements(request):
    return [
        _achievement_out(a)
        for a in Achievement.objects.filter(organization=request.organization).order_by("name")
    ]


@achievements.get(
    "/{ref}", response={200: AchievementOut, **PROBLEM}, summary="Get an achievement by id or slug"
)
def get_achievement(request, ref: str):
    return _achievement_out(_achievement(request, ref))


# --- credentials ------------------------------------------------------------------------------------


def _credential_out(c: Credential, detail: bool = False) -> dict:
    out = {
        "id": c.public_id,
        "url": c.uri,
        "achievement": {
            "id": c.achievement.public_id,
            "slug": c.achievement.slug,
            "name": c.achievement.name,
        },
        "recipient": {"name": c.recipient_name, "email": c.recipient_email},
        "state": c.state,
        "issued_at": c.issued_at,
        "valid_until": c.valid_until,
        "revoked_at": c.revoked_at,
        "revocation_reason": c.revocation_reason,
        "replaced_by": c.replaced_by.uri if c.replaced_by_id else None,
        "links": {"page": c.uri, "json": f"{c.uri}.json"},
    }
    if detail:
        out["credential"] = c.signed()
    return out


def _credential(request, public_id: str) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("achievement", "replaced_by"),
        public_id=public_id,
        organization=request.organization,
    )


def _encode_cursor(c: Credential) -> str:
    raw = json.dumps([c.issued_at.isoformat(), c.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        issued_at, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return _iso_datetime(issued_at), int(pk)  # in UTC, whatever offset a forged cursor carries
    except (ValueError, TypeError):
        raise problems.Problem(
            422,
            "The request is not valid",
            "cursor: not a cursor this API returned",
            slug="validation-error",
            errors=[{"field": "cursor", "message": "invalid cursor"}],
        )


class CredentialFilters(Schema):
    achievement: str | None = None
    state: Credential.State | None = None
    email: str | None = None
    q: str | None = None
    issued_after: IsoDateTime | None = None
    issued_before: IsoDateTime | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


@credentials.post("", response={201: CredentialDetail, **PROBLEM}, summary="Issue one credential")
def issue(request, payload: IssueIn):
    require(request, "issue")
    achievement = _achievement(request, payload.achievement)
    credential = actions.issue_credential(
        achievement=achievement,
        recipient_name=payload.recipient.name,
        recipient_email=payload.recipient.email,
        valid_until=payload.valid_until,
        activity_start=payload.activity_start,
        activity_end=payload.activity_end,
        source="api",
        actor=actor_for(request),
        # with an Idempotency-Key, a retry after a crash finds this credential instead of issuing again
        idempotency_key=getattr(request, "credstack_idempotency_key", None),
        result=[r.dict(by_alias=True, exclude_none=True) for r in payload.result or []] or None,
        evidence=[e.dict(exclude_none=True) for e in payload.evidence or []] or None,
    )
    return Status(201, _credential_out(credential, detail=True))


@credentials.get("", response={200: CredentialPage, **PROBLEM}, summary="List credentials (newest first)")
def list_credentials(request, filters: Query[CredentialFilters]):
    qs = Credential.objects.filter(organization=request.organization).select_related(
        "achievement", "replaced_by"
    )
    if filters.achievement:
        qs = qs.filter(
            Q(achievement__public_id=filters.achievement) | Q(achievement__slug=filters.achievement)
        )
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.email:
        qs = qs.filter(recipient_email__iexact=filters.email)
    if filters.q:  # the workspace's search box, the same meaning (decision 0024)
        qs = credential_queries.search(qs, filters.q)
    if filters.issued_after:
        qs = qs.filter(issued_at__gte=filters.issued_after)
    if filters.issued_before:
        qs = qs.filter(issued_at__lt=filters.issued_before)
    if filters.cursor:
        issued_at, pk = _decode_cursor(filters.cursor)
        qs = qs.filter(Q(issued_at__lt=issued_at) | Q(issued_at=issued_at, pk__lt=pk))
    page = list(qs.order_by("-issued_at", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [_credential_out(c) for c in page],
        "next_cursor": _encode_cursor(page[-1]) if more else None,
    }


@credentials.get("/{public_id}", response={200: CredentialDetail, **PROBLEM}, summary="Get a credential")
def get_credential(request, public_id: str):
    return _credential_out(_credential(request, public_id), detail=True)


def _state_change(request, public_id: str, action, reason: str):
    require(request, "issue")
    credential = _credential(request, public_id)
    try:
        action(credential, reason=reason, actor=actor_for(request))
    except actions.CredentialStateError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="state-conflict")
    return _credential_out(_credential(request, public_id), detail=True)


@credentials.post(
    "/{public_id}/revoke",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    summary="Revoke a credential (final)",
)
def revoke(request, public_id: str, payload: RevokeIn):
    return _state_change(request, public_id, actions.revoke_credential, payload.reason)


@credentials.post(
    "/{public_id}/suspend",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    summary="Suspend a credential",
)
def suspend(request, public_id: str, payload: ReasonIn):
    return _state_change(request, public_id, actions.suspend_credential, payload.reason)


@credentials.post(
    "/{public_id}/reinstate",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    summary="Reinstate a suspended credential",
)
def reinstate(request, public_id: str, payload: ReasonIn):
    return _state_change(request, public_id, actions.reinstate_credential, payload.reason)


api.add_router("/achievements", achievements)
api.add_router("/credentials/batches", batch_api.batches)
api.add_router("/credentials", credentials)
api.add_router("/credentials", batch_api.credential_extras)
api.add_router("/designs", batch_api.designs)
api.add_router("/webhooks", webhooks_router)
api.add_router("/courses", learning_api.courses)
api.add_router("/pathways", learning_api.pathways)
api.add_router("/recipients", learning_api.recipients)
from .inbound_api import router as inbound_router  # noqa: E402 (issue 6: inbound completion webhooks)

api.add_router("/inbound", inbound_router)
