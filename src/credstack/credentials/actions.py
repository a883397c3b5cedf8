"""Every write to a credential goes through here.

Issuance is one pipeline for every trigger (command line, form, CSV, API, webhook, course,
pathway): validate -> reserve a status slot -> compose -> sign -> verify what was signed ->
persist -> after commit, deliver.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.organizations.actions import active_key
from credstack.vc import keys as vc_keys
from credstack.vc import ob3, proofs
from credstack.vc import status as vc_status

from . import signals, status_lists
from .models import Credential, CredentialEvent
from .validation import clean_email, clean_name

log = logging.getLogger(__name__)


class CredentialStateError(Exception):
    """The requested change does not apply to the credential's current state."""


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class IssueRequest:
    achievement: Achievement
    recipient_name: str
    recipient_email: str
    valid_until: datetime | None = None
    result: list[dict] | None = None
    evidence: list[dict] | None = None
    activity_start: datetime | None = None
    activity_end: datetime | None = None
    source: str = "manual"
    idempotency_key: str | None = None
    actor: object | None = None


def issue_credential(request: IssueRequest | None = None, /, **fields) -> Credential:
    """Issue one credential. Pass an ``IssueRequest`` or its fields as keywords.

    With an ``idempotency_key``, issuing again returns the credential issued the first time.
    """
    req = request or IssueRequest(**fields)
    achievement = req.achievement
    org = achievement.organization
    name = clean_name(req.recipient_name, "recipient_name")
    email = clean_email(req.recipient_email, "recipient_email")

    if req.idempotency_key:
        existing = Credential.objects.filter(organization=org, idempotency_key=req.idempotency_key).first()
        if existing:
            return existing

    now = timezone.now().replace(microsecond=0)
    valid_until = req.valid_until
    if valid_until is None and achievement.valid_for_months:
        valid_until = add_months(now, achievement.valid_for_months)

    [(status_list, index)] = status_lists.allocate_slots(org, 1)
    key = active_key(org)
    signer = key.load()
    credential = Credential(
        organization=org,
        achievement=achievement,
        recipient_name=name,
        recipient_email=email,
        status_list=status_list,
        status_index=index,
        issued_at=now,
        valid_until=valid_until,
        source=req.source,
        idempotency_key=req.idempotency_key or None,
        created_by=req.actor if getattr(req.actor, "pk", None) else None,
    )
    unsigned = ob3.compose(
        issuer=org.profile(),
        achievement=achievement.as_ob3(),
        recipient_email=email,
        recipient_name=name,
        credential_id=credential.uri,
        valid_from=now,
        valid_until=valid_until,
        result=req.result,
        evidence=req.evidence,
        activity_start=req.activity_start,
        activity_end=req.activity_end,
        status_entries=[vc_status.entry(status_list.url(p), index, p) for p in status_list.PURPOSES],
    )
    signed = proofs.sign(unsigned, signer, key.verification_method, created=now)
    public = vc_keys.public_key_from_multibase(key.public_multibase)
    check = proofs.verify(signed, lambda vm: public if vm == key.verification_method else None)
    if not check.verified:
        raise RuntimeError(f"credential failed verification right after signing: {check}")
    credential.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))

    try:
        with transaction.atomic():
            credential.save()
            CredentialEvent.objects.create(
                credential=credential, kind="issued", actor=credential.created_by, note=f"via {req.source}"
            )
            transaction.on_commit(lambda: _after_issue(credential.pk))
    except IntegrityError:
        if req.idempotency_key:
            return Credential.objects.get(organization=org, idempotency_key=req.idempotency_key)
        raise
    log.info("credential issued: %s (%s)", credential.public_id, achievement.slug)
    return credential


def _after_issue(credential_id: int) -> None:
    from .tasks import deliver_credential

    deliver_credential.enqueue(credential_id)
    signals.credential_issued.send(sender=Credential, credential=Credential.objects.get(pk=credential_id))


def _change_state(
    credential: Credential,
    *,
    allowed: set[str],
    new_state: str,
    purpose: str,
    bit: bool,
    event: str,
    actor=None,
    note: str = "",
) -> Credential:
    with transaction.atomic():
        cred = Credential.objects.select_for_update().get(pk=credential.pk)
        if cred.state not in allowed:
            raise CredentialStateError(
                f"credential {cred.public_id} is {cred.state}; cannot {event.rstrip('d')}"
            )
        status_lists.set_bit(cred.status_list_id, cred.status_index, purpose, bit)
        cred.state = new_state
        fields = ["state"]
        if new_state == Credential.State.REVOKED:
            cred.revoked_at, cred.revocation_reason = timezone.now(), note
            fields += ["revoked_at", "revocation_reason"]
        cred.save(update_fields=fields)
        CredentialEvent.objects.create(
            credential=cred, kind=event, actor=actor if getattr(actor, "pk", None) else None, note=note
        )
        transaction.on_commit(
            lambda: signals.credential_state_changed.send(sender=Credential, credential=cred, event=event)
        )
    log.info("credential %s: %s", event, cred.public_id)
    return cred


def revoke_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    """Revoke for good: the revocation bit is set and the list re-signed."""
    return _change_state(
        credential,
        allowed={"active", "suspended"},
        new_state="revoked",
        purpose="revocation",
        bit=True,
        event="revoked",
        actor=actor,
        note=reason,
    )


def suspend_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return _change_state(
        credential,
        allowed={"active"},
        new_state="suspended",
        purpose="suspension",
        bit=True,
        event="suspended",
        actor=actor,
        note=reason,
    )


def reinstate_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return _change_state(
        credential,
        allowed={"suspended"},
        new_state="active",
        purpose="suspension",
        bit=False,
        event="reinstated",
        actor=actor,
        note=reason,
    )
