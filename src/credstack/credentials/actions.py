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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.organizations import signing
from credstack.organizations.actions import active_key
from credstack.vc import dates as vc_dates
from credstack.vc import ob3
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
    # Certificate merge values beyond the standard ones (score, a bulk file's extra columns).
    merge_fields: dict | None = None
    # Defaults: the achievement's current version and its design's current version.
    achievement_version: object | None = None
    design_version: object | None = None
    # A status slot reserved in advance (bulk issuance reserves them in blocks).
    status_slot: tuple | None = None


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

    from credstack.achievements.actions import current_version

    if req.achievement_version is None:  # as stored now (the caller's instance may be stale)
        achievement = Achievement.objects.select_related("organization").get(pk=achievement.pk)
    version = req.achievement_version or current_version(achievement)
    snapshot = dict(version.data)
    extra = snapshot.pop("extra", {}) or {}
    valid_for_months = snapshot.pop("valid_for_months", None)
    design_version = req.design_version
    if design_version is None:  # the achievement's design as it is now (the instance may be stale)
        from credstack.designs.models import DesignVersion

        design_version = DesignVersion.objects.filter(
            pk=Achievement.objects.filter(pk=achievement.pk).values("design__current_id")[:1]
        ).first()

    now = timezone.now().replace(microsecond=0)
    valid_until = req.valid_until
    if valid_until is None and valid_for_months:
        valid_until = add_months(now, valid_for_months)

    [(status_list, index)] = [req.status_slot] if req.status_slot else status_lists.allocate_slots(org, 1)
    key = active_key(org)
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
        achievement_version=version,
        design_version=design_version,
        merge_fields=dict(req.merge_fields or {}),
    )
    unsigned = ob3.compose(
        issuer=org.profile(),
        achievement=snapshot,
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
    unsigned["credentialSubject"]["achievement"].update(extra)
    signed = signing.sign(unsigned, key, created=now)  # raises if what it signed does not verify
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
    credential = Credential.objects.select_related("organization", "achievement").get(pk=credential_id)
    signals.credential_issued.send(sender=Credential, credential=credential)


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


# ---- corrections, expiry, resend (the workspace's per-credential actions) --------------------------


def correct_credential(
    credential: Credential,
    *,
    recipient_name: str | None = None,
    recipient_email: str | None = None,
    reason: str,
    actor=None,
) -> Credential:
    """Fix a credential (a typo in the name): a new credential replaces the old one.

    The old one is revoked with the reason "Replaced by <new URL>" (so every verifier sees it is no
    longer valid), points at its replacement (its page says so and links there) and gets a "replaced"
    event. The new one keeps the achievement version, design version, merge fields and expiry.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "is required"})
    old = Credential.objects.select_related("achievement__organization").get(pk=credential.pk)
    if old.state == Credential.State.REVOKED:
        raise CredentialStateError(f"credential {old.public_id} is revoked; it cannot be corrected")
    name = clean_name(recipient_name if recipient_name is not None else old.recipient_name, "recipient_name")
    email = clean_email(
        recipient_email if recipient_email is not None else old.recipient_email, "recipient_email"
    )
    if name == old.recipient_name and email == old.recipient_email:
        raise ValidationError({"recipient_name": "is unchanged: change the name or the email to correct"})
    doc = old.signed()
    subject = doc.get("credentialSubject", {})
    new = issue_credential(
        IssueRequest(
            achievement=old.achievement,
            recipient_name=name,
            recipient_email=email,
            valid_until=old.valid_until,
            result=subject.get("result"),
            activity_start=None,
            activity_end=None,
            source="correction",
            actor=actor,
            merge_fields=old.merge_fields,
            achievement_version=old.achievement_version,
            design_version=old.design_version,
        )
    )
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=old.pk)
        if locked.state == Credential.State.REVOKED:  # lost a race: undo nothing, report it
            raise CredentialStateError(f"credential {old.public_id} was revoked meanwhile")
        _change_state(
            locked,
            allowed={"active", "suspended"},
            new_state="revoked",
            purpose="revocation",
            bit=True,
            event="replaced",
            actor=actor,
            note=f"Replaced by {new.uri}: {reason}",
        )
        Credential.objects.filter(pk=old.pk).update(replaced_by=new)
    log.info("credential %s replaced by %s", old.public_id, new.public_id)
    return new


def change_expiry(
    credential: Credential, *, valid_until: datetime | None, actor=None, note: str = ""
) -> Credential:
    """Change when a credential expires: it is re-signed under the same id and status entry.

    The credential's URL does not change and serves the re-signed document; see
    docs/decisions/0006-issuer-workspace.md for why (and for what happens to copies already downloaded).
    """
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        if cred.state == Credential.State.REVOKED:
            raise CredentialStateError(f"credential {cred.public_id} is revoked; its expiry cannot change")
        if valid_until is not None:
            valid_until = valid_until.replace(microsecond=0)
            if valid_until <= cred.issued_at:
                raise ValidationError({"valid_until": "must be after the issue date"})
        old = cred.valid_until
        doc = cred.signed()
        doc.pop("proof", None)
        if valid_until is None:
            doc.pop("validUntil", None)
        else:
            doc["validUntil"] = vc_dates.format_datetime(valid_until)
        key = active_key(cred.organization)
        now = timezone.now().replace(microsecond=0)
        signed = signing.sign(doc, key, created=now)  # raises if what it signed does not verify
        cred.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        cred.valid_until = valid_until
        cred.save(update_fields=["document", "valid_until"])
        fmt = lambda d: d.date().isoformat() if d else "never"  # noqa: E731
        CredentialEvent.objects.create(
            credential=cred,
            kind=CredentialEvent.Kind.EXPIRY_CHANGED,
            actor=actor if getattr(actor, "pk", None) else None,
            note=f"{fmt(old)} -> {fmt(valid_until)}" + (f": {note}" if note else ""),
        )
        transaction.on_commit(
            lambda: signals.credential_state_changed.send(
                sender=Credential, credential=cred, event="expiry_changed"
            )
        )
    return cred


def resend_credential(credential: Credential, *, actor=None) -> None:
    """Email the credential's links to the recipient again, through the delivery app (branded
    templates, open/click tracking); a DELIVERED event follows."""
    from credstack.delivery.actions import resend

    resend(Credential.objects.get(pk=credential.pk))
