"""Batches (issuing many as one asynchronous job), corrections, expiry, resend, and designs (read)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.designs.models import Design
from credstack.workspace import bulk, tables
from credstack.workspace.models import BulkJob, BulkRow

from . import lookups, problems
from .auth import actor_for, require
from .schemas import BatchIn, BatchOut, CorrectIn, CredentialDetail, DesignOut, ExpiryIn

batches = Router(tags=["credentials"])
credential_extras = Router(tags=["credentials"])
designs = Router(tags=["designs"])
PROBLEM = {**problems.RESPONSES, 409: dict}


def _with_rows(job: BulkJob) -> BulkJob:
    """The job with what ``BatchOut`` reads: its rows in order, each with its credential."""
    rows = BulkRow.objects.select_related("credential").order_by("number")
    prefetch_related_objects([job], Prefetch("rows", queryset=rows))
    return job


@batches.post(
    "",
    response={202: BatchOut, **PROBLEM},
    summary="Issue a batch as an asynchronous job (poll it for progress)",
)
def create_batch(request, payload: BatchIn):
    require(request, "issue")
    achievement = lookups.achievement(request, payload.achievement)
    actor = actor_for(request)
    # A refused batch changes nothing: the job, its rows and its audit row roll back with the Problem.
    with transaction.atomic():
        try:
            job = bulk.prepare_job(
                organization=request.organization,
                achievement=achievement,
                filename="api-batch.json",
                data=tables.recipients_json(r.dict() for r in payload.recipients),
                kind=tables.JSON_KIND,
                mapping={"name": "name", "email": "email", "score": "score"},
                actor=actor,
            )
        except tables.FileProblem as exc:
            raise problems.Problem(422, "The batch cannot be read", str(exc), slug="validation-error")
        invalid = [r for r in job.rows.order_by("number") if r.outcome == "invalid"]
        if invalid and not payload.skip_invalid:
            errors = [
                {
                    "field": f"recipients.{r.number - 2}.{p.get('field', '')}".rstrip("."),
                    "message": p["message"],
                }
                for r in invalid
                for p in r.problems
            ]
            raise problems.Problem(
                422,
                "Some recipients are not valid",
                f"{len(invalid)} of {len(payload.recipients)} recipients have problems; fix them or "
                "send skip_invalid=true to issue the others",
                slug="validation-error",
                errors=errors,
            )
    return Status(202, _with_rows(bulk.start_job(job, actor=actor)))


@batches.get("/{public_id}", response={200: BatchOut, **PROBLEM}, summary="A batch's progress and results")
def get_batch(request, public_id: str):
    job = get_object_or_404(
        BulkJob.objects.select_related("achievement"), public_id=public_id, organization=request.organization
    )
    return _with_rows(job)


def _detail(request, credential: Credential) -> Credential:
    """The credential as it is now, with what ``CredentialDetail`` reads."""
    return lookups.credential(request, credential.public_id)


@credential_extras.post(
    "/{public_id}/correct",
    response={201: CredentialDetail, **PROBLEM},
    summary="Correct a credential: a new one replaces it (the old one is revoked)",
)
def correct(request, public_id: str, payload: CorrectIn):
    require(request, "issue")
    try:
        new = actions.correct_credential(
            lookups.credential(request, public_id),
            recipient_name=payload.recipient_name,
            recipient_email=payload.recipient_email,
            reason=payload.reason,
            actor=actor_for(request),
        )
    except actions.CredentialStateError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="state-conflict")
    return Status(201, _detail(request, new))


@credential_extras.post(
    "/{public_id}/expiry",
    response={200: CredentialDetail, **PROBLEM},
    summary="Change when a credential expires (it is re-signed under the same id)",
)
def expiry(request, public_id: str, payload: ExpiryIn):
    require(request, "issue")
    try:
        credential = actions.change_expiry(
            lookups.credential(request, public_id),
            valid_until=payload.valid_until,
            note=payload.note,
            actor=actor_for(request),
        )
    except actions.CredentialStateError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="state-conflict")
    return _detail(request, credential)


@credential_extras.post(
    "/{public_id}/resend",
    response={202: dict, **PROBLEM},
    summary="Email the credential's links to the recipient again",
)
def resend(request, public_id: str):
    require(request, "issue")
    actions.resend_credential(lookups.credential(request, public_id), actor=actor_for(request))
    return Status(202, {"queued": True})


@credential_extras.post(
    "/{public_id}/renew",
    response={201: CredentialDetail, **PROBLEM},
    summary="Renew a credential that is due: a new one, valid for the achievement's full period, replaces it",
    description="Due: active, with an end date within `CREDSTACK_RENEWAL_WINDOW_DAYS` (60) or past. "
    "409 otherwise, saying when renewal opens. Renewing again returns the same renewal.",
)
def renew(request, public_id: str):
    require(request, "issue")
    try:
        new = actions.renew_as_issued(lookups.credential(request, public_id), actor=actor_for(request))
    except actions.CredentialStateError as exc:
        raise problems.Problem(409, "Conflict", str(exc), slug="state-conflict") from None
    return Status(201, lookups.credential(request, new.public_id))


@designs.get("", response={200: list[DesignOut], **PROBLEM}, summary="List certificate designs")
def list_designs(request):
    return (
        Design.objects.filter(organization=request.organization)
        .select_related("current")
        .order_by("name", "id")
    )


@designs.get("/{public_id}", response={200: DesignOut, **PROBLEM}, summary="Get a certificate design")
def get_design(request, public_id: str):
    return get_object_or_404(
        Design.objects.select_related("current"), public_id=public_id, organization=request.organization
    )
