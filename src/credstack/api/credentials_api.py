"""Credentials: issue one, list and search, get, and change its state (revoke, suspend, reinstate)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from credstack.credentials import actions
from credstack.credentials import queries as credential_queries
from credstack.credentials.models import Credential
from credstack.outbox import actions as outbox

from . import lookups, problems
from .auth import actor_for, require
from .schemas import CredentialDetail, CredentialPage, IsoDateTime, IssueIn, ReasonIn, RevokeIn, iso_datetime

router = Router(tags=["credentials"])
PROBLEM = problems.RESPONSES
# operationIds are part of the published contract (generated clients name their methods after them):
# these operations keep the ids they had when they were written in v1.py.
V1_ID = "credstack_api_v1_"


def _encode_cursor(c: Credential) -> str:
    raw = json.dumps([c.issued_at.isoformat(), c.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        issued_at, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return iso_datetime(issued_at), int(pk)  # in UTC, whatever offset a forged cursor carries
    except (ValueError, TypeError):
        raise problems.Problem(
            422,
            "The request is not valid",
            "cursor: not a cursor this API returned",
            slug="validation-error",
            errors=[{"field": "cursor", "message": "invalid cursor"}],
        ) from None


class CredentialFilters(Schema):
    achievement: str | None = None
    state: Credential.State | None = None
    email: str | None = None
    q: str | None = None
    issued_after: IsoDateTime | None = None
    issued_before: IsoDateTime | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


@router.post(
    "",
    response={201: CredentialDetail, 409: dict, **PROBLEM},
    operation_id=V1_ID + "issue",
    summary="Issue one credential",
    description="409 (already-held) when the recipient already holds an active credential for the "
    "achievement, unless `allow_duplicate` is true; the problem's `errors[0].credential` is its id.",
)
def issue(request, payload: IssueIn):
    require(request, "issue")
    try:
        credential = _issue(request, payload)
    except actions.AlreadyHeld as exc:
        held = exc.existing
        raise problems.Problem(
            409,
            "Already held",
            f"{exc}. Send allow_duplicate: true to issue another one anyway.",
            slug="already-held",
            errors=[
                {
                    "field": "recipient.email",
                    "message": "already holds an active credential for this achievement",
                    "credential": held.public_id,
                    "url": held.uri,
                }
            ],
        ) from None
    return Status(201, credential)


def _issue(request, payload: IssueIn) -> Credential:
    # the credential's email, webhooks and pathways go to a worker right after the commit: the client
    # waits for its credential only (decision 0068)
    with outbox.to_worker():
        return _issue_now(request, payload)


def _issue_now(request, payload: IssueIn) -> Credential:
    return actions.issue_credential(
        achievement=lookups.achievement(request, payload.achievement),
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
        duplicates="allow" if payload.allow_duplicate else "refuse",
    )


@router.get(
    "",
    response={200: CredentialPage, **PROBLEM},
    operation_id=V1_ID + "list_credentials",
    summary="List credentials (newest first)",
)
def list_credentials(request, filters: Query[CredentialFilters]):
    qs = lookups.credentials(request)
    if filters.achievement:
        qs = qs.filter(
            Q(achievement__public_id=filters.achievement) | Q(achievement__slug=filters.achievement)
        )
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.email:
        qs = qs.filter(recipient_email__iexact=filters.email)
    if filters.q:  # the workspace's search box, the same meaning (decision 0024)
        qs = credential_queries.search(qs, filters.q, achievements=request.organization.achievements.all())
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
    return {"items": page, "next_cursor": _encode_cursor(page[-1]) if more else None}


@router.get(
    "/{public_id}",
    response={200: CredentialDetail, **PROBLEM},
    operation_id=V1_ID + "get_credential",
    summary="Get a credential",
)
def get_credential(request, public_id: str):
    return lookups.credential(request, public_id)


def _state_change(request, public_id: str, action: Callable[..., object], reason: str) -> Credential:
    require(request, "issue")
    try:
        action(lookups.credential(request, public_id), reason=reason, actor=actor_for(request))
    except actions.CredentialStateError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="state-conflict") from None
    return lookups.credential(request, public_id)


@router.post(
    "/{public_id}/revoke",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    operation_id=V1_ID + "revoke",
    summary="Revoke a credential (final)",
)
def revoke(request, public_id: str, payload: RevokeIn):
    return _state_change(request, public_id, actions.revoke_credential, payload.reason)


@router.post(
    "/{public_id}/suspend",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    operation_id=V1_ID + "suspend",
    summary="Suspend a credential",
)
def suspend(request, public_id: str, payload: ReasonIn):
    return _state_change(request, public_id, actions.suspend_credential, payload.reason)


@router.post(
    "/{public_id}/reinstate",
    response={200: CredentialDetail, 409: dict, **PROBLEM},
    operation_id=V1_ID + "reinstate",
    summary="Reinstate a suspended credential",
)
def reinstate(request, public_id: str, payload: ReasonIn):
    return _state_change(request, public_id, actions.reinstate_credential, payload.reason)
